package org.longform.engine.kernels;

import org.longform.engine.io.Tensor;

/** The plain matrix product every vector kernel is tested against. */
public final class MatMulScalar {
    private MatMulScalar() {}

    public static void matmul(Tensor w, float[] x, int T, float[] out) {
        int N = w.rows(), K = w.cols();
        float[] row = new float[K];
        for (int n = 0; n < N; n++) {
            long base = (long) n * K;
            for (int k = 0; k < K; k++) row[k] = w.get(base + k);
            for (int t = 0; t < T; t++) {
                float s = 0f;
                int xo = t * K;
                for (int k = 0; k < K; k++) s += row[k] * x[xo + k];
                out[t * N + n] = s;
            }
        }
    }
}
