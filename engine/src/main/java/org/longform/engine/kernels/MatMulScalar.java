package org.longform.engine.kernels;

import org.longform.engine.quant.Matrix;

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

    static void apply(float[] out, int i, float s, Epilogue ep) {
        switch (ep) {
            case STORE -> out[i] = s;
            case ADD -> out[i] += s;
            case GELU -> out[i] = Gelu.scalar(s);
        }
    }
}
