package org.longform.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.longform.engine.kv.KvCache;
import org.longform.engine.kv.KvPool;

/**
 * Causal ALiBi attention over the paged cache, one KV block at a time with an online softmax
 * (running max and sum), so no T x S score or bias matrix ever exists. Pages may hold f32, bf16,
 * f16 or int8: each block's rows of one head are decoded to f32 once into scratch and then serve
 * a group of up to {@link #GROUP} queries, so decoding costs little in prefill. The scalar and vector
 * versions share the block walk; they differ only in the q.k and p*v inner loops.
 */
public final class Attention {
    private Attention() {}

    /** Queries of one head that share each decoded block. */
    static final int GROUP = 32;

    /** Work items are (token, head) pairs; {@code from..to} index them as t * heads + h. */
    public static void run(boolean vector, float[] qkv, int T, KvCache cache, int layer, int firstSlot,
                           float[] slopes, float scale, float[] out, int from, int to) {
        KvPool pool = cache.pool();
        int H = pool.heads, hd = pool.headDim, bs = pool.blockSize;
        float[] keys = new float[bs * hd], values = new float[bs * hd], scores = new float[bs];
        float[] acc = new float[GROUP * hd], max = new float[GROUP], sum = new float[GROUP];
        short[] tmp = pool.scratch();
        int lanes = vector ? lanes(hd) : 0;
        for (int h = 0; h < H; h++) {
            // the items of head h in [from, to) are t in [t0, t1)
            int t0 = Math.max(0, (from - h + H - 1) / H), t1 = Math.min(T, (to - h + H - 1) / H);
            for (int g = t0; g < t1; g += GROUP) {
                int gn = Math.min(GROUP, t1 - g);
                group(lanes, qkv, T, cache, layer, firstSlot, slopes[h], scale, out, h, g, gn,
                        keys, values, scores, acc, max, sum, tmp);
            }
        }
    }

    /** Queries t in [g, g + gn) of head h. */
    private static void group(int lanes, float[] qkv, int T, KvCache cache, int layer, int firstSlot, float slope, float scale,
                              float[] out, int h, int g, int gn, float[] keys, float[] values, float[] scores,
                              float[] acc, float[] max, float[] sum, short[] tmp) {
        KvPool pool = cache.pool();
        int hd = pool.headDim, d = pool.heads * hd, bs = pool.blockSize;
        java.util.Arrays.fill(acc, 0, gn * hd, 0f);
        java.util.Arrays.fill(max, 0, gn, Float.NEGATIVE_INFINITY);
        java.util.Arrays.fill(sum, 0, gn, 0f);
        int lastSlot = firstSlot + g + gn - 1;
        int nBlocks = lastSlot / bs + 1;
        for (int b = 0; b < nBlocks; b++) {
            int filled = Math.min(bs, lastSlot + 1 - b * bs);
            cache.readRows(b, layer, 0, h, filled, keys, tmp);
            cache.readRows(b, layer, 1, h, filled, values, tmp);
            for (int k = 0; k < gn; k++) {
                int t = g + k;
                int qSlot = firstSlot + t;
                int n = Math.min(bs, qSlot + 1 - b * bs);
                if (n <= 0) continue;
                int qOff = t * 3 * d + h * hd, aOff = k * hd;
                float bmax = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    float dot = switch (lanes) {
                        case 16 -> dot16(qkv, qOff, keys, j * hd, hd);
                        case 8 -> dot8(qkv, qOff, keys, j * hd, hd);
                        default -> dotS(qkv, qOff, keys, j * hd, hd);
                    };
                    float s = dot * scale + slope * (b * bs + j - qSlot);
                    scores[j] = s;
                    if (s > bmax) bmax = s;
                }
                float m = max[k];
                if (bmax > m) {
                    float corr = (float) Math.exp(m - bmax);   // exp(-inf) = 0 on the first block
                    sum[k] *= corr;
                    for (int i = 0; i < hd; i++) acc[aOff + i] *= corr;
                    m = max[k] = bmax;
                }
                float sk = sum[k];
                for (int j = 0; j < n; j++) {
                    float p = (float) Math.exp(scores[j] - m);
                    sk += p;
                    switch (lanes) {
                        case 16 -> axpy16(p, values, j * hd, acc, aOff, hd);
                        case 8 -> axpy8(p, values, j * hd, acc, aOff, hd);
                        default -> {
                            for (int i = 0; i < hd; i++) acc[aOff + i] += p * values[j * hd + i];
                        }
                    }
                }
                sum[k] = sk;
            }
        }
        for (int k = 0; k < gn; k++) {
            float inv = 1f / sum[k];
            int o = (g + k) * d + h * hd;
            for (int i = 0; i < hd; i++) out[o + i] = acc[k * hd + i] * inv;
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

    private static void axpy16(float p, float[] v, int vo, float[] acc, int ao, int n) {
        FloatVector pv = FloatVector.broadcast(S16, p);
        for (int i = 0; i < n; i += 16) FloatVector.fromArray(S16, v, vo + i).fma(pv, FloatVector.fromArray(S16, acc, ao + i)).intoArray(acc, ao + i);
    }

    private static void axpy8(float p, float[] v, int vo, float[] acc, int ao, int n) {
        FloatVector pv = FloatVector.broadcast(S8, p);
        for (int i = 0; i < n; i += 8) FloatVector.fromArray(S8, v, vo + i).fma(pv, FloatVector.fromArray(S8, acc, ao + i)).intoArray(acc, ao + i);
    }
}
