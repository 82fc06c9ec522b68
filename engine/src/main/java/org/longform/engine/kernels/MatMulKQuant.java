package org.longform.engine.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.longform.engine.quant.KQuantMatrix;
import org.longform.engine.quant.WeightType;

/**
 * GGML's k-quants (Q4_K, Q5_K, Q6_K) computed with as the file stores them, with the Vector API;
 * {@link MatMulKQuantScalar} is the twin it equals bit for bit (same lanes, same order).
 * <ul>
 * <li>One token: L codes at a time are unpacked with byte shifts and masks (nibbles, Q5_K's fifth
 *     bit, Q6_K's 2-bit pairs) and widened to floats, and FMA'd against x into a per-sub-block sum;
 *     that sum goes into the row's accumulator times d·sc. Q4_K / Q5_K's mins are one scalar sum
 *     over the sub-blocks' x sums (shared by every row, made once per product), as ggml does with
 *     its q8_K bsums. The lanes are summed in a fixed order (not reduceLanes, whose order is
 *     unspecified), so the twin can follow it.</li>
 * <li>Several tokens: {@link #widen} decodes a panel's rows to float (the values of ggml's
 *     dequantize) and the f32 GEMM of {@link MatMulVector} does the rest. ggml instead rounds the
 *     activations to int8 (q8_K) and multiplies integers; that is not done here, as it would change
 *     the results (x rounded to 8 bits), and the default path is exact.</li>
 * </ul>
 * Needs at least 8 float lanes (a 64-bit byte vector widens to them); below that the twin runs.
 */
public final class MatMulKQuant {
    private MatMulKQuant() {}

    static final VectorSpecies<Float> F = MatMulVector.F;
    static final int L = MatMulVector.L;
    static final VectorSpecies<Byte> B = MatMulVector.B;
    /** L divides 16 (a Q6_K sub-block) and a byte vector of L lanes exists. */
    static final boolean VEC = L >= 8 && 16 % L == 0;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Whether a product over m needs the per-sub-block sums of x ({@link MatMulKQuantScalar#subSums}). */
    static boolean needsSums(KQuantMatrix m) {
        return m.type() != WeightType.Q6_K;
    }

    /** Rows [a, b) of m times x into out; xs: x's sub-block sums (Q4_K, Q5_K); buf: L floats of scratch. */
    static void gemv(KQuantMatrix m, float[] x, float[] xs, float[] out, int a, int b, Epilogue ep, float[] buf) {
        for (int n = a; n < b; n++) {
            float v;
            if (!VEC) v = MatMulKQuantScalar.dot(m, n, x, xs, L);
            else {
                v = switch (m.type()) {
                    case Q4_K -> q4k(m.data(), m.rowOffset(n), m.cols() / 256, x, xs, buf);
                    case Q5_K -> q5k(m.data(), m.rowOffset(n), m.cols() / 256, x, xs, buf);
                    default -> q6k(m.data(), m.rowOffset(n), m.cols() / 256, x, buf);
                };
            }
            MatMulVector.put(out, n, v, ep);
        }
    }

    private static float lanes(FloatVector acc, float[] buf) {
        acc.intoArray(buf, 0);
        float s = 0;
        for (int i = 0; i < L; i++) s += buf[i];
        return s;
    }

    static final VectorSpecies<Integer> I = MatMulVector.I;

    /** L bytes at {@code at}, sign-extended to int lanes (x86 has no byte shifts: the codes are unpacked as ints). */
    private static IntVector bytes(MemorySegment w, long at) {
        return (IntVector) ByteVector.fromMemorySegment(B, w, at, LE).convertShape(VectorOperators.B2I, I, 0);
    }

    private static FloatVector i2f(IntVector v) {
        return (FloatVector) v.convertShape(VectorOperators.I2F, F, 0);
    }

    private static FloatVector f(ByteVector v) {
        return (FloatVector) v.convertShape(VectorOperators.B2F, F, 0);
    }

    /**
     * Q4_K / Q5_K scale (low byte) and min (second byte) of sub-block j from the 12 scale bytes read
     * as three little-endian ints (a: bytes 0-3, b: 4-7, c: 8-11): the bits {@link KQuantMatrix#scaleMin}
     * reads byte by byte, without a load each.
     */
    static int scaleMin(int a, int b, int c, int j) {
        if (j < 4) return (a >>> 8 * j & 63) | (b >>> 8 * j & 63) << 8;
        int i = 8 * (j - 4);
        return ((c >>> i & 0xF) | (a >>> i + 6 & 3) << 4) | ((c >>> i + 4 & 0xF) | (b >>> i + 6 & 3) << 4) << 8;
    }

    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED;

    private static float q4k(MemorySegment w, long row, int nb, float[] x, float[] xs, float[] buf) {
        // the row as its own slice: offsets into it are small ints, so C2 hoists the bounds checks
        MemorySegment r = w.asSlice(row, nb * 144L);
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        float mn0 = 0, mn1 = 0;
        for (int blk = 0; blk < nb; blk++) {
            int bo = blk * 144, qs = bo + 16;
            float d = f16(r, bo), dmin = f16(r, bo + 2);
            int sa = r.get(INT_LE, bo + 4), sb = r.get(INT_LE, bo + 8), scc = r.get(INT_LE, bo + 12);
            for (int j = 0; j < 4; j++) {
                int k = blk * 256 + 64 * j;
                FloatVector p0 = FloatVector.zero(F), p1 = p0;
                for (int c = 0; c < 32; c += L) {
                    IntVector v = bytes(r, qs + 32 * j + c);
                    p0 = i2f(v.and(15)).fma(FloatVector.fromArray(F, x, k + c), p0);
                    p1 = i2f(v.and(0xF0)).fma(FloatVector.fromArray(F, x, k + 32 + c), p1); // 16 x the high nibble
                }
                int sm0 = scaleMin(sa, sb, scc, 2 * j), sm1 = scaleMin(sa, sb, scc, 2 * j + 1);
                acc0 = p0.fma(FloatVector.broadcast(F, d * (sm0 & 0xFF)), acc0);
                acc1 = p1.fma(FloatVector.broadcast(F, d * (sm1 & 0xFF) * 0.0625f), acc1);
                mn0 = Math.fma(dmin * (sm0 >> 8), xs[k / 32], mn0);
                mn1 = Math.fma(dmin * (sm1 >> 8), xs[k / 32 + 1], mn1);
            }
        }
        return lanes(acc0.add(acc1), buf) - (mn0 + mn1);
    }

    private static float q5k(MemorySegment w, long row, int nb, float[] x, float[] xs, float[] buf) {
        MemorySegment r = w.asSlice(row, nb * 176L);
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        float mn0 = 0, mn1 = 0;
        for (int blk = 0; blk < nb; blk++) {
            int bo = blk * 176, qh = bo + 16, qs = bo + 48;
            float d = f16(r, bo), dmin = f16(r, bo + 2);
            int sa = r.get(INT_LE, bo + 4), sb = r.get(INT_LE, bo + 8), scc = r.get(INT_LE, bo + 12);
            for (int j = 0; j < 4; j++) {
                int k = blk * 256 + 64 * j;
                FloatVector p0 = FloatVector.zero(F), p1 = p0;
                for (int c = 0; c < 32; c += L) {
                    IntVector v = bytes(r, qs + 32 * j + c), h = bytes(r, qh + c);
                    // the fifth bits: bit 2j of qh for the low nibbles, 2j + 1 for the high ones
                    IntVector lo = v.and(15)
                            .or(h.lanewise(VectorOperators.LSHR, 2 * j).and(1).lanewise(VectorOperators.LSHL, 4));
                    IntVector hi = v.lanewise(VectorOperators.LSHR, 4)
                            .and(15)
                            .or(h.lanewise(VectorOperators.LSHR, 2 * j + 1)
                                    .and(1)
                                    .lanewise(VectorOperators.LSHL, 4));
                    p0 = i2f(lo).fma(FloatVector.fromArray(F, x, k + c), p0);
                    p1 = i2f(hi).fma(FloatVector.fromArray(F, x, k + 32 + c), p1);
                }
                int sm0 = scaleMin(sa, sb, scc, 2 * j), sm1 = scaleMin(sa, sb, scc, 2 * j + 1);
                acc0 = p0.fma(FloatVector.broadcast(F, d * (sm0 & 0xFF)), acc0);
                acc1 = p1.fma(FloatVector.broadcast(F, d * (sm1 & 0xFF)), acc1);
                mn0 = Math.fma(dmin * (sm0 >> 8), xs[k / 32], mn0);
                mn1 = Math.fma(dmin * (sm1 >> 8), xs[k / 32 + 1], mn1);
            }
        }
        return lanes(acc0.add(acc1), buf) - (mn0 + mn1);
    }

    private static float q6k(MemorySegment seg, long row, int nb, float[] x, float[] buf) {
        MemorySegment w = seg.asSlice(row, nb * 210L);
        FloatVector acc = FloatVector.zero(F);
        for (int blk = 0; blk < nb; blk++) {
            int bo = blk * 210;
            float d = f16(w, bo + 208);
            for (int n = 0; n < 2; n++) {
                int ql = bo + 64 * n, qh = bo + 128 + 32 * n, sc = bo + 192 + 8 * n;
                int k = blk * 256 + 128 * n;
                for (int is = 0; is < 2; is++) {
                    FloatVector p0 = FloatVector.zero(F), p1 = p0, p2 = p0, p3 = p0;
                    for (int c = 16 * is; c < 16 * is + 16; c += L) {
                        // byte lanes here: unpacking three int vectors made C2 give up on this method
                        // (boxed vectors, 4x slower)
                        ByteVector a = ByteVector.fromMemorySegment(B, w, ql + c, LE);
                        ByteVector bq = ByteVector.fromMemorySegment(B, w, ql + 32 + c, LE);
                        ByteVector h = ByteVector.fromMemorySegment(B, w, qh + c, LE);
                        ByteVector q0 = a.and((byte) 15)
                                .or(h.and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                                .sub((byte) 32);
                        ByteVector q1 = bq.and((byte) 15)
                                .or(h.and((byte) 12).lanewise(VectorOperators.LSHL, 2))
                                .sub((byte) 32);
                        ByteVector q2 = a.lanewise(VectorOperators.LSHR, 4)
                                .or(h.and((byte) 48))
                                .sub((byte) 32);
                        ByteVector q3 = bq.lanewise(VectorOperators.LSHR, 4)
                                .or(h.lanewise(VectorOperators.LSHR, 2).and((byte) 48))
                                .sub((byte) 32);
                        p0 = f(q0).fma(FloatVector.fromArray(F, x, k + c), p0);
                        p1 = f(q1).fma(FloatVector.fromArray(F, x, k + 32 + c), p1);
                        p2 = f(q2).fma(FloatVector.fromArray(F, x, k + 64 + c), p2);
                        p3 = f(q3).fma(FloatVector.fromArray(F, x, k + 96 + c), p3);
                    }
                    acc = p0.fma(FloatVector.broadcast(F, d * w.get(ValueLayout.JAVA_BYTE, sc + is)), acc);
                    acc = p1.fma(FloatVector.broadcast(F, d * w.get(ValueLayout.JAVA_BYTE, sc + is + 2)), acc);
                    acc = p2.fma(FloatVector.broadcast(F, d * w.get(ValueLayout.JAVA_BYTE, sc + is + 4)), acc);
                    acc = p3.fma(FloatVector.broadcast(F, d * w.get(ValueLayout.JAVA_BYTE, sc + is + 6)), acc);
                }
            }
        }
        return lanes(acc, buf);
    }

    private static float f16(MemorySegment w, long at) {
        return Float.float16ToFloat(w.get(ValueLayout.JAVA_SHORT_UNALIGNED, at));
    }

    /** Row n, columns [k0, k0 + kc) (multiples of 32), decoded into dst[0, kc): {@link MatMulKQuantScalar#widen}'s. */
    static void widen(KQuantMatrix m, int n, int k0, int kc, float[] dst) {
        widen(m, n, k0, kc, dst, 0);
    }

    /** As above, into dst[off, off + kc). */
    static void widen(KQuantMatrix m, int n, int k0, int kc, float[] dst, int off) {
        if (!VEC) {
            MatMulKQuantScalar.widen(m, n, k0, kc, dst, off);
            return;
        }
        MemorySegment w = m.data();
        int bb = m.type().blockBytes;
        boolean six = m.type() == WeightType.Q6_K, five = m.type() == WeightType.Q5_K;
        for (int k = k0; k < k0 + kc; ) {
            long bo = m.rowOffset(n) + (long) (k / 256) * bb;
            int g = k % 256 / 32;
            if (six) {
                widen6(w, bo, g, dst, off + k - k0);
                k += 32;
            } else if (g % 2 == 0 && k + 64 <= k0 + kc) {
                widen45Pair(w, bo, g, five, dst, off + k - k0);
                k += 64;
            } else {
                widen45(w, bo, g, five, dst, off + k - k0);
                k += 32;
            }
        }
    }

    /** Bytes to floats through ints (the same values as {@link #f}): B2F took twice as long under AVX2. */
    private static FloatVector fi(ByteVector v) {
        return ((IntVector) v.convertShape(VectorOperators.B2I, I, 0))
                .convert(VectorOperators.I2F, 0)
                .reinterpretAsFloats();
    }

    /** L bytes sign-extended to ints (the bit fiddling below is on ints: AVX2 has no byte shifts). */
    private static IntVector ints(MemorySegment w, long at) {
        return (IntVector) ByteVector.fromMemorySegment(B, w, at, LE).convertShape(VectorOperators.B2I, I, 0);
    }

    private static FloatVector fl(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    /** Sub-blocks g and g + 1 (g even) of a Q4_K / Q5_K block: one load of the nibbles they share. */
    private static void widen45Pair(MemorySegment w, long bo, int g, boolean five, float[] dst, int o) {
        int sm0 = KQuantMatrix.scaleMin(w, bo, g), sm1 = KQuantMatrix.scaleMin(w, bo, g + 1);
        float d = f16(w, bo), dm = f16(w, bo + 2);
        float d0 = d * (sm0 & 0xFF), m0 = dm * (sm0 >> 8), d1 = d * (sm1 & 0xFF), m1 = dm * (sm1 >> 8);
        long qs = bo + (five ? 48 : 16) + 32L * (g / 2);
        for (int l = 0; l < 32; l += L) {
            IntVector v = ints(w, qs + l);
            IntVector lo = v.and(15), hi = v.lanewise(VectorOperators.ASHR, 4).and(15);
            if (five) {
                IntVector h = ints(w, bo + 16 + l);
                lo = lo.or(h.lanewise(VectorOperators.ASHR, g).and(1).lanewise(VectorOperators.LSHL, 4));
                hi = hi.or(h.lanewise(VectorOperators.ASHR, g + 1).and(1).lanewise(VectorOperators.LSHL, 4));
            }
            fl(lo).mul(d0).sub(m0).intoArray(dst, o + l);
            fl(hi).mul(d1).sub(m1).intoArray(dst, o + 32 + l);
        }
    }

    private static void widen45(MemorySegment w, long bo, int g, boolean five, float[] dst, int o) {
        int sm = KQuantMatrix.scaleMin(w, bo, g);
        float d1 = f16(w, bo) * (sm & 0xFF), m1 = f16(w, bo + 2) * (sm >> 8);
        long qs = bo + (five ? 48 : 16) + 32L * (g / 2);
        for (int l = 0; l < 32; l += L) {
            ByteVector v = ByteVector.fromMemorySegment(B, w, qs + l, LE);
            ByteVector q = g % 2 == 0 ? v.and((byte) 15) : v.lanewise(VectorOperators.LSHR, 4);
            if (five) {
                ByteVector h = ByteVector.fromMemorySegment(B, w, bo + 16 + l, LE);
                q = q.or(h.lanewise(VectorOperators.LSHR, g).and((byte) 1).lanewise(VectorOperators.LSHL, 4));
            }
            fi(q).mul(d1).sub(m1).intoArray(dst, o + l);
        }
    }

    private static void widen6(MemorySegment w, long bo, int g, float[] dst, int o) {
        int n = g / 4, qq = g % 4;
        long ql = bo + 64 * n + (qq % 2 == 1 ? 32 : 0), qh = bo + 128 + 32 * n, sc = bo + 192 + 8 * n + 2 * qq;
        float d = f16(w, bo + 208);
        for (int l = 0; l < 32; l += L) {
            ByteVector a = ByteVector.fromMemorySegment(B, w, ql + l, LE);
            ByteVector h = ByteVector.fromMemorySegment(B, w, qh + l, LE);
            ByteVector q = (qq < 2 ? a.and((byte) 15) : a.lanewise(VectorOperators.LSHR, 4))
                    .or(h.lanewise(VectorOperators.LSHR, 2 * qq).and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                    .sub((byte) 32);
            float ds = d * w.get(ValueLayout.JAVA_BYTE, sc + l / 16);
            fi(q).mul(ds).intoArray(dst, o + l);
        }
    }
}
