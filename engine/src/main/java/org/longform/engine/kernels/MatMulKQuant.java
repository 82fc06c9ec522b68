package org.longform.engine.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * <li>One token, a row at a time: Q5_K / Q6_K codes are first unpacked to signed bytes in a scratch
 *     row (whole 256-bit int lanes: masks and shifts, which x86 has for ints but not bytes), the
 *     sub-blocks' scales d·sc to a float array; then each L codes are widened as they load, made
 *     float and FMA'd against x into a per-sub-block sum, which goes into an accumulator times d·sc.
 *     Q4_K copies its code bytes and unpacks the nibbles in the sum loop (two masks). Q4_K / Q5_K's
 *     mins are one scalar sum over the sub-blocks' x sums (shared by every row, made once per
 *     product), as ggml does with its q8_K bsums. The lanes are summed in a fixed order (not
 *     reduceLanes, whose order is unspecified), so the twin can follow it.</li>
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

    /**
     * Per thread: one row's codes as signed bytes (t), its sub-blocks' scales d·sc (ss) and a
     * block's scale bytes (sc), rewritten row by row; grown to the widest row seen, so the token
     * loop allocates nothing (as {@code DecodeAllocationTest} asks of the other kernels).
     */
    private static final class Scratch {
        byte[] t = new byte[0];
        float[] ss = new float[0];
        final byte[] sc = new byte[16];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Rows [a, b) of m times x into out; xs: x's sub-block sums (Q4_K, Q5_K); buf: L floats of scratch. */
    static void gemv(KQuantMatrix m, float[] x, float[] xs, float[] out, int a, int b, Epilogue ep, float[] buf) {
        if (!VEC) {
            for (int n = a; n < b; n++) MatMulVector.put(out, n, MatMulKQuantScalar.dot(m, n, x, xs, L), ep);
            return;
        }
        Scratch s = SCRATCH.get();
        if (s.t.length < m.cols()) {
            s.t = new byte[m.cols()];
            s.ss = new float[m.cols() / 16];
        }
        byte[] t = s.t;
        float[] ss = s.ss;
        switch (m.type()) {
            case Q4_K -> rows4(m, x, xs, out, a, b, ep, buf, t, ss, s.sc);
            case Q5_K -> rows5(m, x, xs, out, a, b, ep, buf, t, ss, s.sc);
            default -> rows6(m, x, out, a, b, ep, buf, t, ss);
        }
    }

    /*
     * Each row in two passes, each its own small method: decode (codes to t, scales to ss; integer
     * ops on 256-bit int lanes, whose shifts x86 has), then the float sums over t (one load-and-widen,
     * one int-to-float and one FMA per L weights, with no other work in the loop). In one method the
     * two ran into C2's inlining node budget (vectors boxed, 5x slower) or spilled; between the
     * passes only arrays cross, so a method compiled on its own costs a call, never a boxed vector.
     */

    /*
     * One method per type, each with one kernel: C2 compiles a shared one again for the second type
     * it sees, with both kernels inlined, and then ran out of its inlining node budget (vectors
     * boxed, 6x slower). Each kernel slices its row itself: the row as its own slice has small int
     * offsets, so C2 hoists the bounds checks, and a slice made here and passed to a method compiled
     * on its own would be allocated for every row.
     */

    private static void rows4(
            KQuantMatrix m,
            float[] x,
            float[] xs,
            float[] out,
            int a,
            int b,
            Epilogue ep,
            float[] buf,
            byte[] t,
            float[] ss,
            byte[] sc) {
        int nb = m.cols() / 256;
        for (int n = a; n < b; n++) {
            float mn = scales(m.data(), m.rowOffset(n), nb, 144, ss, xs, true, t, sc, buf);
            MatMulVector.put(out, n, q4k(t, nb, x, ss, buf) - mn, ep);
        }
    }

    private static void rows5(
            KQuantMatrix m,
            float[] x,
            float[] xs,
            float[] out,
            int a,
            int b,
            Epilogue ep,
            float[] buf,
            byte[] t,
            float[] ss,
            byte[] sc) {
        int nb = m.cols() / 256;
        for (int n = a; n < b; n++) {
            decode5(m.data(), m.rowOffset(n), nb, t);
            float mn = scales(m.data(), m.rowOffset(n), nb, 176, ss, xs, false, null, sc, buf);
            MatMulVector.put(out, n, dot32(t, ss, x, m.cols(), buf) - mn, ep);
        }
    }

    private static void rows6(
            KQuantMatrix m, float[] x, float[] out, int a, int b, Epilogue ep, float[] buf, byte[] t, float[] ss) {
        int nb = m.cols() / 256;
        for (int n = a; n < b; n++) {
            decode6(m.data(), m.rowOffset(n), nb, t, ss);
            MatMulVector.put(out, n, dot16(t, ss, x, m.cols(), buf), ep);
        }
    }

    static final VectorSpecies<Integer> I = MatMulVector.I;

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

    static final VectorSpecies<Integer> I8 = IntVector.SPECIES_256;
    static final VectorSpecies<Byte> B32 = ByteVector.SPECIES_256;

    private static final int NIB = 0x0F0F0F0F;

    /** 32 codes, one per byte of v, into t[off, off + 32). */
    private static void put(IntVector v, byte[] t, int off) {
        v.reinterpretAsBytes().intoArray(t, off);
    }

    /** 8 floats: the scale pass's vectors (a block's 8 sub-blocks) at any L. */
    static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;

    static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, LE);

    /** Q4_K's high nibbles are taken as 16 x their code: 1/16 on the odd sub-blocks' scales. */
    private static final FloatVector SIXTEENTH =
            FloatVector.fromArray(F8, new float[] {1, 0.0625f, 1, 0.0625f, 1, 0.0625f, 1, 0.0625f}, 0);

    /**
     * A Q4_K / Q5_K row's d·sc per 32-wide sub-block into ss; returns the mins' share, Σ (dmin·m)·xs
     * in eight lanes (one per sub-block position), the lanes then added in order. The twelve 6-bit
     * scale and min bytes are unpacked four at a time in an int (each case of {@link #scaleMin} is
     * one of four masks), stored as two longs to sc and read back as 8 bytes each. With t (Q4_K),
     * also copies the row's code bytes there.
     */
    private static float scales(
            MemorySegment w,
            long row,
            int nb,
            int bb,
            float[] ss,
            float[] xs,
            boolean four,
            byte[] t,
            byte[] sc,
            float[] buf) {
        MemorySegment r = w.asSlice(row, (long) nb * bb); // see the note above rows4
        FloatVector mn = FloatVector.zero(F8);
        for (int blk = 0; blk < nb; blk++) {
            int bo = blk * bb;
            if (t != null) {
                for (int j = 0; j < 128; j += 32) {
                    ByteVector.fromMemorySegment(B32, r, bo + 16 + j, LE).intoArray(t, blk * 128 + j);
                }
            }
            int a = r.get(INT_LE, bo + 4), b = r.get(INT_LE, bo + 8), c = r.get(INT_LE, bo + 12);
            int sLo = a & 0x3F3F3F3F, sHi = (c & NIB) | (a >>> 2 & 0x30303030);
            int mLo = b & 0x3F3F3F3F, mHi = (c >>> 4 & NIB) | (b >>> 2 & 0x30303030);
            LONG.set(sc, 0, sLo & 0xFFFFFFFFL | (long) sHi << 32);
            LONG.set(sc, 8, mLo & 0xFFFFFFFFL | (long) mHi << 32);
            FloatVector d = f8(sc, 0).mul(f16(r, bo));
            (four ? d.mul(SIXTEENTH) : d).intoArray(ss, 8 * blk);
            mn = f8(sc, 8).mul(f16(r, bo + 2)).fma(FloatVector.fromArray(F8, xs, 8 * blk), mn);
        }
        mn.intoArray(buf, 0);
        float m = 0;
        for (int i = 0; i < 8; i++) m += buf[i];
        return m;
    }

    /** 8 unsigned bytes of b from off, as floats. */
    private static FloatVector f8(byte[] b, int off) {
        return (FloatVector) ByteVector.fromArray(B8, b, off)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, IntVector.SPECIES_256, 0)
                .convertShape(VectorOperators.I2F, F8, 0);
    }

    /**
     * Q4_K: the row's code bytes, copied to t by {@link #scales} (the block headers left out, so
     * every index below is a multiple of the loop counter: three compares per 64 weights, where
     * reading the mapped row took one per load plus the address arithmetic), are read 32 at a time:
     * one load-and-widen per L bytes, the low nibbles and 16 x the high ones by a mask each
     * (unpacking them to bytes first cost more than the two masks).
     */
    private static float q4k(byte[] t, int nb, float[] x, float[] ss, float[] buf) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        for (int g = 0, n = nb * 4; g < n; g++) { // 64 weights: sub-blocks 2g (low nibbles) and 2g + 1
            int qs = 32 * g, k = 64 * g;
            FloatVector p0 = FloatVector.zero(F), p1 = p0;
            for (int c = 0; c < 32; c += L) {
                IntVector v = (IntVector) ByteVector.fromArray(B, t, qs + c).convertShape(VectorOperators.B2I, I, 0);
                p0 = i2f(v.and(15)).fma(FloatVector.fromArray(F, x, k + c), p0);
                p1 = i2f(v.and(0xF0)).fma(FloatVector.fromArray(F, x, k + 32 + c), p1);
            }
            acc0 = p0.fma(FloatVector.broadcast(F, ss[2 * g]), acc0);
            acc1 = p1.fma(FloatVector.broadcast(F, ss[2 * g + 1]), acc1);
        }
        acc0.add(acc1).intoArray(buf, 0); // no helper: see dot32
        float v = 0;
        for (int l = 0; l < L; l++) v += buf[l];
        return v;
    }

    /** A Q5_K row's codes (5 bits: the fifth of sub-block s is bit s of qh's byte) to t. */
    private static void decode5(MemorySegment w, long row, int nb, byte[] t) {
        MemorySegment r = w.asSlice(row, nb * 176L);
        for (int blk = 0; blk < nb; blk++) {
            int bo = blk * 176, k = blk * 256;
            IntVector h = IntVector.fromMemorySegment(I8, r, bo + 16, LE);
            for (int j = 0; j < 4; j++) {
                IntVector v = IntVector.fromMemorySegment(I8, r, bo + 48 + 32 * j, LE);
                IntVector h0 = h.lanewise(VectorOperators.LSHR, 2 * j).and(0x01010101);
                IntVector h1 = h.lanewise(VectorOperators.LSHR, 2 * j + 1).and(0x01010101);
                put(v.and(NIB).or(h0.lanewise(VectorOperators.LSHL, 4)), t, k + 64 * j);
                put(
                        v.lanewise(VectorOperators.LSHR, 4).and(NIB).or(h1.lanewise(VectorOperators.LSHL, 4)),
                        t,
                        k + 64 * j + 32);
            }
        }
    }

    /**
     * A Q6_K row's codes minus 32 to t (signed bytes), d·sc of each 16-wide sub-block to ss. Per
     * half-block ql's two 32-byte halves and qh's 32 bytes give four 6-bit codes per byte position.
     */
    private static void decode6(MemorySegment w, long row, int nb, byte[] t, float[] ss) {
        MemorySegment r = w.asSlice(row, nb * 210L);
        for (int blk = 0; blk < nb; blk++) {
            int bo = blk * 210;
            for (int n = 0; n < 2; n++) {
                int k = blk * 256 + 128 * n;
                IntVector a = IntVector.fromMemorySegment(I8, r, bo + 64 * n, LE);
                IntVector bq = IntVector.fromMemorySegment(I8, r, bo + 64 * n + 32, LE);
                IntVector h = IntVector.fromMemorySegment(I8, r, bo + 128 + 32 * n, LE);
                IntVector q0 = a.and(NIB).or(h.lanewise(VectorOperators.LSHL, 4).and(0x30303030));
                IntVector q1 =
                        bq.and(NIB).or(h.lanewise(VectorOperators.LSHL, 2).and(0x30303030));
                IntVector q2 = a.lanewise(VectorOperators.LSHR, 4).and(NIB).or(h.and(0x30303030));
                IntVector q3 = bq.lanewise(VectorOperators.LSHR, 4)
                        .and(NIB)
                        .or(h.lanewise(VectorOperators.LSHR, 2).and(0x30303030));
                q0.reinterpretAsBytes().sub((byte) 32).intoArray(t, k);
                q1.reinterpretAsBytes().sub((byte) 32).intoArray(t, k + 32);
                q2.reinterpretAsBytes().sub((byte) 32).intoArray(t, k + 64);
                q3.reinterpretAsBytes().sub((byte) 32).intoArray(t, k + 96);
            }
            float d = f16(r, bo + 208);
            for (int j = 0; j < 16; j += L) {
                f(ByteVector.fromMemorySegment(B, r, bo + 192 + j, LE)).mul(d).intoArray(ss, blk * 16 + j);
            }
        }
    }

    /** L signed bytes of t from off, as floats (one load-and-widen, one int-to-float). */
    private static FloatVector code(byte[] t, int off) {
        return i2f((IntVector) ByteVector.fromArray(B, t, off).convertShape(VectorOperators.B2I, I, 0));
    }

    /*
     * The sums below are written out, not a helper per sub-block: a helper returning a vector that
     * C2 leaves out of line (it did for the eighth of eight calls) boxes its result each time.
     */

    /** Σ over 32-wide sub-blocks s of (Σ codes·x)·ss[s]: even s into one accumulator, odd into the other. */
    private static float dot32(byte[] t, float[] ss, float[] x, int K, float[] buf) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        for (int i = 0, n = K / 64; i < n; i++) { // stride 1: C2 moves the bounds checks out of the loop
            int k = 64 * i;
            FloatVector p0 = FloatVector.zero(F), p1 = p0;
            for (int c = 0; c < 32; c += L) { // lane i takes elements c + i
                p0 = code(t, k + c).fma(FloatVector.fromArray(F, x, k + c), p0);
                p1 = code(t, k + 32 + c).fma(FloatVector.fromArray(F, x, k + 32 + c), p1);
            }
            acc0 = p0.fma(FloatVector.broadcast(F, ss[k / 32]), acc0);
            acc1 = p1.fma(FloatVector.broadcast(F, ss[k / 32 + 1]), acc1);
        }
        // the lanes in order, written out: a helper taking the vector, left out of line, boxes it
        acc0.add(acc1).intoArray(buf, 0);
        float v = 0;
        for (int l = 0; l < L; l++) v += buf[l];
        return v;
    }

    /**
     * Σ over 16-wide sub-blocks s of (Σ codes·x)·ss[s], into four accumulators by s % 4 (so no one
     * chain holds all the scale FMAs), eight sub-blocks an iteration (four ran 1.5x slower). The lane
     * sum is written out: as a helper call it was where C2 ran out of its inlining node budget, and
     * the accumulator passed to it was boxed (96 bytes a row).
     */
    private static float dot16(byte[] t, float[] ss, float[] x, int K, float[] buf) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (int i = 0, n = K / 128; i < n; i++) {
            int k = 128 * i, s = 8 * i;
            FloatVector p0 = FloatVector.zero(F), p1 = p0, p2 = p0, p3 = p0, p4 = p0, p5 = p0, p6 = p0, p7 = p0;
            for (int c = 0; c < 16; c += L) {
                p0 = code(t, k + c).fma(FloatVector.fromArray(F, x, k + c), p0);
                p1 = code(t, k + 16 + c).fma(FloatVector.fromArray(F, x, k + 16 + c), p1);
                p2 = code(t, k + 32 + c).fma(FloatVector.fromArray(F, x, k + 32 + c), p2);
                p3 = code(t, k + 48 + c).fma(FloatVector.fromArray(F, x, k + 48 + c), p3);
                p4 = code(t, k + 64 + c).fma(FloatVector.fromArray(F, x, k + 64 + c), p4);
                p5 = code(t, k + 80 + c).fma(FloatVector.fromArray(F, x, k + 80 + c), p5);
                p6 = code(t, k + 96 + c).fma(FloatVector.fromArray(F, x, k + 96 + c), p6);
                p7 = code(t, k + 112 + c).fma(FloatVector.fromArray(F, x, k + 112 + c), p7);
            }
            acc0 = p4.fma(FloatVector.broadcast(F, ss[s + 4]), p0.fma(FloatVector.broadcast(F, ss[s]), acc0));
            acc1 = p5.fma(FloatVector.broadcast(F, ss[s + 5]), p1.fma(FloatVector.broadcast(F, ss[s + 1]), acc1));
            acc2 = p6.fma(FloatVector.broadcast(F, ss[s + 6]), p2.fma(FloatVector.broadcast(F, ss[s + 2]), acc2));
            acc3 = p7.fma(FloatVector.broadcast(F, ss[s + 7]), p3.fma(FloatVector.broadcast(F, ss[s + 3]), acc3));
        }
        acc0.add(acc1).add(acc2.add(acc3)).intoArray(buf, 0); // no helper: see dot32
        float v = 0;
        for (int l = 0; l < L; l++) v += buf[l];
        return v;
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
