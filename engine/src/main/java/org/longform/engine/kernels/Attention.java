package org.longform.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.longform.engine.kv.KvCache;
import org.longform.engine.kv.KvPool;

/**
 * Causal ALiBi attention over the paged cache, one KV block at a time with an online softmax
 * (running max and sum), so no T x S score or bias matrix ever exists. The scalar and vector
 * versions share the block walk; they differ only in the q.k and p*v inner loops.
 */
public final class Attention {
    private Attention() {}

    /** Work items are (token, head) pairs; {@code from..to} index them as t * heads + h. */
    public static void run(boolean vector, float[] qkv, int T, KvCache cache, int layer, int firstSlot,
                           float[] slopes, float scale, float[] out, int from, int to) {
        KvPool pool = cache.pool();
        int H = pool.heads, hd = pool.headDim, d = H * hd, bs = pool.blockSize;
        float[] scores = new float[bs];
        float[] acc = new float[hd];
        int lanes = vector ? lanes(hd) : 0;
        for (int item = from; item < to; item++) {
            int t = item / H, h = item % H;
            int qOff = t * 3 * d + h * hd;
            int qSlot = firstSlot + t;
            float slope = slopes[h];
            float max = Float.NEGATIVE_INFINITY, sum = 0f;
            java.util.Arrays.fill(acc, 0f);
            int nBlocks = qSlot / bs + 1;
            for (int b = 0; b < nBlocks; b++) {
                float[] blk = cache.blockAt(b);
                int n = Math.min(bs, qSlot + 1 - b * bs);
                int kBase = pool.offset(layer, 0, h, 0), vBase = pool.offset(layer, 1, h, 0);
                float bmax = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    float dot = switch (lanes) {
                        case 16 -> dot16(qkv, qOff, blk, kBase + j * hd, hd);
                        case 8 -> dot8(qkv, qOff, blk, kBase + j * hd, hd);
                        default -> dotS(qkv, qOff, blk, kBase + j * hd, hd);
                    };
                    float s = dot * scale + slope * (b * bs + j - qSlot);
                    scores[j] = s;
                    if (s > bmax) bmax = s;
                }
                if (bmax > max) {
                    float corr = (float) Math.exp(max - bmax);   // exp(-inf) = 0 on the first block
                    sum *= corr;
                    for (int i = 0; i < hd; i++) acc[i] *= corr;
                    max = bmax;
                }
                for (int j = 0; j < n; j++) {
                    float p = (float) Math.exp(scores[j] - max);
                    sum += p;
                    switch (lanes) {
                        case 16 -> axpy16(p, blk, vBase + j * hd, acc, hd);
                        case 8 -> axpy8(p, blk, vBase + j * hd, acc, hd);
                        default -> {
                            for (int i = 0; i < hd; i++) acc[i] += p * blk[vBase + j * hd + i];
                        }
                    }
                }
            }
            float inv = 1f / sum;
            int o = t * d + h * hd;
            for (int i = 0; i < hd; i++) out[o + i] = acc[i] * inv;
        }
    }

    // Species must be compile-time constants for C2 to intrinsify the vector ops, hence one
    // method per width instead of a species parameter.
    private static final VectorSpecies<Float> S16 = FloatVector.SPECIES_512;
    private static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;

    /** Lanes of the widest usable species whose length divides the head size; 0 = scalar loops. */
    static int lanes(int hd) {
        int max = FloatVector.SPECIES_PREFERRED.length();
        if (max >= 16 && hd % 16 == 0) return 16;
        if (max >= 8 && hd % 8 == 0) return 8;
        return 0;
    }

    private static float dotS(float[] a, int ao, float[] b, int bo, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    private static float dot16(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(S16);
        for (int i = 0; i < n; i += 16) acc = FloatVector.fromArray(S16, a, ao + i).fma(FloatVector.fromArray(S16, b, bo + i), acc);
        return acc.reduceLanes(VectorOperators.ADD);
    }

    private static float dot8(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(S8);
        for (int i = 0; i < n; i += 8) acc = FloatVector.fromArray(S8, a, ao + i).fma(FloatVector.fromArray(S8, b, bo + i), acc);
        return acc.reduceLanes(VectorOperators.ADD);
    }

    private static void axpy16(float p, float[] v, int vo, float[] acc, int n) {
        FloatVector pv = FloatVector.broadcast(S16, p);
        for (int i = 0; i < n; i += 16) FloatVector.fromArray(S16, v, vo + i).fma(pv, FloatVector.fromArray(S16, acc, i)).intoArray(acc, i);
    }

    private static void axpy8(float p, float[] v, int vo, float[] acc, int n) {
        FloatVector pv = FloatVector.broadcast(S8, p);
        for (int i = 0; i < n; i += 8) FloatVector.fromArray(S8, v, vo + i).fma(pv, FloatVector.fromArray(S8, acc, i)).intoArray(acc, i);
    }
}
