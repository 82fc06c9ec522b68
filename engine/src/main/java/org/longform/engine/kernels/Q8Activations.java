package org.longform.engine.kernels;

/**
 * An activation vector rounded to int8 the way llama.cpp's q8_K does it: per block of 256 values
 * one float scale d = max|x| / 127 and codes a = rint(x / d) in [-127, 127] (x = d·a up to half a
 * step), plus the sums of the codes over each 32-wide sub-block (the k-quants' mins terms need
 * them). Codes are kept as shorts, the lanes {@link MatMulInt8} multiplies in. Made once per
 * product by the caller's thread, read by every worker; the arrays grow and are kept.
 */
public final class Q8Activations {
    public static final int BLOCK = 256;

    short[] q = new short[0];
    float[] d = new float[0];
    int[] bsum = new int[0];
    int cols;

    /** Rounds x[0, K) (K a multiple of 256). */
    public Q8Activations quantize(float[] x, int K) {
        if (K % BLOCK != 0) throw new IllegalArgumentException(K + " is not a multiple of " + BLOCK);
        if (q.length < K) {
            q = new short[K];
            d = new float[K / BLOCK];
            bsum = new int[K / 32];
        }
        cols = K;
        for (int b = 0; b < K / BLOCK; b++) {
            int o = b * BLOCK;
            float amax = 0;
            for (int i = 0; i < BLOCK; i++) amax = Math.max(amax, Math.abs(x[o + i]));
            float inv = amax == 0 ? 0 : 127f / amax;
            d[b] = amax / 127f;
            for (int i = 0; i < BLOCK; i++) {
                // rint then clamp: 127/amax·|x| can round to 127.00001; NaN becomes 0 (d is NaN then)
                float v = (float) Math.rint(x[o + i] * inv);
                q[o + i] = (short) Math.max(-127, Math.min(127, (int) v));
            }
        }
        for (int s = 0; s < K / 32; s++) {
            int v = 0;
            for (int i = 0; i < 32; i++) v += q[32 * s + i];
            bsum[s] = v;
        }
        return this;
    }

    public int cols() {
        return cols;
    }

    /** Code i (-127..127). */
    public int code(int i) {
        return q[i];
    }

    /** Scale of 256-block b. */
    public float scale(int b) {
        return d[b];
    }

    /** Sum of the codes of 32-wide sub-block s. */
    public int subSum(int s) {
        return bsum[s];
    }
}
