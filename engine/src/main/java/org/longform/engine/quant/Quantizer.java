package org.longform.engine.quant;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.longform.engine.kernels.MatMulVector;
import org.longform.engine.kernels.Parallel;

/**
 * Quantizes matrices to q8_0 or q4_0 blocks of 32 (GGML's formulas, except that the weights are
 * rounded against the f16 scale actually stored, so the block's largest weight lands exactly on
 * its code and no weight is off by more than half a step of the scale that is used). q8_0 rounds
 * half to even ({@code Math.rint}, branch-free) where GGML rounds half away from zero: the two
 * differ only on exact ties, and {@code Math.round}'s branches made quantizing 2.5x slower. The q8_0
 * path runs on the Vector API (0.5 ns a weight against 1.9 for the scalar reference it matches).
 */
public final class Quantizer {
    private Quantizer() {}

    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED;

    /** A quantized copy of {@code src} in memory owned by {@code arena}; rows split across {@code par}. */
    public static QuantMatrix quantize(Matrix src, WeightType type, Arena arena, Parallel par) {
        int rows = src.rows(), cols = src.cols();
        if (!type.quantized()) throw new IllegalArgumentException(type + " is not a quantized type");
        if (cols % QuantMatrix.BLOCK != 0) {
            throw new IllegalArgumentException(src.name() + " has " + cols + " columns, not a multiple of "
                    + QuantMatrix.BLOCK + " (needed for " + type.label() + ")");
        }
        MemorySegment q = arena.allocate(QuantMatrix.quantBytes(type, rows, cols), 64);
        MemorySegment s = arena.allocate(QuantMatrix.scaleBytes(rows, cols), 64);
        Parallel.RangeBody body = (a, b) -> {
            float[] row = new float[cols], tmp = new float[cols];
            for (int r = a; r < b; r++) {
                MatMulVector.widen(src, r, row, tmp);
                quantizeRow(type, row, 0, cols, q, s, r);
            }
        };
        if (par != null) par.range(rows, 16, body);
        else body.run(0, rows);
        return new QuantMatrix(src.name(), type, rows, cols, q, s);
    }

    /**
     * Rows [r0, r1) of {@code src} quantized to {@code type} into planes that hold those rows only
     * (row r at index r - r0): a block of a streamed quantization ({@link QuantCache#writeStreaming}).
     */
    public static void quantizeRows(
            Matrix src, WeightType type, int r0, int r1, MemorySegment q, MemorySegment s, Parallel par) {
        int cols = src.cols();
        if (!type.quantized()) throw new IllegalArgumentException(type + " is not a quantized type");
        if (cols % QuantMatrix.BLOCK != 0) {
            throw new IllegalArgumentException(src.name() + " has " + cols + " columns, not a multiple of "
                    + QuantMatrix.BLOCK + " (needed for " + type.label() + ")");
        }
        Parallel.RangeBody body = (a, b) -> {
            float[] row = new float[cols], tmp = new float[cols];
            for (int i = a; i < b; i++) {
                MatMulVector.widen(src, r0 + i, row, tmp);
                quantizeRow(type, row, 0, cols, q, s, i);
            }
        };
        if (par != null) par.range(r1 - r0, 16, body);
        else body.run(0, r1 - r0);
    }

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final boolean VEC = FS.length() >= 8 && 32 % FS.length() == 0;
    /** None below 8 float lanes (no 32-bit byte vector: 128-bit NEON, -XX:MaxVectorSize=16), where q8Scalar runs. */
    private static final VectorSpecies<Byte> BS =
            VEC ? VectorSpecies.of(byte.class, VectorShape.forBitSize(FS.length() * 8)) : null;
    /** 1.5 * 2^23: (v + M) - M rounds v half to even, as Math.rint does, for |v| < 2^22. */
    private static final float MAGIC = 12582912f;

    /** q8_0 blocks of x[off, off + 32 nb): the reference, one weight at a time. */
    static void q8Scalar(float[] x, int off, int nb, byte[] qs, short[] ds) {
        for (int b = 0; b < nb; b++) {
            int o = off + b * QuantMatrix.BLOCK;
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[o + j]));
            short dh = Float.floatToFloat16(amax / 127f);
            float d = Float.float16ToFloat(dh);
            float id = d != 0 ? 1f / d : 0f;
            ds[b] = dh;
            for (int j = 0; j < 32; j++)
                qs[b * 32 + j] = (byte) Math.max(-127, Math.min(127, (int) Math.rint(x[o + j] * id)));
        }
    }

    /** The same blocks with the Vector API (bit for bit: max and the magic-number rounding are exact). */
    static void q8Vector(float[] x, int off, int nb, byte[] qs, short[] ds) {
        int L = FS.length();
        for (int b = 0; b < nb; b++) {
            int o = off + b * QuantMatrix.BLOCK;
            FloatVector m = FloatVector.zero(FS);
            for (int j = 0; j < 32; j += L)
                m = m.max(FloatVector.fromArray(FS, x, o + j).abs());
            float amax = m.reduceLanes(VectorOperators.MAX);
            short dh = Float.floatToFloat16(amax / 127f);
            float d = Float.float16ToFloat(dh);
            float id = d != 0 ? 1f / d : 0f;
            ds[b] = dh;
            for (int j = 0; j < 32; j += L) {
                FloatVector v = FloatVector.fromArray(FS, x, o + j)
                        .mul(id)
                        .add(MAGIC)
                        .sub(MAGIC)
                        .max(-127f)
                        .min(127f);
                ((ByteVector) v.convertShape(VectorOperators.F2B, BS, 0)).intoArray(qs, b * 32 + j);
            }
        }
    }

    /** Quantizes x[off, off + cols) into row r of the planes. */
    public static void quantizeRow(
            WeightType type, float[] x, int off, int cols, MemorySegment q, MemorySegment s, int r) {
        int nb = cols / QuantMatrix.BLOCK;
        if (type == WeightType.Q8_0) {
            // the row is built in arrays and copied once: element-wise segment stores cost twice the arithmetic
            byte[] qs = new byte[cols];
            short[] ds = new short[nb];
            if (VEC) q8Vector(x, off, nb, qs, ds);
            else q8Scalar(x, off, nb, qs, ds);
            MemorySegment.copy(qs, 0, q, ValueLayout.JAVA_BYTE, (long) r * cols, cols);
            MemorySegment.copy(ds, 0, s, SHORT_LE, (long) r * nb * 2, nb);
            return;
        }
        for (int b = 0; b < nb; b++) {
            int o = off + b * QuantMatrix.BLOCK;
            long blockIndex = (long) r * nb + b;
            float amax = 0, max = 0;
            for (int j = 0; j < 32; j++) {
                float a = Math.abs(x[o + j]);
                if (a > amax) {
                    amax = a;
                    max = x[o + j];
                }
            }
            short dh = Float.floatToFloat16(max / -8f);
            float d = Float.float16ToFloat(dh);
            float id = d != 0 ? 1f / d : 0f;
            s.setAtIndex(SHORT_LE, blockIndex, dh);
            long base = blockIndex * 16;
            for (int j = 0; j < 16; j++) {
                int lo = Math.max(0, Math.min(15, (int) Math.floor(x[o + j] * id + 8.5f))) - 8;
                int hi = Math.max(0, Math.min(15, (int) Math.floor(x[o + j + 16] * id + 8.5f))) - 8;
                q.set(ValueLayout.JAVA_BYTE, base + j, (byte) ((lo & 15) | (hi & 15) << 4));
            }
        }
    }
}
