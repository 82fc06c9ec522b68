package org.longform.engine.kernels;

import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.longform.engine.quant.Matrix;
import org.longform.engine.quant.QuantMatrix;

/** The plain matrix product every vector kernel is tested against: widen a row, then sequential dots. */
public final class MatMulScalar {
    private MatMulScalar() {}

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
        float s = 0;
        for (int i = 0; i < lanes; i++) s += acc[i];
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
