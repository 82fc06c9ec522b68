package org.longform.engine.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.longform.engine.kv.KvCache;
import org.longform.engine.kv.KvDType;
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
    static final int GROUP = 64;

    /**
     * A block whose best possible score (|q| times its keys' norm bound, plus the nearest key's ALiBi
     * bias) is this far below the running max adds at most e^-30 ≈ 1e-13 per key to the softmax: less
     * than float rounding of the sum even over millions of keys, so the vector path skips it. With
     * ALiBi this leaves the steep heads (half of StoryWriter's 32) looking at a few thousand recent
     * tokens at any context length, exactly as the full sum would in f32.
     */
    static final float SKIP_NATS = 30f;

    /** Work items are (token, head) pairs; {@code from..to} index them as t * heads + h. */
    public static void run(
            boolean vector,
            float[] qkv,
            int T,
            KvCache cache,
            int layer,
            int firstSlot,
            float[] slopes,
            float scale,
            float[] out,
            int from,
            int to) {
        KvPool pool = cache.pool();
        int H = pool.heads;
        Scratch s = new Scratch(pool, vector);
        for (int h = 0; h < H; h++) {
            // the items of head h in [from, to) are t in [t0, t1)
            int t0 = Math.max(0, (from - h + H - 1) / H), t1 = Math.min(T, (to - h + H - 1) / H);
            for (int g = t0; g < t1; g += GROUP)
                runGroup(s, qkv, cache, layer, firstSlot, slopes[h], scale, out, h, g, Math.min(GROUP, t1 - g));
        }
    }

    /**
     * Units of work for a team: one head and one group of up to {@link #GROUP} queries each,
     * {@code units(T, heads)} in all. Unit 0 is the last group (the most keys under a causal mask),
     * so a team that claims units in order finishes the long ones first and balances the tail.
     */
    public static int units(int T, int heads) {
        return heads * ((T + GROUP - 1) / GROUP);
    }

    /** Runs unit u (see {@link #units}). */
    public static void runUnit(
            Scratch s,
            float[] qkv,
            int T,
            KvCache cache,
            int layer,
            int firstSlot,
            float[] slopes,
            float scale,
            float[] out,
            int u) {
        int H = cache.pool().heads, groups = (T + GROUP - 1) / GROUP;
        int h = u % H, g = (groups - 1 - u / H) * GROUP;
        runGroup(s, qkv, cache, layer, firstSlot, slopes[h], scale, out, h, g, Math.min(GROUP, T - g));
    }

    private static void runGroup(
            Scratch s,
            float[] qkv,
            KvCache cache,
            int layer,
            int firstSlot,
            float slope,
            float scale,
            float[] out,
            int h,
            int g,
            int gn) {
        group(
                s.lanes, s.wide, qkv, cache, layer, firstSlot, slope, scale, out, h, g, gn, s.keys, s.kt, s.values,
                s.scores, s.acc, s.max, s.sum, s.qNorm, s.need);
    }

    /** One thread's buffers for a pool shape, kept between calls so the token loop allocates nothing. */
    public static final class Scratch {
        final int hd, bs, lanes, wide;
        final KvPool pool;
        final float[] keys, values, scores, acc, max, sum, qNorm, kt;
        final boolean[] need;

        public Scratch(KvPool pool, boolean vector) {
            this.pool = pool;
            hd = pool.headDim;
            bs = pool.blockSize;
            lanes = vector ? lanes(hd) : 0;
            wide = vector ? wideLanes() : 0;
            keys = new float[bs * hd];
            values = new float[bs * hd];
            scores = new float[bs];
            acc = new float[GROUP * hd];
            max = new float[GROUP];
            sum = new float[GROUP];
            qNorm = new float[GROUP];
            need = new boolean[GROUP];
            kt = wide > 0 ? new float[hd * bs] : null;
        }

        /** Whether these buffers serve {@code p} (same shape and dtype as the pool they were made for). */
        public boolean fits(KvPool p) {
            return p == pool || (p.headDim == hd && p.blockSize == bs && p.dtype == pool.dtype);
        }
    }

    /**
     * Queries t in [g, g + gn) of head h. The scalar oracle ({@code wide == 0}) sums every key with
     * plain loops; the vector path skips hopeless old blocks (see {@link #SKIP_NATS}), computes exp over a block's scores with the Vector API (Math.exp per score
     * cost more than everything else together on small heads) and, for groups of 4+ queries,
     * scores 8 or 16 keys at once from a transposed copy of the block's keys (no lane reduction).
     */
    private static void group(
            int lanes,
            int wide,
            float[] qkv,
            KvCache cache,
            int layer,
            int firstSlot,
            float slope,
            float scale,
            float[] out,
            int h,
            int g,
            int gn,
            float[] keys,
            float[] kt,
            float[] values,
            float[] scores,
            float[] acc,
            float[] max,
            float[] sum,
            float[] qNorm,
            boolean[] need) {
        KvPool pool = cache.pool();
        int hd = pool.headDim, d = pool.heads * hd, bs = pool.blockSize;
        boolean transposed = wide > 0 && gn >= 4;
        // int8 pages with few queries (decode): keys and values are widened inside the dot
        // products instead of into scratch first (a store and a reload per value, and a call per row);
        // a row's offset within its page is the same in every block
        boolean fusedI8 = !transposed && lanes == 16 && pool.dtype == KvDType.INT8;
        long kAt = pool.rowOffset(layer, 0, h, 0), kSc = pool.scaleOffset(layer, 0, h, 0);
        long vAt = pool.rowOffset(layer, 1, h, 0), vSc = pool.scaleOffset(layer, 1, h, 0);
        Arrays.fill(acc, 0, gn * hd, 0f);
        Arrays.fill(max, 0, gn, Float.NEGATIVE_INFINITY);
        Arrays.fill(sum, 0, gn, 0f);
        int lastSlot = firstSlot + g + gn - 1;
        int nBlocks = lastSlot / bs + 1;
        boolean skip = wide > 0;
        if (skip) {
            for (int k = 0; k < gn; k++) qNorm[k] = norm(qkv, (g + k) * 3 * d + h * hd, hd) * scale * 1.001f;
        }
        // newest block first: the running max is then high early, so old blocks that ALiBi pushed
        // more than SKIP_NATS below it (by a bound on their keys' norms) are never read
        for (int b = nBlocks - 1; b >= 0; b--) {
            int filled = Math.min(bs, lastSlot + 1 - b * bs);
            boolean any = false;
            float kNorm = skip ? cache.pool().keyNorm(cache.blockId(b), layer, h) : 0f;
            for (int k = 0; k < gn; k++) {
                int qSlot = firstSlot + g + k;
                int n = Math.min(bs, qSlot + 1 - b * bs);
                need[k] = n > 0 && !(skip && qNorm[k] * kNorm + slope * (b * bs + n - 1 - qSlot) < max[k] - SKIP_NATS);
                any |= need[k];
            }
            if (!any) continue;
            MemorySegment page = fusedI8 ? pool.segment(cache.blockId(b)) : null;
            if (!fusedI8) {
                cache.readRows(b, layer, 0, h, filled, keys);
                cache.readRows(b, layer, 1, h, filled, values);
            }
            if (transposed) {
                for (int j = 0; j < filled; j++) for (int i = 0; i < hd; i++) kt[i * bs + j] = keys[j * hd + i];
            }
            for (int k = 0; k < gn; k++) {
                if (!need[k]) continue;
                int t = g + k;
                int qSlot = firstSlot + t;
                int n = Math.min(bs, qSlot + 1 - b * bs);
                int qOff = t * 3 * d + h * hd, aOff = k * hd, dist0 = b * bs - qSlot;
                // nv >= n scores are computed; those past n (stale key columns) are set to -inf
                int nv = n;
                if (transposed && wide == 16) nv = scoresT16(qkv, qOff, kt, bs, hd, n, scale, slope, dist0, scores);
                else if (transposed) scoresT8(qkv, qOff, kt, bs, hd, n, scale, slope, dist0, scores);
                else if (fusedI8) scoresI8(qkv, qOff, page, kAt, kSc, hd, n, scale, slope, dist0, scores);
                else {
                    for (int j = 0; j < n; j++) {
                        float dot = switch (lanes) {
                            case 16 -> dot16(qkv, qOff, keys, j * hd, hd);
                            case 8 -> dot8(qkv, qOff, keys, j * hd, hd);
                            default -> dotS(qkv, qOff, keys, j * hd, hd);
                        };
                        scores[j] = dot * scale + slope * (dist0 + j);
                    }
                }
                float bmax = wide == 16 ? max16(scores, n) : wide == 8 ? max8(scores, n) : maxS(scores, n);
                float m = max[k];
                if (bmax > m) {
                    float corr = (float) Math.exp(m - bmax); // exp(-inf) = 0 on the first block
                    sum[k] *= corr;
                    if (lanes == 16) scale16(acc, aOff, hd, corr);
                    else for (int i = 0; i < hd; i++) acc[aOff + i] *= corr;
                    m = max[k] = bmax;
                }
                // scores[j] becomes p_j = exp(s_j - max)
                sum[k] += switch (wide) {
                    case 16 -> expSub16(scores, nv, m);
                    case 8 -> expSub8(scores, n, m);
                    default -> expSubS(scores, n, m);
                };
                if (fusedI8) pvI8(scores, page, vAt, vSc, n, acc, aOff, hd);
                else
                    switch (lanes) {
                        case 16 -> {
                            if (hd % 64 == 0) pv64(scores, values, n, acc, aOff, hd);
                            else pv16(scores, values, n, acc, aOff, hd);
                        }
                        case 8 -> {
                            if (hd % 32 == 0) pv32(scores, values, n, acc, aOff, hd);
                            else pv8(scores, values, n, acc, aOff, hd);
                        }
                        default -> {
                            for (int j = 0; j < n; j++) {
                                float p = scores[j];
                                for (int i = 0; i < hd; i++) acc[aOff + i] += p * values[j * hd + i];
                            }
                        }
                    }
            }
        }
        for (int k = 0; k < gn; k++) {
            float inv = 1f / sum[k];
            int o = (g + k) * d + h * hd;
            for (int i = 0; i < hd; i++) out[o + i] = acc[k * hd + i] * inv;
        }
    }

    /**
     * acc += sum_j p_j * value_j over a block, the accumulator held in registers across keys (two
     * chains, so the FMA latency overlaps) instead of a store and reload per key.
     */
    private static void pv16(float[] p, float[] v, int n, float[] acc, int ao, int hd) {
        for (int i0 = 0; i0 < hd; i0 += 16) {
            FloatVector a0 = FloatVector.fromArray(S16, acc, ao + i0), a1 = FloatVector.zero(S16);
            int j = 0;
            for (; j + 1 < n; j += 2) {
                a0 = FloatVector.fromArray(S16, v, j * hd + i0).fma(FloatVector.broadcast(S16, p[j]), a0);
                a1 = FloatVector.fromArray(S16, v, (j + 1) * hd + i0).fma(FloatVector.broadcast(S16, p[j + 1]), a1);
            }
            if (j < n) a0 = FloatVector.fromArray(S16, v, j * hd + i0).fma(FloatVector.broadcast(S16, p[j]), a0);
            a0.add(a1).intoArray(acc, ao + i0);
        }
    }

    /**
     * pv16 for head sizes that are multiples of 64: four vectors of the accumulator per pass and
     * two keys per step, eight independent FMA chains, one broadcast per key per 64 dims.
     */
    private static void pv64(float[] p, float[] v, int n, float[] acc, int ao, int hd) {
        for (int i0 = 0; i0 < hd; i0 += 64) {
            FloatVector z = FloatVector.zero(S16);
            FloatVector a0 = FloatVector.fromArray(S16, acc, ao + i0),
                    a1 = FloatVector.fromArray(S16, acc, ao + i0 + 16);
            FloatVector a2 = FloatVector.fromArray(S16, acc, ao + i0 + 32),
                    a3 = FloatVector.fromArray(S16, acc, ao + i0 + 48);
            FloatVector b0 = z, b1 = z, b2 = z, b3 = z;
            int j = 0;
            for (; j + 1 < n; j += 2) {
                FloatVector pa = FloatVector.broadcast(S16, p[j]), pb = FloatVector.broadcast(S16, p[j + 1]);
                int o = j * hd + i0, o2 = o + hd;
                a0 = FloatVector.fromArray(S16, v, o).fma(pa, a0);
                a1 = FloatVector.fromArray(S16, v, o + 16).fma(pa, a1);
                a2 = FloatVector.fromArray(S16, v, o + 32).fma(pa, a2);
                a3 = FloatVector.fromArray(S16, v, o + 48).fma(pa, a3);
                b0 = FloatVector.fromArray(S16, v, o2).fma(pb, b0);
                b1 = FloatVector.fromArray(S16, v, o2 + 16).fma(pb, b1);
                b2 = FloatVector.fromArray(S16, v, o2 + 32).fma(pb, b2);
                b3 = FloatVector.fromArray(S16, v, o2 + 48).fma(pb, b3);
            }
            if (j < n) {
                FloatVector pa = FloatVector.broadcast(S16, p[j]);
                int o = j * hd + i0;
                a0 = FloatVector.fromArray(S16, v, o).fma(pa, a0);
                a1 = FloatVector.fromArray(S16, v, o + 16).fma(pa, a1);
                a2 = FloatVector.fromArray(S16, v, o + 32).fma(pa, a2);
                a3 = FloatVector.fromArray(S16, v, o + 48).fma(pa, a3);
            }
            a0.add(b0).intoArray(acc, ao + i0);
            a1.add(b1).intoArray(acc, ao + i0 + 16);
            a2.add(b2).intoArray(acc, ao + i0 + 32);
            a3.add(b3).intoArray(acc, ao + i0 + 48);
        }
    }

    /**
     * pv8 for head sizes that are multiples of 32 (AVX2): four vectors of the accumulator per pass
     * and two keys per step, eight FMA chains as {@link #pv64}; each lane sums its keys in pv8's
     * order (even keys onto acc, odd keys from zero, then the two added), so the floats are pv8's.
     */
    private static void pv32(float[] p, float[] v, int n, float[] acc, int ao, int hd) {
        for (int i0 = 0; i0 < hd; i0 += 32) {
            FloatVector z = FloatVector.zero(S8);
            FloatVector a0 = FloatVector.fromArray(S8, acc, ao + i0), a1 = FloatVector.fromArray(S8, acc, ao + i0 + 8);
            FloatVector a2 = FloatVector.fromArray(S8, acc, ao + i0 + 16),
                    a3 = FloatVector.fromArray(S8, acc, ao + i0 + 24);
            FloatVector b0 = z, b1 = z, b2 = z, b3 = z;
            int j = 0;
            for (; j + 1 < n; j += 2) {
                FloatVector pa = FloatVector.broadcast(S8, p[j]), pb = FloatVector.broadcast(S8, p[j + 1]);
                int o = j * hd + i0, o2 = o + hd;
                a0 = FloatVector.fromArray(S8, v, o).fma(pa, a0);
                a1 = FloatVector.fromArray(S8, v, o + 8).fma(pa, a1);
                a2 = FloatVector.fromArray(S8, v, o + 16).fma(pa, a2);
                a3 = FloatVector.fromArray(S8, v, o + 24).fma(pa, a3);
                b0 = FloatVector.fromArray(S8, v, o2).fma(pb, b0);
                b1 = FloatVector.fromArray(S8, v, o2 + 8).fma(pb, b1);
                b2 = FloatVector.fromArray(S8, v, o2 + 16).fma(pb, b2);
                b3 = FloatVector.fromArray(S8, v, o2 + 24).fma(pb, b3);
            }
            if (j < n) {
                FloatVector pa = FloatVector.broadcast(S8, p[j]);
                int o = j * hd + i0;
                a0 = FloatVector.fromArray(S8, v, o).fma(pa, a0);
                a1 = FloatVector.fromArray(S8, v, o + 8).fma(pa, a1);
                a2 = FloatVector.fromArray(S8, v, o + 16).fma(pa, a2);
                a3 = FloatVector.fromArray(S8, v, o + 24).fma(pa, a3);
            }
            a0.add(b0).intoArray(acc, ao + i0);
            a1.add(b1).intoArray(acc, ao + i0 + 8);
            a2.add(b2).intoArray(acc, ao + i0 + 16);
            a3.add(b3).intoArray(acc, ao + i0 + 24);
        }
    }

    private static void pv8(float[] p, float[] v, int n, float[] acc, int ao, int hd) {
        for (int i0 = 0; i0 < hd; i0 += 8) {
            FloatVector a0 = FloatVector.fromArray(S8, acc, ao + i0), a1 = FloatVector.zero(S8);
            int j = 0;
            for (; j + 1 < n; j += 2) {
                a0 = FloatVector.fromArray(S8, v, j * hd + i0).fma(FloatVector.broadcast(S8, p[j]), a0);
                a1 = FloatVector.fromArray(S8, v, (j + 1) * hd + i0).fma(FloatVector.broadcast(S8, p[j + 1]), a1);
            }
            if (j < n) a0 = FloatVector.fromArray(S8, v, j * hd + i0).fma(FloatVector.broadcast(S8, p[j]), a0);
            a0.add(a1).intoArray(acc, ao + i0);
        }
    }

    private static float norm(float[] x, int off, int n) {
        double ss = 0;
        for (int i = 0; i < n; i++) ss += (double) x[off + i] * x[off + i];
        return (float) Math.sqrt(ss);
    }

    private static float maxS(float[] s, int n) {
        float m = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) if (s[j] > m) m = s[j];
        return m;
    }

    private static float max16(float[] s, int n) {
        FloatVector m = FloatVector.broadcast(S16, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (; j + 16 <= n; j += 16) m = m.max(FloatVector.fromArray(S16, s, j));
        float r = m.reduceLanes(VectorOperators.MAX);
        for (; j < n; j++) if (s[j] > r) r = s[j];
        return r;
    }

    private static float max8(float[] s, int n) {
        FloatVector m = FloatVector.broadcast(S8, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (; j + 8 <= n; j += 8) m = m.max(FloatVector.fromArray(S8, s, j));
        float r = m.reduceLanes(VectorOperators.MAX);
        for (; j < n; j++) if (s[j] > r) r = s[j];
        return r;
    }

    private static void scale16(float[] a, int off, int n, float f) {
        for (int i = 0; i < n; i += 16)
            FloatVector.fromArray(S16, a, off + i).mul(f).intoArray(a, off + i);
    }

    private static float expSubS(float[] s, int n, float m) {
        float sum = 0f;
        for (int j = 0; j < n; j++) sum += s[j] = (float) Math.exp(s[j] - m);
        return sum;
    }

    private static float expSub16(float[] s, int n, float m) {
        FloatVector acc = FloatVector.zero(S16);
        int j = 0;
        for (; j + 16 <= n; j += 16) {
            FloatVector p = FloatVector.fromArray(S16, s, j).sub(m).lanewise(VectorOperators.EXP);
            p.intoArray(s, j);
            acc = acc.add(p);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; j < n; j++) sum += s[j] = (float) Math.exp(s[j] - m);
        return sum;
    }

    private static float expSub8(float[] s, int n, float m) {
        FloatVector acc = FloatVector.zero(S8);
        int j = 0;
        for (; j + 8 <= n; j += 8) {
            FloatVector p = FloatVector.fromArray(S8, s, j).sub(m).lanewise(VectorOperators.EXP);
            p.intoArray(s, j);
            acc = acc.add(p);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; j < n; j++) sum += s[j] = (float) Math.exp(s[j] - m);
        return sum;
    }

    /**
     * scores[j] = (q . key_j) * scale + slope * (dist0 + j), keys transposed [dim][slot]: 64 keys
     * at a time with eight accumulators (dims split even/odd) so the FMA latency is hidden, then 16
     * at a time. Where the block has room, the last partial 16 is computed whole and its entries
     * past n set to -inf (they read stale columns), instead of a scalar dot product per key. Returns
     * how many entries of out it wrote.
     */
    private static int scoresT16(
            float[] q, int qo, float[] kt, int bs, int hd, int n, float scale, float slope, int dist0, float[] out) {
        int nv = (n + 15) & ~15;
        if (nv > bs) nv = n - n % 16;
        int j = 0;
        if (hd % 2 == 0) {
            for (; j + 64 <= nv; j += 64) scores64(q, qo, kt, bs, hd, j, scale, slope, dist0, out);
        }
        for (; j + 16 <= nv; j += 16) {
            FloatVector acc = FloatVector.zero(S16), acc1 = FloatVector.zero(S16);
            int i = 0;
            for (; i + 1 < hd; i += 2) {
                acc = FloatVector.fromArray(S16, kt, i * bs + j).fma(FloatVector.broadcast(S16, q[qo + i]), acc);
                acc1 = FloatVector.fromArray(S16, kt, (i + 1) * bs + j)
                        .fma(FloatVector.broadcast(S16, q[qo + i + 1]), acc1);
            }
            if (i < hd)
                acc = FloatVector.fromArray(S16, kt, i * bs + j).fma(FloatVector.broadcast(S16, q[qo + i]), acc);
            acc = acc.add(acc1);
            FloatVector dist = FloatVector.broadcast(S16, (float) (dist0 + j)).add(IOTA16);
            acc.mul(scale).add(dist.mul(slope)).intoArray(out, j);
        }
        for (; j < n; j++) out[j] = dotT(q, qo, kt, bs, hd, j) * scale + slope * (dist0 + j);
        for (j = n; j < nv; j++) out[j] = Float.NEGATIVE_INFINITY;
        return Math.max(n, nv);
    }

    /** Keys [j, j + 64) of a transposed block (hd even). */
    private static void scores64(
            float[] q, int qo, float[] kt, int bs, int hd, int j, float scale, float slope, int dist0, float[] out) {
        FloatVector z = FloatVector.zero(S16);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, b0 = z, b1 = z, b2 = z, b3 = z;
        for (int i = 0; i < hd; i += 2) {
            FloatVector qa = FloatVector.broadcast(S16, q[qo + i]), qb = FloatVector.broadcast(S16, q[qo + i + 1]);
            int o = i * bs + j, o2 = o + bs;
            a0 = FloatVector.fromArray(S16, kt, o).fma(qa, a0);
            a1 = FloatVector.fromArray(S16, kt, o + 16).fma(qa, a1);
            a2 = FloatVector.fromArray(S16, kt, o + 32).fma(qa, a2);
            a3 = FloatVector.fromArray(S16, kt, o + 48).fma(qa, a3);
            b0 = FloatVector.fromArray(S16, kt, o2).fma(qb, b0);
            b1 = FloatVector.fromArray(S16, kt, o2 + 16).fma(qb, b1);
            b2 = FloatVector.fromArray(S16, kt, o2 + 32).fma(qb, b2);
            b3 = FloatVector.fromArray(S16, kt, o2 + 48).fma(qb, b3);
        }
        FloatVector dist = FloatVector.broadcast(S16, (float) (dist0 + j)).add(IOTA16);
        a0.add(b0).mul(scale).add(dist.mul(slope)).intoArray(out, j);
        a1.add(b1).mul(scale).add(dist.add(16f).mul(slope)).intoArray(out, j + 16);
        a2.add(b2).mul(scale).add(dist.add(32f).mul(slope)).intoArray(out, j + 32);
        a3.add(b3).mul(scale).add(dist.add(48f).mul(slope)).intoArray(out, j + 48);
    }

    /**
     * Keys [j, j + 32) of a transposed block (hd even) at 8 lanes (AVX2): eight FMA chains instead
     * of scoresT8's two, each key summed in scoresT8's order (even dims, odd dims, then added).
     */
    private static void scores32(
            float[] q, int qo, float[] kt, int bs, int hd, int j, float scale, float slope, int dist0, float[] out) {
        FloatVector z = FloatVector.zero(S8);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, b0 = z, b1 = z, b2 = z, b3 = z;
        for (int i = 0; i < hd; i += 2) {
            FloatVector qa = FloatVector.broadcast(S8, q[qo + i]), qb = FloatVector.broadcast(S8, q[qo + i + 1]);
            int o = i * bs + j, o2 = o + bs;
            a0 = FloatVector.fromArray(S8, kt, o).fma(qa, a0);
            a1 = FloatVector.fromArray(S8, kt, o + 8).fma(qa, a1);
            a2 = FloatVector.fromArray(S8, kt, o + 16).fma(qa, a2);
            a3 = FloatVector.fromArray(S8, kt, o + 24).fma(qa, a3);
            b0 = FloatVector.fromArray(S8, kt, o2).fma(qb, b0);
            b1 = FloatVector.fromArray(S8, kt, o2 + 8).fma(qb, b1);
            b2 = FloatVector.fromArray(S8, kt, o2 + 16).fma(qb, b2);
            b3 = FloatVector.fromArray(S8, kt, o2 + 24).fma(qb, b3);
        }
        FloatVector dist = FloatVector.broadcast(S8, (float) (dist0 + j)).add(IOTA8);
        a0.add(b0).mul(scale).add(dist.mul(slope)).intoArray(out, j);
        a1.add(b1).mul(scale).add(dist.add(8f).mul(slope)).intoArray(out, j + 8);
        a2.add(b2).mul(scale).add(dist.add(16f).mul(slope)).intoArray(out, j + 16);
        a3.add(b3).mul(scale).add(dist.add(24f).mul(slope)).intoArray(out, j + 24);
    }

    private static void scoresT8(
            float[] q, int qo, float[] kt, int bs, int hd, int n, float scale, float slope, int dist0, float[] out) {
        int j = 0;
        if (hd % 2 == 0) {
            for (; j + 32 <= n; j += 32) scores32(q, qo, kt, bs, hd, j, scale, slope, dist0, out);
        }
        for (; j + 8 <= n; j += 8) {
            FloatVector acc = FloatVector.zero(S8), acc1 = FloatVector.zero(S8);
            int i = 0;
            for (; i + 1 < hd; i += 2) {
                acc = FloatVector.fromArray(S8, kt, i * bs + j).fma(FloatVector.broadcast(S8, q[qo + i]), acc);
                acc1 = FloatVector.fromArray(S8, kt, (i + 1) * bs + j)
                        .fma(FloatVector.broadcast(S8, q[qo + i + 1]), acc1);
            }
            if (i < hd) acc = FloatVector.fromArray(S8, kt, i * bs + j).fma(FloatVector.broadcast(S8, q[qo + i]), acc);
            acc = acc.add(acc1);
            FloatVector dist = FloatVector.broadcast(S8, (float) (dist0 + j)).add(IOTA8);
            acc.mul(scale).add(dist.mul(slope)).intoArray(out, j);
        }
        for (; j < n; j++) out[j] = dotT(q, qo, kt, bs, hd, j) * scale + slope * (dist0 + j);
    }

    private static float dotT(float[] q, int qo, float[] kt, int bs, int hd, int j) {
        float s = 0f;
        for (int i = 0; i < hd; i++) s += q[qo + i] * kt[i * bs + j];
        return s;
    }

    // Species must be compile-time constants for C2 to intrinsify the vector ops, hence one
    // method per width instead of a species parameter.
    private static final VectorSpecies<Float> S16 = FloatVector.SPECIES_512;
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final ValueLayout.OfFloat F32U = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;
    private static final FloatVector IOTA16 =
            FloatVector.fromArray(S16, new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 0);
    private static final FloatVector IOTA8 = FloatVector.fromArray(S8, new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 0);

    /** Lanes of the widest usable species for loops over keys (any head size): 16, 8 or 0. */
    static int wideLanes() {
        int max = FloatVector.SPECIES_PREFERRED.length();
        return max >= 16 ? 16 : max >= 8 ? 8 : 0;
    }

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

    /** scores[j] = (q . k_j) * kScale_j * scale + slope * (dist0 + j) over int8 key rows in the page, widened in the dot. */
    private static void scoresI8(
            float[] q,
            int qo,
            MemorySegment page,
            long at,
            long sc,
            int hd,
            int n,
            float scale,
            float slope,
            int dist0,
            float[] out) {
        for (int j = 0; j < n; j++) {
            FloatVector acc = FloatVector.zero(S16);
            long row = at + (long) j * hd;
            for (int i = 0; i < hd; i += 16) {
                FloatVector k = (FloatVector) ByteVector.fromMemorySegment(B16, page, row + i, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, S16, 0);
                acc = k.fma(FloatVector.fromArray(S16, q, qo + i), acc);
            }
            out[j] = acc.reduceLanes(VectorOperators.ADD) * page.get(F32U, sc + 4L * j) * scale + slope * (dist0 + j);
        }
    }

    /** acc += sum_j (p_j * vScale_j) * v_j over int8 value rows in the page; two keys per step. */
    private static void pvI8(float[] p, MemorySegment page, long at, long sc, int n, float[] acc, int ao, int hd) {
        for (int i0 = 0; i0 < hd; i0 += 16) {
            FloatVector a0 = FloatVector.fromArray(S16, acc, ao + i0), a1 = FloatVector.zero(S16);
            int j = 0;
            for (; j + 1 < n; j += 2) {
                float w0 = p[j] * page.get(F32U, sc + 4L * j), w1 = p[j + 1] * page.get(F32U, sc + 4L * (j + 1));
                FloatVector v0 = (FloatVector)
                        ByteVector.fromMemorySegment(B16, page, at + (long) j * hd + i0, ByteOrder.LITTLE_ENDIAN)
                                .convertShape(VectorOperators.B2F, S16, 0);
                FloatVector v1 = (FloatVector)
                        ByteVector.fromMemorySegment(B16, page, at + (long) (j + 1) * hd + i0, ByteOrder.LITTLE_ENDIAN)
                                .convertShape(VectorOperators.B2F, S16, 0);
                a0 = v0.fma(FloatVector.broadcast(S16, w0), a0);
                a1 = v1.fma(FloatVector.broadcast(S16, w1), a1);
            }
            if (j < n) {
                float w = p[j] * page.get(F32U, sc + 4L * j);
                FloatVector v = (FloatVector)
                        ByteVector.fromMemorySegment(B16, page, at + (long) j * hd + i0, ByteOrder.LITTLE_ENDIAN)
                                .convertShape(VectorOperators.B2F, S16, 0);
                a0 = v.fma(FloatVector.broadcast(S16, w), a0);
            }
            a0.add(a1).intoArray(acc, ao + i0);
        }
    }

    private static float dot16(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(S16);
        for (int i = 0; i < n; i += 16)
            acc = FloatVector.fromArray(S16, a, ao + i).fma(FloatVector.fromArray(S16, b, bo + i), acc);
        return acc.reduceLanes(VectorOperators.ADD);
    }

    private static float dot8(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(S8);
        for (int i = 0; i < n; i += 8)
            acc = FloatVector.fromArray(S8, a, ao + i).fma(FloatVector.fromArray(S8, b, bo + i), acc);
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
