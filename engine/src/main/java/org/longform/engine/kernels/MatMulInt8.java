package org.longform.engine.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.longform.engine.quant.KQuantMatrix;
import org.longform.engine.quant.Matrix;
import org.longform.engine.quant.WeightType;

/**
 * One-token products of k-quant rows with int8 activations ({@link Activations#Q8}, opt-in: x is
 * rounded, see {@link Q8Activations}); {@link MatMulInt8Scalar} is the twin it equals bit for bit.
 * <p>
 * The Vector API has no 8- or 16-bit multiply-add that widens (x86's pmaddubsw / pmaddwd), so codes
 * are zero-extended from bytes to 16-bit lanes and multiplied there (a 4/5/6-bit code times a code of
 * at most 127 fits, and so do the sums of a few), then each pair of 16-bit lanes is added into one
 * 32-bit lane with two shifts and an add on the vector read as ints, multiplied by the sub-block's
 * integer scale and accumulated as ints; one lane sum per 256-block (exact in any order) goes into
 * the float sums as the twin does. Against the float kernel ({@link MatMulKQuant}) that is twice the
 * lanes per op and no int-to-float conversion per weight.
 */
public final class MatMulInt8 {
    private MatMulInt8() {}

    static final VectorSpecies<Short> S = ShortVector.SPECIES_PREFERRED;
    static final int SL = S.length();
    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, S.vectorShape());
    private static final VectorSpecies<Byte> BS = VectorSpecies.of(byte.class, VectorShape.forBitSize(SL * 8));
    /** Q6_K's scales cover 16 weights: its products run in at most 16 short lanes. */
    static final int SL16 = Math.min(SL, 16);

    private static final VectorSpecies<Short> S16 = VectorSpecies.of(short.class, VectorShape.forBitSize(SL16 * 16));
    private static final VectorSpecies<Byte> BS16 = VectorSpecies.of(byte.class, VectorShape.forBitSize(SL16 * 8));
    /** At least 8 short lanes (a 64-bit byte vector): every width from 128 bits up. */
    static final boolean VEC = SL >= 8 && 32 % SL == 0;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED;

    /**
     * Whether this kernel takes rows of w (the caller checks the activation option): the k-quants
     * where it beats the float kernel at this width. Two threads, one-token products of the 1B
     * shapes (ActQuantBench, Zen 4, 2026-12-07): at 256 bits Q4_K 1.04-1.28x, but Q5_K 0.79-0.91x
     * and Q6_K 0.50x (the float kernels were rewritten since this one was measured against them);
     * at 512 bits Q6_K 1.16-1.41x, Q4_K 0.65-0.86x, Q5_K 0.68-0.74x. The others stay exact.
     */
    public static boolean handles(Matrix w) {
        return w instanceof KQuantMatrix k && handles(k.type());
    }

    /** {@link #handles(Matrix)} by weight type. */
    public static boolean handles(WeightType t) {
        return t == (SL >= 32 ? WeightType.Q6_K : WeightType.Q4_K);
    }

    /** Rows [a, b) of w times the quantized x into out. */
    static void gemv(Matrix w, Q8Activations x, float[] out, int a, int b, Epilogue ep) {
        if (ep == Epilogue.GELU) {
            gemv(w, x, out, a, b, Epilogue.STORE);
            Gelu.vector(out, a, b);
            return;
        }
        KQuantMatrix m = (KQuantMatrix) w;
        if (!VEC) {
            for (int n = a; n < b; n++) MatMulVector.put(out, n, MatMulInt8Scalar.dot(m, n, x), ep);
            return;
        }
        // one row at a time: four rows far apart (more misses in flight, as the q8_0 kernel does) ran
        // 15-20 % slower here in alternating runs
        for (int n = a; n < b; n++) row(m, x, out, n, ep);
    }

    private static void row(KQuantMatrix m, Q8Activations x, float[] out, int n, Epilogue ep) {
        int nb = m.cols() / 256, bb = m.type().blockBytes;
        boolean six = m.type() == WeightType.Q6_K, five = m.type() == WeightType.Q5_K;
        MemorySegment r = m.data().asSlice(m.rowOffset(n), (long) nb * bb);
        float sum = 0, mn = 0;
        for (int blk = 0; blk < nb; blk++) {
            int bo = blk * bb, k = blk * 256;
            float dx = x.d[blk];
            if (six) sum = Math.fma(f16(r, bo + 208) * dx, (float) block6(r, bo, x.q, k), sum);
            else {
                long v = block45(r, bo, five, x.q, x.bsum, k);
                sum = Math.fma(f16(r, bo) * dx, (float) (int) v, sum);
                mn = Math.fma(f16(r, bo + 2) * dx, (float) (int) (v >> 32), mn);
            }
        }
        MatMulVector.put(out, n, sum - mn, ep);
    }

    private static float f16(MemorySegment w, long at) {
        return Float.float16ToFloat(w.get(ValueLayout.JAVA_SHORT_UNALIGNED, at));
    }

    /** SL bytes at {@code at}, zero-extended to short lanes (the species are constants here: C2 needs them so). */
    private static ShortVector u8(MemorySegment w, long at) {
        return (ShortVector)
                ByteVector.fromMemorySegment(BS, w, at, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
    }

    /** SL16 bytes at {@code at}, zero-extended. */
    private static ShortVector u8h(MemorySegment w, long at) {
        return (ShortVector)
                ByteVector.fromMemorySegment(BS16, w, at, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
    }

    /** Q4_K / Q5_K block at bo: isum (low 32 bits) and imin (high 32 bits), the twin's integers. */
    private static long block45(MemorySegment r, int bo, boolean five, short[] a, int[] bsum, int k) {
        // the 12 scale bytes as four ints of four 6-bit values each (llama.cpp's unpacking):
        // scales 0-3, scales 4-7, mins 0-3, mins 4-7; reading them one at a time cost more than the products
        int sa = r.get(INT_LE, bo + 4), sb = r.get(INT_LE, bo + 8), sc = r.get(INT_LE, bo + 12);
        int s03 = sa & 0x3F3F3F3F, s47 = sc & 0x0F0F0F0F | sa >>> 2 & 0x30303030;
        int m03 = sb & 0x3F3F3F3F, m47 = sc >>> 4 & 0x0F0F0F0F | sb >>> 2 & 0x30303030;
        int isum = five ? block5(r, bo, a, k, s03, s47) : block4(r, bo, a, k, s03, s47);
        return isum & 0xFFFFFFFFL | (long) mins(m03, m47, bsum, k / 32) << 32;
    }

    private static final boolean WIDE = S.vectorBitSize() >= 256;

    /** Σ_s m_s·bsum[s0 + s], the eight 6-bit mins packed in two ints; as one 8-lane product from 256 bits up. */
    private static int mins(int m03, int m47, int[] bsum, int s0) {
        if (!WIDE) {
            int v = 0;
            for (int s = 0; s < 4; s++)
                v += (m03 >>> 8 * s & 0xFF) * bsum[s0 + s] + (m47 >>> 8 * s & 0xFF) * bsum[s0 + 4 + s];
            return v;
        }
        IntVector m = (IntVector) IntVector.zero(IntVector.SPECIES_64)
                .withLane(0, m03)
                .withLane(1, m47)
                .reinterpretAsBytes()
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, IntVector.SPECIES_256, 0);
        return m.mul(IntVector.fromArray(IntVector.SPECIES_256, bsum, s0)).reduceLanes(VectorOperators.ADD);
    }

    /** Byte s % 4 of lo (s < 4) or hi. */
    private static int sub(int lo, int hi, int s) {
        return (s < 4 ? lo : hi) >>> 8 * (s & 3) & 0xFF;
    }

    /**
     * Q4_K block: Σ_s sc_s·Σ q·a. A short lane sums 32 / SL products of at most 15·127, a pair
     * twice that: at most 15 240.
     */
    private static int block4(MemorySegment r, int bo, short[] a, int k, int s03, int s47) {
        IntVector acc = IntVector.zero(IS);
        int qs = bo + 16;
        for (int j = 0; j < 4; j++) {
            ShortVector p0 = ShortVector.zero(S), p1 = p0;
            int kj = k + 64 * j;
            for (int c = 0; c < 32; c += SL) {
                ShortVector v = u8(r, qs + 32 * j + c);
                p0 = v.and((short) 15).mul(ShortVector.fromArray(S, a, kj + c)).add(p0);
                p1 = v.lanewise(VectorOperators.LSHR, 4)
                        .mul(ShortVector.fromArray(S, a, kj + 32 + c))
                        .add(p1);
            }
            acc = p0.reinterpretAsInts()
                    .lanewise(VectorOperators.LSHL, 16)
                    .add(p0.reinterpretAsInts())
                    .lanewise(VectorOperators.ASHR, 16)
                    .mul(sub(s03, s47, 2 * j))
                    .add(acc);
            acc = p1.reinterpretAsInts()
                    .lanewise(VectorOperators.LSHL, 16)
                    .add(p1.reinterpretAsInts())
                    .lanewise(VectorOperators.ASHR, 16)
                    .mul(sub(s03, s47, 2 * j + 1))
                    .add(acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** Q5_K block: as Q4_K with the fifth bits; products at most 31·127, a pair of four sums 31 496. */
    private static int block5(MemorySegment r, int bo, short[] a, int k, int s03, int s47) {
        IntVector acc = IntVector.zero(IS);
        int qh = bo + 16, qs = bo + 48;
        for (int j = 0; j < 4; j++) {
            ShortVector p0 = ShortVector.zero(S), p1 = p0;
            int kj = k + 64 * j;
            for (int c = 0; c < 32; c += SL) {
                ShortVector v = u8(r, qs + 32 * j + c), h = u8(r, qh + c);
                ShortVector lo = v.and((short) 15).or(bitTo4(h, 2 * j));
                ShortVector hi = v.lanewise(VectorOperators.LSHR, 4).or(bitTo4(h, 2 * j + 1));
                p0 = lo.mul(ShortVector.fromArray(S, a, kj + c)).add(p0);
                p1 = hi.mul(ShortVector.fromArray(S, a, kj + 32 + c)).add(p1);
            }
            acc = p0.reinterpretAsInts()
                    .lanewise(VectorOperators.LSHL, 16)
                    .add(p0.reinterpretAsInts())
                    .lanewise(VectorOperators.ASHR, 16)
                    .mul(sub(s03, s47, 2 * j))
                    .add(acc);
            acc = p1.reinterpretAsInts()
                    .lanewise(VectorOperators.LSHL, 16)
                    .add(p1.reinterpretAsInts())
                    .lanewise(VectorOperators.ASHR, 16)
                    .mul(sub(s03, s47, 2 * j + 1))
                    .add(acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** Bit i of each lane moved to bit 4, the rest cleared. */
    private static ShortVector bitTo4(ShortVector h, int i) {
        ShortVector v = i <= 4 ? h.lanewise(VectorOperators.LSHL, 4 - i) : h.lanewise(VectorOperators.LSHR, i - 4);
        return v.and((short) 16);
    }

    /** Q6_K block at bo: Σ over its 16-wide groups of sc·Σ (q − 32)·a. */
    private static int block6(MemorySegment r, int bo, short[] a, int k) {
        if (SL == 32) return half6(r, bo, 0, a, k) + half6(r, bo, 1, a, k + 128);
        int isum = 0;
        for (int n = 0; n < 2; n++) {
            for (int is = 0; is < 2; is++) isum += quarter6(r, bo, n, is, a, k + 128 * n);
        }
        return isum;
    }

    /** Lanes 8-15 of a 16-lane int vector (the second 16 weights of a 32-wide short vector, paired). */
    private static final VectorMask<Integer> UPPER8 = VectorMask.fromLong(IS, 0xFF00L);

    /**
     * Q6_K at 32 short lanes: half n of a block, all 32 weights of each quarter in one vector; after
     * pairing, lanes 0-7 take the quarter's first scale and lanes 8-15 its second (a blend).
     */
    private static int half6(MemorySegment r, int bo, int n, short[] a, int k) {
        int ql = bo + 64 * n, qh = bo + 128 + 32 * n, sc = bo + 192 + 8 * n;
        ShortVector l0 = u8(r, ql), l1 = u8(r, ql + 32), h = u8(r, qh);
        ShortVector q0 = l0.and((short) 15)
                .or(h.lanewise(VectorOperators.LSHL, 4).and((short) 48))
                .sub((short) 32);
        ShortVector q1 = l1.and((short) 15)
                .or(h.lanewise(VectorOperators.LSHL, 2).and((short) 48))
                .sub((short) 32);
        ShortVector q2 =
                l0.lanewise(VectorOperators.LSHR, 4).or(h.and((short) 48)).sub((short) 32);
        ShortVector q3 = l1.lanewise(VectorOperators.LSHR, 4)
                .or(h.lanewise(VectorOperators.LSHR, 2).and((short) 48))
                .sub((short) 32);
        ShortVector p0 = q0.mul(ShortVector.fromArray(S, a, k));
        ShortVector p1 = q1.mul(ShortVector.fromArray(S, a, k + 32));
        ShortVector p2 = q2.mul(ShortVector.fromArray(S, a, k + 64));
        ShortVector p3 = q3.mul(ShortVector.fromArray(S, a, k + 96));
        IntVector acc = p0.reinterpretAsInts()
                .lanewise(VectorOperators.LSHL, 16)
                .add(p0.reinterpretAsInts())
                .lanewise(VectorOperators.ASHR, 16)
                .mul(IntVector.broadcast(IS, r.get(ValueLayout.JAVA_BYTE, sc))
                        .blend(r.get(ValueLayout.JAVA_BYTE, sc + 1), UPPER8));
        acc = p1.reinterpretAsInts()
                .lanewise(VectorOperators.LSHL, 16)
                .add(p1.reinterpretAsInts())
                .lanewise(VectorOperators.ASHR, 16)
                .mul(IntVector.broadcast(IS, r.get(ValueLayout.JAVA_BYTE, sc + 2))
                        .blend(r.get(ValueLayout.JAVA_BYTE, sc + 3), UPPER8))
                .add(acc);
        acc = p2.reinterpretAsInts()
                .lanewise(VectorOperators.LSHL, 16)
                .add(p2.reinterpretAsInts())
                .lanewise(VectorOperators.ASHR, 16)
                .mul(IntVector.broadcast(IS, r.get(ValueLayout.JAVA_BYTE, sc + 4))
                        .blend(r.get(ValueLayout.JAVA_BYTE, sc + 5), UPPER8))
                .add(acc);
        acc = p3.reinterpretAsInts()
                .lanewise(VectorOperators.LSHL, 16)
                .add(p3.reinterpretAsInts())
                .lanewise(VectorOperators.ASHR, 16)
                .mul(IntVector.broadcast(IS, r.get(ValueLayout.JAVA_BYTE, sc + 6))
                        .blend(r.get(ValueLayout.JAVA_BYTE, sc + 7), UPPER8))
                .add(acc);
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Q6_K, half n of a block, weights 16·is .. 16·is + 15 of each of its four 32-wide quarters (four
     * scales): Σ_g sc·Σ (q − 32)·a. Products at most 32·127, a pair of two sums 16 256. Its own
     * method: four product vectors unrolled in one body ran past C2's inlining budget in the float
     * kernel.
     */
    private static int quarter6(MemorySegment r, int bo, int n, int is, short[] a, int k) {
        int ql = bo + 64 * n, qh = bo + 128 + 32 * n, sc = bo + 192 + 8 * n + is;
        ShortVector p0 = ShortVector.zero(S16), p1 = p0, p2 = p0, p3 = p0;
        for (int c = 16 * is; c < 16 * is + 16; c += SL16) {
            ShortVector l0 = u8h(r, ql + c), l1 = u8h(r, ql + 32 + c);
            ShortVector h = u8h(r, qh + c);
            ShortVector q0 = l0.and((short) 15)
                    .or(h.lanewise(VectorOperators.LSHL, 4).and((short) 48))
                    .sub((short) 32);
            ShortVector q1 = l1.and((short) 15)
                    .or(h.lanewise(VectorOperators.LSHL, 2).and((short) 48))
                    .sub((short) 32);
            ShortVector q2 =
                    l0.lanewise(VectorOperators.LSHR, 4).or(h.and((short) 48)).sub((short) 32);
            ShortVector q3 = l1.lanewise(VectorOperators.LSHR, 4)
                    .or(h.lanewise(VectorOperators.LSHR, 2).and((short) 48))
                    .sub((short) 32);
            p0 = q0.mul(ShortVector.fromArray(S16, a, k + c)).add(p0);
            p1 = q1.mul(ShortVector.fromArray(S16, a, k + 32 + c)).add(p1);
            p2 = q2.mul(ShortVector.fromArray(S16, a, k + 64 + c)).add(p2);
            p3 = q3.mul(ShortVector.fromArray(S16, a, k + 96 + c)).add(p3);
        }
        IntVector acc = p0.reinterpretAsInts()
                .lanewise(VectorOperators.LSHL, 16)
                .add(p0.reinterpretAsInts())
                .lanewise(VectorOperators.ASHR, 16)
                .mul(r.get(ValueLayout.JAVA_BYTE, sc));
        acc = p1.reinterpretAsInts()
                .lanewise(VectorOperators.LSHL, 16)
                .add(p1.reinterpretAsInts())
                .lanewise(VectorOperators.ASHR, 16)
                .mul(r.get(ValueLayout.JAVA_BYTE, sc + 2))
                .add(acc);
        acc = p2.reinterpretAsInts()
                .lanewise(VectorOperators.LSHL, 16)
                .add(p2.reinterpretAsInts())
                .lanewise(VectorOperators.ASHR, 16)
                .mul(r.get(ValueLayout.JAVA_BYTE, sc + 4))
                .add(acc);
        acc = p3.reinterpretAsInts()
                .lanewise(VectorOperators.LSHL, 16)
                .add(p3.reinterpretAsInts())
                .lanewise(VectorOperators.ASHR, 16)
                .mul(r.get(ValueLayout.JAVA_BYTE, sc + 6))
                .add(acc);
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
