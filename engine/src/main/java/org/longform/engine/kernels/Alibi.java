package org.longform.engine.kernels;

/** ALiBi head slopes as MPT defines them, including the interleave for head counts that are not a power of two. */
public final class Alibi {
    private Alibi() {}

    public static float[] slopes(int nHeads, float biasMax) {
        int n = Integer.highestOneBit(nHeads);
        if (n < nHeads) n <<= 1;
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            float m = (i + 1) * (biasMax / n); // computed in float like the reference
            s[i] = (float) (1.0 / Math.pow(2.0, m));
        }
        if (n == nHeads) return s;
        // MPT: slopes[1::2] followed by slopes[::2], first nHeads of them
        float[] out = new float[nHeads];
        int k = 0;
        for (int i = 1; i < n && k < nHeads; i += 2) out[k++] = s[i];
        for (int i = 0; i < n && k < nHeads; i += 2) out[k++] = s[i];
        return out;
    }
}
