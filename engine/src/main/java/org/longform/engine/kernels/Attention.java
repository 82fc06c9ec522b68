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
        VectorSpecies<Float> sp = species(hd);
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
                    float dot = vector && sp != null
                            ? dotV(sp, qkv, qOff, blk, kBase + j * hd, hd)
                            : dotS(qkv, qOff, blk, kBase + j * hd, hd);
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
                    if (vector && sp != null) axpyV(sp, p, blk, vBase + j * hd, acc, hd);
                    else for (int i = 0; i < hd; i++) acc[i] += p * blk[vBase + j * hd + i];
                }
            }
            float inv = 1f / sum;
            int o = t * d + h * hd;
            for (int i = 0; i < hd; i++) out[o + i] = acc[i] * inv;
        }
    }

    /** The widest species whose length divides the head size, or null for the scalar loop. */
    static VectorSpecies<Float> species(int hd) {
        for (VectorSpecies<Float> s : new VectorSpecies[]{FloatVector.SPECIES_512, FloatVector.SPECIES_256, FloatVector.SPECIES_128}) {
            if (s.vectorBitSize() <= FloatVector.SPECIES_PREFERRED.vectorBitSize() && hd % s.length() == 0) return s;
        }
        return null;
    }

    private static float dotS(float[] a, int ao, float[] b, int bo, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    private static float dotV(VectorSpecies<Float> sp, float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(sp);
        for (int i = 0; i < n; i += sp.length()) {
            acc = FloatVector.fromArray(sp, a, ao + i).fma(FloatVector.fromArray(sp, b, bo + i), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    private static void axpyV(VectorSpecies<Float> sp, float p, float[] v, int vo, float[] acc, int n) {
        for (int i = 0; i < n; i += sp.length()) {
            FloatVector.fromArray(sp, v, vo + i).fma(FloatVector.broadcast(sp, p), FloatVector.fromArray(sp, acc, i)).intoArray(acc, i);
        }
    }
}
