package org.longform.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The arithmetic of the attention kernels, replayed in Java without a GPU: attn_decode.cu's
 * partitions (tiles of 128 keys, online softmax, partial (max, sum, acc)) merged as attn_reduce
 * does, and attn_prefill.cu's per-row online softmax over 64-key tiles with O rescaled in place,
 * both against a direct softmax in double. Catches wrong merge formulas, off-by-one causal bounds
 * and partition arithmetic; the CUDA code itself is covered by the GPU tests.
 */
class AttentionMathTest {
    static final int TILE = Launch.ATT_TILE;

    /** Direct ALiBi attention of one query at slot qs over keys [0, qs]. */
    static double[] direct(float[] q, float[][] k, float[][] v, int qs, float slope, float scale) {
        int hd = q.length;
        double m = Double.NEGATIVE_INFINITY;
        double[] s = new double[qs + 1];
        for (int j = 0; j <= qs; j++) {
            double dot = 0;
            for (int e = 0; e < hd; e++) dot += q[e] * k[j][e];
            s[j] = dot * scale + slope * (j - qs);
            m = Math.max(m, s[j]);
        }
        double sum = 0;
        double[] o = new double[hd];
        for (int j = 0; j <= qs; j++) {
            double p = Math.exp(s[j] - m);
            sum += p;
            for (int e = 0; e < hd; e++) o[e] += p * v[j][e];
        }
        for (int e = 0; e < hd; e++) o[e] /= sum;
        return o;
    }

    /** Twin of attn_partial for one (query, partition): returns {m, l, acc...}. */
    static float[] partial(float[] q, float[][] k, float[][] v, int qs, int p, int partLen, float slope, float scale) {
        int hd = q.length;
        float[] out = new float[hd + 2];
        int k0 = p * partLen, k1 = Math.min(k0 + partLen, qs + 1);
        if (k0 >= k1) {
            out[0] = Float.NEGATIVE_INFINITY;
            return out;
        }
        float m = Float.NEGATIVE_INFINITY, l = 0;
        float[] acc = new float[hd];
        float[] ps = new float[TILE];
        for (int base = k0; base < k1; base += TILE) {
            int n = Math.min(TILE, k1 - base);
            float tmax = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < TILE; j++) {
                if (j < n) {
                    float dot = 0;
                    for (int e = 0; e < hd; e++) dot += q[e] * k[base + j][e];
                    ps[j] = dot * scale + slope * (base + j - qs);
                } else {
                    ps[j] = Float.NEGATIVE_INFINITY;
                }
                tmax = Math.max(tmax, ps[j]);
            }
            float mNew = Math.max(m, tmax);
            float corr = (float) Math.exp(m - mNew);
            float sum = 0;
            for (int j = 0; j < TILE; j++) {
                ps[j] = j < n ? (float) Math.exp(ps[j] - mNew) : 0f;
                sum += ps[j];
            }
            l = l * corr + sum;
            m = mNew;
            for (int e = 0; e < hd; e++) acc[e] *= corr;
            for (int j = 0; j < n; j++) for (int e = 0; e < hd; e++) acc[e] += ps[j] * v[base + j][e];
        }
        out[0] = m;
        out[1] = l;
        System.arraycopy(acc, 0, out, 2, hd);
        return out;
    }

    /** Twin of attn_reduce. */
    static float[] reduce(float[][] parts, int hd) {
        float M = Float.NEGATIVE_INFINITY, L = 0;
        for (float[] p : parts) M = Math.max(M, p[0]);
        for (float[] p : parts) L += p[1] * (float) Math.exp(p[0] - M);
        float[] o = new float[hd];
        for (int e = 0; e < hd; e++) {
            float a = 0;
            for (float[] p : parts) a += p[2 + e] * (float) Math.exp(p[0] - M);
            o[e] = a * (1f / L);
        }
        return o;
    }

    /** Twin of attn_prefill_bf16's loop for one head (without the bf16 rounding): rows [q0, q0 + 64) of a chunk at past. */
    static float[][] flash(float[][] q, float[][] k, float[][] v, int past, int T, int q0, float slope, float scale) {
        int hd = k[0].length, BK = Launch.FA_BK, BQ = Launch.FA_BQ;
        float[][] O = new float[BQ][hd];
        float[] rowM = new float[BQ], rowL = new float[BQ];
        Arrays.fill(rowM, Float.NEGATIVE_INFINITY);
        int kEnd = past + Math.min(q0 + BQ, T);
        for (int kb = 0; kb < kEnd; kb += BK) {
            for (int r = 0; r < BQ; r++) {
                int t = Math.min(q0 + r, T - 1), qs = past + t;
                float[] s = new float[BK];
                float mx = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < BK; j++) {
                    int key = kb + j;
                    if (key <= qs) {
                        float dot = 0;
                        for (int e = 0; e < hd; e++) dot += q[t][e] * k[key][e];
                        s[j] = dot * scale + slope * (key - qs);
                    } else {
                        s[j] = Float.NEGATIVE_INFINITY;
                    }
                    mx = Math.max(mx, s[j]);
                }
                float mNew = Math.max(rowM[r], mx), sum = 0;
                float corr = (float) Math.exp(rowM[r] - mNew);
                for (int e = 0; e < hd; e++) O[r][e] *= corr;
                for (int j = 0; j < BK; j++) {
                    float p = (float) Math.exp(s[j] - mNew);
                    sum += p;
                    if (p != 0) for (int e = 0; e < hd; e++) O[r][e] += p * v[kb + j][e];
                }
                rowM[r] = mNew;
                rowL[r] = rowL[r] * corr + sum;
            }
        }
        for (int r = 0; r < BQ; r++) for (int e = 0; e < hd; e++) O[r][e] /= rowL[r];
        return O;
    }

    static float[][] rand(SplittableRandom r, int n, int hd, double sd) {
        float[][] a = new float[n][hd];
        for (float[] row : a) for (int e = 0; e < hd; e++) row[e] = (float) (r.nextGaussian() * sd);
        return a;
    }

    @Test
    void splitPartitionsMergeToTheDirectSoftmax() {
        SplittableRandom r = new SplittableRandom(3);
        int hd = 16;
        float scale = 0.25f;
        for (int ctx : new int[] {1, 5, 128, 129, 300, 1000}) {
            float[][] k = rand(r, ctx, hd, 1.5), v = rand(r, ctx, hd, 1);
            for (int T : new int[] {1, 7, Math.min(ctx, 64)}) {
                if (T > ctx) continue;
                int past = ctx - T;
                // small scratch forces long partitions, large scratch many short ones
                for (long scratch : new long[] {(long) T * (hd + 2), (long) T * (hd + 2) * 1000}) {
                    Launch.AttnSplit sp = Launch.attnSplit(ctx, T, 1, hd, scratch);
                    for (int t = 0; t < T; t++) {
                        float[] q = rand(r, 1, hd, 1)[0];
                        float slope = 0.0625f;
                        int qs = past + t;
                        float[][] parts = new float[sp.parts()][];
                        for (int p = 0; p < sp.parts(); p++)
                            parts[p] = partial(q, k, v, qs, p, sp.partLen(), slope, scale);
                        float[] got = reduce(parts, hd);
                        double[] want = direct(q, k, v, qs, slope, scale);
                        for (int e = 0; e < hd; e++)
                            assertEquals(want[e], got[e], 1e-4, "ctx " + ctx + " T " + T + " t " + t + " " + sp);
                    }
                }
            }
        }
    }

    @Test
    void flashTilesMatchTheDirectSoftmax() {
        SplittableRandom r = new SplittableRandom(5);
        int hd = 16;
        float scale = 0.25f, slope = 0.5f;
        for (int[] pt : new int[][] {{0, 16}, {0, 100}, {37, 64}, {200, 130}, {63, 1}}) {
            int past = pt[0], T = pt[1], ctx = past + T;
            float[][] k = rand(r, ctx, hd, 1.5), v = rand(r, ctx, hd, 1), q = rand(r, T, hd, 1);
            for (int q0 = 0; q0 < T; q0 += Launch.FA_BQ) {
                float[][] O = flash(q, k, v, past, T, q0, slope, scale);
                for (int row = 0; row < Launch.FA_BQ && q0 + row < T; row++) {
                    double[] want = direct(q[q0 + row], k, v, past + q0 + row, slope, scale);
                    for (int e = 0; e < hd; e++)
                        assertEquals(want[e], O[row][e], 1e-4, "past " + past + " T " + T + " row " + (q0 + row));
                }
            }
        }
    }
}
