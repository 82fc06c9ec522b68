package org.longform.engine.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.longform.engine.kernels.MatMulKQuantScalar;

/**
 * A matrix in one of GGML's k-quant formats, held exactly as the GGUF file stores it (the mapped
 * bytes, never copied or re-quantized): each row is {@code cols / 256} blocks of
 * <ul>
 * <li>Q4_K (144 B): f16 d, f16 dmin, 12 B of 6-bit scales and mins (8 sub-blocks of 32), 128 B
 *     nibbles; byte l of 32-byte group j holds weight l of sub-block 2j (low nibble) and of 2j + 1
 *     (high). w = d·sc·q − dmin·m.</li>
 * <li>Q5_K (176 B): as Q4_K with 32 B of fifth bits after the scales: bit s of byte l is the fifth
 *     bit of weight l of sub-block s.</li>
 * <li>Q6_K (210 B): 128 B low nibbles, 64 B high 2-bit pairs, 16 int8 scales (per 16 weights), f16
 *     d. w = d·sc·(q − 32).</li>
 * </ul>
 * {@link #row} decodes as ggml's {@code dequantize_row_*} does (same products in the same order).
 */
public record KQuantMatrix(String name, WeightType type, int rows, int cols, MemorySegment data) implements Matrix {
    public static final int BLOCK = 256;
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED;

    public KQuantMatrix {
        if (!type.kQuant()) throw new IllegalArgumentException(type + " is not a k-quant type");
        if (cols % BLOCK != 0) {
            throw new IllegalArgumentException(name + ": " + cols + " columns are not a multiple of " + BLOCK);
        }
        long want = (long) rows * (cols / BLOCK) * type.blockBytes;
        if (data.byteSize() != want) {
            throw new IllegalArgumentException(
                    name + ": " + data.byteSize() + " bytes of " + type.label() + " blocks, expected " + want);
        }
    }

    /** Byte offset of row r's first block. */
    public long rowOffset(int r) {
        return (long) r * (cols / BLOCK) * type.blockBytes;
    }

    @Override
    public long byteSize() {
        return data.byteSize();
    }

    @Override
    public void row(int r, float[] dst, int off) {
        MatMulKQuantScalar.widen(this, r, 0, cols, dst, off);
    }

    /** The f16 at byte {@code at} of the data, widened. */
    public float f16(long at) {
        return Float.float16ToFloat(data.get(SHORT_LE, at));
    }

    /**
     * Q4_K / Q5_K: sub-block s's 6-bit scale (low byte) and 6-bit min (second byte) of the block at
     * byte {@code block}. Scales 0-3 and mins 0-3 are the low 6 bits of bytes 0-3 and 4-7; scale and
     * min 4-7 take their low 4 bits from the nibbles of bytes 8-11 and their top 2 bits from the
     * spare top bits of bytes 0-3 and 4-7.
     */
    public static int scaleMin(MemorySegment data, long block, int s) {
        long p = block + 4;
        if (s < 4) return (u8(data, p + s) & 63) | (u8(data, p + s + 4) & 63) << 8;
        int lo = u8(data, p + s + 4);
        int sc = (lo & 0xF) | (u8(data, p + s - 4) >> 6) << 4;
        int m = (lo >> 4) | (u8(data, p + s) >> 6) << 4;
        return sc | m << 8;
    }

    static int u8(MemorySegment data, long at) {
        return data.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }
}
