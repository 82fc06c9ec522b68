package org.longform.engine.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.longform.engine.quant.KQuantMatrix;
import org.longform.engine.quant.WeightType;

/**
 * The scalar twin of {@link MatMulKQuant}: the same k-quant arithmetic one value at a time, in the
 * same order, so the vector kernel must equal it bit for bit.
 * <p>
 * One token ({@link #dot}): per sub-block (32 weights; 16 for Q6_K) the integer codes times x are
 * summed in {@code lanes} running float sums (FMA; lane i takes elements i, i + lanes, ...), each
 * lane is then added into its accumulator times the sub-block's scale d·sc (FMA; exact product:
 * f16 times a 6- or 8-bit integer); Q4_K / Q5_K keep two accumulators (even and odd sub-blocks),
 * added lane by lane at the end; Q6_K four, sub-block s into accumulator s % 4 (so no one chain
 * holds all the scale FMAs), added lane by lane as (a0 + a1) + (a2 + a3). The lanes are summed
 * in order 0..lanes-1. For Q4_K / Q5_K the mins come off as eight sums, one per sub-block
 * position i in a block (a vector of 8 lanes in the kernel), added in order 0..7: Σ over blocks
 * of (dmin·m)·xs[s] (FMA, s = 8·block + i), xs[s] being the sum of x over sub-block s
 * ({@link #subSums}). That is ggml's structure (d·Σ sc·(q·x) − dmin·Σ m·bsum) with float
 * activations instead of int8 ones: x is never rounded.
 * <p>
 * Several tokens widen rows with {@link #widen}, the values ggml's {@code dequantize_row_*} give.
 */
public final class MatMulKQuantScalar {
    private MatMulKQuantScalar() {}

    private static byte b(MemorySegment d, long at) {
        return d.get(ValueLayout.JAVA_BYTE, at);
    }

    private static int u8(MemorySegment d, long at) {
        return d.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    /** Sums of x over its 32-wide sub-blocks, in order: xs[s] = x[32s] + ... + x[32s + 31]. */
    public static void subSums(float[] x, int K, float[] xs) {
        for (int s = 0; s < K / 32; s++) {
            float v = 0;
            for (int j = 0; j < 32; j++) v += x[32 * s + j];
            xs[s] = v;
        }
    }

    /** Row r of m times x as {@link MatMulKQuant} computes it with {@code lanes} float lanes; xs: {@link #subSums}. */
    public static float dot(KQuantMatrix m, int r, float[] x, float[] xs, int lanes) {
        return switch (m.type()) {
            case Q4_K, Q5_K -> dot45(m, r, x, xs, lanes, m.type() == WeightType.Q5_K);
            case Q6_K -> dot6(m, r, x, lanes);
            default -> throw new IllegalArgumentException(m.type().toString());
        };
    }

    private static float dot45(KQuantMatrix m, int r, float[] x, float[] xs, int L, boolean five) {
        MemorySegment w = m.data();
        int nb = m.cols() / KQuantMatrix.BLOCK, bb = m.type().blockBytes;
        float[] acc0 = new float[L], acc1 = new float[L], p0 = new float[L], p1 = new float[L];
        float[] mn = new float[8]; // the mins, one sum per sub-block position in a block
        for (int blk = 0; blk < nb; blk++) {
            long bo = m.rowOffset(r) + (long) blk * bb, qs = bo + (five ? 48 : 16), qh = bo + 16;
            float d = m.f16(bo), dmin = m.f16(bo + 2);
            for (int j = 0; j < 4; j++) {
                int k = blk * 256 + 64 * j;
                java.util.Arrays.fill(p0, 0f);
                java.util.Arrays.fill(p1, 0f);
                for (int c = 0; c < 32; c += L) {
                    for (int i = 0; i < L; i++) {
                        int v = u8(w, qs + 32 * j + c + i);
                        // Q4_K: the high nibble as 16 x its code (a mask, no shift), the 16 taken off its scale
                        int lo = v & 15, hi = five ? v >> 4 : v & 0xF0;
                        if (five) {
                            int h = u8(w, qh + c + i);
                            lo |= (h >> (2 * j) & 1) << 4;
                            hi |= (h >> (2 * j + 1) & 1) << 4;
                        }
                        p0[i] = Math.fma(lo, x[k + c + i], p0[i]);
                        p1[i] = Math.fma(hi, x[k + 32 + c + i], p1[i]);
                    }
                }
                int sm0 = KQuantMatrix.scaleMin(w, bo, 2 * j), sm1 = KQuantMatrix.scaleMin(w, bo, 2 * j + 1);
                float d0 = d * (sm0 & 0xFF), d1 = five ? d * (sm1 & 0xFF) : d * (sm1 & 0xFF) * 0.0625f;
                for (int i = 0; i < L; i++) acc0[i] = Math.fma(p0[i], d0, acc0[i]);
                for (int i = 0; i < L; i++) acc1[i] = Math.fma(p1[i], d1, acc1[i]);
                mn[2 * j] = Math.fma(dmin * (sm0 >> 8), xs[k / 32], mn[2 * j]);
                mn[2 * j + 1] = Math.fma(dmin * (sm1 >> 8), xs[k / 32 + 1], mn[2 * j + 1]);
            }
        }
        float s = 0, ms = 0;
        for (int i = 0; i < L; i++) s += acc0[i] + acc1[i];
        for (int i = 0; i < 8; i++) ms += mn[i];
        return s - ms;
    }

    private static float dot6(KQuantMatrix m, int r, float[] x, int L) {
        MemorySegment w = m.data();
        int nb = m.cols() / KQuantMatrix.BLOCK;
        float[][] acc = new float[4][L], p = new float[4][L];
        for (int blk = 0; blk < nb; blk++) {
            long bo = m.rowOffset(r) + (long) blk * 210;
            float d = m.f16(bo + 208);
            for (int n = 0; n < 2; n++) {
                long ql = bo + 64 * n, qh = bo + 128 + 32 * n, sc = bo + 192 + 8 * n;
                int k = blk * 256 + 128 * n;
                for (int is = 0; is < 2; is++) {
                    for (float[] pq : p) java.util.Arrays.fill(pq, 0f);
                    for (int c = 16 * is; c < 16 * is + 16; c += L) {
                        for (int i = 0; i < L; i++) {
                            int l = c + i, a = u8(w, ql + l), bq = u8(w, ql + 32 + l), h = u8(w, qh + l);
                            p[0][i] = Math.fma(((a & 15) | (h & 3) << 4) - 32, x[k + l], p[0][i]);
                            p[1][i] = Math.fma(((bq & 15) | (h >> 2 & 3) << 4) - 32, x[k + 32 + l], p[1][i]);
                            p[2][i] = Math.fma(((a >> 4) | (h >> 4 & 3) << 4) - 32, x[k + 64 + l], p[2][i]);
                            p[3][i] = Math.fma(((bq >> 4) | (h >> 6 & 3) << 4) - 32, x[k + 96 + l], p[3][i]);
                        }
                    }
                    for (int g = 0; g < 4; g++) {
                        float ds = d * b(w, sc + is + 2 * g);
                        float[] a = acc[(2 * g + is) % 4]; // sub-block s = 16·blk + 8n + 2g + is: acc[s % 4]
                        for (int i = 0; i < L; i++) a[i] = Math.fma(p[g][i], ds, a[i]);
                    }
                }
            }
        }
        float s = 0;
        for (int i = 0; i < L; i++) s += (acc[0][i] + acc[1][i]) + (acc[2][i] + acc[3][i]);
        return s;
    }

    /**
     * Row r, columns [k0, k0 + kc) (multiples of 32), decoded into dst[off, off + kc) as ggml's
     * {@code dequantize_row_q4_K / q5_K / q6_K}: Q4_K/Q5_K (d·sc)·q − dmin·m, Q6_K (d·sc)·(q − 32).
     */
    public static void widen(KQuantMatrix m, int r, int k0, int kc, float[] dst, int off) {
        MemorySegment w = m.data();
        int bb = m.type().blockBytes;
        for (int k = k0; k < k0 + kc; k += 32) {
            long bo = m.rowOffset(r) + (long) (k / 256) * bb;
            int g = k % 256 / 32, o = off + k - k0;
            switch (m.type()) {
                case Q4_K, Q5_K -> {
                    boolean five = m.type() == WeightType.Q5_K;
                    int sm = KQuantMatrix.scaleMin(w, bo, g);
                    float d1 = m.f16(bo) * (sm & 0xFF), m1 = m.f16(bo + 2) * (sm >> 8);
                    long qs = bo + (five ? 48 : 16) + 32L * (g / 2);
                    for (int l = 0; l < 32; l++) {
                        int v = u8(w, qs + l);
                        int q = g % 2 == 0 ? v & 15 : v >> 4;
                        if (five) q |= (u8(w, bo + 16 + l) >> g & 1) << 4;
                        dst[o + l] = d1 * q - m1;
                    }
                }
                case Q6_K -> {
                    int n = g / 4, qq = g % 4;
                    long ql = bo + 64 * n + (qq % 2 == 1 ? 32 : 0), qh = bo + 128 + 32 * n;
                    long sc = bo + 192 + 8 * n + 2 * qq;
                    float d = m.f16(bo + 208);
                    for (int l = 0; l < 32; l++) {
                        int a = u8(w, ql + l);
                        int q = ((qq < 2 ? a & 15 : a >> 4) | (u8(w, qh + l) >> (2 * qq) & 3) << 4) - 32;
                        dst[o + l] = d * b(w, sc + l / 16) * q;
                    }
                }
                default -> throw new IllegalArgumentException(m.type().toString());
            }
        }
    }
}
