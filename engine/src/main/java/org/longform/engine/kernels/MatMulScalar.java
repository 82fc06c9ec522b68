package org.longform.engine.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.longform.engine.quant.Matrix;
import org.longform.engine.quant.QuantMatrix;

/** The plain matrix product every vector kernel is tested against: widen a row, then sequential dots. */
public final class MatMulScalar {
    private MatMulScalar() {}

    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED;

    public static void matmul(Matrix w, float[] x, int T, float[] out, Epilogue ep) {
        int N = w.rows(), K = w.cols();
        float[] row = new float[K];
        for (int n = 0; n < N; n++) {
            w.row(n, row, 0);
            for (int t = 0; t < T; t++) {
                float s = 0f;
                int xo = t * K;
                for (int k = 0; k < K; k++) s += row[k] * x[xo + k];
                apply(out, t * N + n, s, ep);
            }
        }
    }

    /**
     * Row r of a q4_0 matrix times x as {@link MatMulVector}'s one-token kernel computes it with
     * {@code lanes} float lanes (8 or more), so that kernel must equal this bit for bit. Per block
     * of 32, lane i runs over j = i, i + lanes, ... below 16 and adds by FMA the low weight times
     * 2^28 times x[k + j] 2^-28, then the high weight times 16 times x[k + 16 + j] / 16 (the kernel
     * widens nibbles by shifts and masks, never dividing them out); each lane's block sum goes into
     * its accumulator times the f16 block scale (FMA); the lanes are summed in order 0..lanes-1.
     */
    public static float dotQ4(QuantMatrix m, int r, float[] x, int lanes) {
        int nb = m.blocksPerRow();
        long base = (long) r * m.cols() / 2;
        float[] acc = new float[lanes], p = new float[lanes];
        for (int blk = 0; blk < nb; blk++) {
            int k = blk * 32;
            Arrays.fill(p, 0f);
            for (int j0 = 0; j0 < 16; j0 += lanes) {
                for (int i = 0; i < lanes && j0 + i < 16; i++) {
                    int j = j0 + i;
                    int v = m.quants().get(ValueLayout.JAVA_BYTE, base + blk * 16L + j); // sign-extended
                    float lo = v << 28, hi = v & -16;
                    p[i] = Math.fma(lo, x[k + j] * 0x1p-28f, p[i]);
                    p[i] = Math.fma(hi, x[k + 16 + j] * (1f / 16), p[i]);
                }
            }
            float d = m.scale(r, blk);
            for (int i = 0; i < lanes; i++) acc[i] = Math.fma(p[i], d, acc[i]);
        }
        return ordered(acc);
    }

    /**
     * Row r of a q8_0 matrix times x as {@link MatMulVector}'s one-token kernel computes it with
     * {@code lanes} float lanes (8 or more, dividing 32), bit for bit: per block, lane i adds by FMA
     * the weights j = i, i + lanes, ... times x; each lane's block sum goes into its accumulator
     * times the f16 block scale (FMA); the lanes are summed in order.
     */
    public static float dotQ8(QuantMatrix m, int r, float[] x, int lanes) {
        int nb = m.blocksPerRow();
        long base = (long) r * m.cols();
        float[] acc = new float[lanes], p = new float[lanes];
        for (int blk = 0; blk < nb; blk++) {
            int k = blk * 32;
            Arrays.fill(p, 0f);
            for (int j = 0; j < 32; j++) {
                float w = m.quants().get(ValueLayout.JAVA_BYTE, base + k + j);
                p[j % lanes] = Math.fma(w, x[k + j], p[j % lanes]);
            }
            float d = m.scale(r, blk);
            for (int i = 0; i < lanes; i++) acc[i] = Math.fma(p[i], d, acc[i]);
        }
        return ordered(acc);
    }

    /**
     * Row r of an f16 [rows x K] matrix w times x as {@link MatMulVector}'s one-token kernel computes
     * it with {@code lanes} float lanes, bit for bit. The first K - K % 2lanes columns go in steps of
     * 2 lanes, lane i taking columns c + 2i + 1 then c + 2i (FMA); each half is widened by a shift
     * and a mask to its value times 2^-112, and the 2^112 goes into x when every |x| there is below
     * 2^15 (exact both ways), else onto the weight. The lanes are summed in order, then the other
     * columns are added as a plain sum of products.
     */
    public static float dotF16(MemorySegment w, int K, int r, float[] x, int lanes) {
        int c2 = 2 * lanes, kb = K - K % c2;
        float max = 0;
        for (int k = 0; k < kb; k++) max = Math.max(max, Math.abs(x[k]));
        boolean scaled = max < 0x1p15f;
        float xs = scaled ? 0x1p112f : 1f, ws = scaled ? 1f : 0x1p112f;
        long row = (long) r * K;
        float[] acc = new float[lanes];
        for (int c = 0; c < kb; c += c2) {
            for (int i = 0; i < lanes; i++) {
                int ke = c + 2 * i, ko = ke + 1;
                float we = widened(w.getAtIndex(SHORT_LE, row + ke)) * ws;
                float wo = widened(w.getAtIndex(SHORT_LE, row + ko)) * ws;
                acc[i] = Math.fma(wo, x[ko] * xs, acc[i]);
                acc[i] = Math.fma(we, x[ke] * xs, acc[i]);
            }
        }
        float s = ordered(acc), tail = 0;
        for (int k = kb; k < K; k++) tail += Float.float16ToFloat(w.getAtIndex(SHORT_LE, row + k)) * x[k];
        return s + tail;
    }

    /** A half's sign, exponent and mantissa placed where a float's go: its value times 2^-112. */
    private static float widened(short h) {
        return Float.intBitsToFloat(((h << 16) >> 3) & 0x8FFFE000);
    }

    private static float ordered(float[] lanes) {
        float s = 0;
        for (float v : lanes) s += v;
        return s;
    }

    static void apply(float[] out, int i, float s, Epilogue ep) {
        switch (ep) {
            case STORE -> out[i] = s;
            case ADD -> out[i] += s;
            case GELU -> out[i] = Gelu.scalar(s);
        }
    }
}
