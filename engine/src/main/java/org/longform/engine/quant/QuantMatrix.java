package org.longform.engine.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A block-quantized matrix in two planes, so the kernels load aligned vectors: {@code quants}
 * holds the weights row after row (q8_0: one signed byte each; q4_0: 16 bytes per block of 32,
 * byte j carrying weight j in its low nibble and weight j + 16 in its high nibble, as in GGML, but
 * each nibble as a signed 4-bit number, GGML's code minus 8 — GGML's byte XOR 0x88), and
 * {@code scales} one little-endian f16 per block, {@code rows * cols / 32} of them in row order.
 * The values are those of GGML's q8_0 and q4_0 blocks; only the interleaving and nibble bias differ.
 */
public record QuantMatrix(String name, WeightType type, int rows, int cols, MemorySegment quants, MemorySegment scales)
        implements Matrix {
    public static final int BLOCK = 32;
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED;

    public QuantMatrix {
        if (!type.quantized()) throw new IllegalArgumentException(type + " is not a block-quantized type");
        if (cols % BLOCK != 0)
            throw new IllegalArgumentException(name + ": " + cols + " columns are not a multiple of " + BLOCK);
        if (quants.byteSize() != quantBytes(type, rows, cols)) {
            throw new IllegalArgumentException(name + ": quant plane has " + quants.byteSize() + " bytes, expected "
                    + quantBytes(type, rows, cols));
        }
        if (scales.byteSize() != scaleBytes(rows, cols)) {
            throw new IllegalArgumentException(
                    name + ": scale plane has " + scales.byteSize() + " bytes, expected " + scaleBytes(rows, cols));
        }
    }

    public static long quantBytes(WeightType type, int rows, int cols) {
        return type == WeightType.Q8_0 ? (long) rows * cols : (long) rows * cols / 2;
    }

    public static long scaleBytes(int rows, int cols) {
        return (long) rows * (cols / BLOCK) * 2;
    }

    /** Blocks per row. */
    public int blocksPerRow() {
        return cols / BLOCK;
    }

    /** The f16 scale of block b of row r, widened. */
    public float scale(int r, int b) {
        return Float.float16ToFloat(scales.getAtIndex(SHORT_LE, (long) r * blocksPerRow() + b));
    }

    @Override
    public long byteSize() {
        return quants.byteSize() + scales.byteSize();
    }

    @Override
    public void row(int r, float[] dst, int off) {
        int nb = blocksPerRow();
        if (type == WeightType.Q8_0) {
            long base = (long) r * cols;
            for (int b = 0; b < nb; b++) {
                float d = scale(r, b);
                for (int j = 0; j < BLOCK; j++)
                    dst[off + b * BLOCK + j] = d * quants.get(ValueLayout.JAVA_BYTE, base + b * BLOCK + j);
            }
        } else {
            long base = (long) r * cols / 2;
            for (int b = 0; b < nb; b++) {
                float d = scale(r, b);
                for (int j = 0; j < 16; j++) {
                    byte v = quants.get(ValueLayout.JAVA_BYTE, base + b * 16L + j);
                    dst[off + b * BLOCK + j] = d * ((v << 28) >> 28);
                    dst[off + b * BLOCK + j + 16] = d * (v >> 4);
                }
            }
        }
    }
}
