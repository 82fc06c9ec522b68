package org.longform.engine.kv;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Conversions between f32 activations and KV page elements. Encoding runs once per token and
 * layer (cheap next to the matmuls), so it is plain scalar code; decoding runs for every cached
 * row on every attention call, so bf16 and int8 use the Vector API and f16 a loop C2 vectorises.
 */
final class KvCodec {
    private KvCodec() {}

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** The largest finite f16; K and V beyond it are clamped rather than turned into infinities (and NaN scores). */
    private static final float F16_MAX = 65504f;

    // Species must be compile-time constants for C2 to intrinsify, hence one method per width.
    private static final VectorSpecies<Float> F16L = FloatVector.SPECIES_512;
    private static final VectorSpecies<Float> F8L = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I16L = IntVector.SPECIES_512;
    private static final VectorSpecies<Integer> I8L = IntVector.SPECIES_256;
    private static final VectorSpecies<Short> S16L = ShortVector.SPECIES_256;
    private static final VectorSpecies<Short> S8L = ShortVector.SPECIES_128;
    private static final VectorSpecies<Byte> B16L = ByteVector.SPECIES_128;
    private static final VectorSpecies<Byte> B8L = ByteVector.SPECIES_64;
    /** Float lanes of the preferred species: 16 (AVX-512), 8 (AVX2) or less (scalar loops). */
    private static final int LANES = FloatVector.SPECIES_PREFERRED.length();

    static short bf16(float x) {
        int b = Float.floatToRawIntBits(x);
        if ((b & 0x7fffffff) > 0x7f800000) return (short) 0x7fc0; // NaN stays NaN
        return (short) ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16); // round to nearest even
    }

    static float fromBf16(short s) {
        return Float.intBitsToFloat(s << 16);
    }

    /** Writes n floats as f32, bf16 or f16 at byte offset {@code at}. */
    static void encode(KvDType t, float[] src, int off, int n, MemorySegment seg, long at) {
        switch (t) {
            case F32 -> MemorySegment.copy(src, off, seg, F32, at, n);
            case BF16 -> {
                for (int i = 0; i < n; i++) seg.set(I16, at + 2L * i, bf16(src[off + i]));
            }
            case F16 -> {
                for (int i = 0; i < n; i++)
                    seg.set(
                            I16,
                            at + 2L * i,
                            Float.floatToFloat16(Math.max(-F16_MAX, Math.min(F16_MAX, src[off + i]))));
            }
            case INT8 -> throw new IllegalArgumentException("int8 rows need a scale: use encodeInt8");
        }
    }

    /** Absmax-quantises n floats to int8 at {@code at}; returns the scale (value = q * scale). */
    static float encodeInt8(float[] src, int off, int n, MemorySegment seg, long at) {
        float amax = 0f;
        for (int i = 0; i < n; i++) amax = Math.max(amax, Math.abs(src[off + i]));
        if (!(amax > 0f) || !Float.isFinite(amax)) { // all zero (or garbage): store zeros, scale 0
            for (int i = 0; i < n; i++) seg.set(ValueLayout.JAVA_BYTE, at + i, (byte) 0);
            return 0f;
        }
        float inv = 127f / amax;
        for (int i = 0; i < n; i++) {
            int q = Math.round(src[off + i] * inv);
            seg.set(ValueLayout.JAVA_BYTE, at + i, (byte) Math.max(-127, Math.min(127, q)));
        }
        return amax / 127f;
    }

    /** Reads n f32/bf16/f16 elements at {@code at} into dst[off, off + n). */
    static void decode(KvDType t, MemorySegment seg, long at, int n, float[] dst, int off) {
        switch (t) {
            case F32 -> MemorySegment.copy(seg, F32, at, dst, off, n);
            case BF16 -> {
                int i = 0;
                if (LANES >= 16) for (; i + 16 <= n; i += 16) bf16x16(seg, at + 2L * i, dst, off + i);
                else if (LANES >= 8) for (; i + 8 <= n; i += 8) bf16x8(seg, at + 2L * i, dst, off + i);
                for (; i < n; i++) dst[off + i] = fromBf16(seg.get(I16, at + 2L * i));
            }
            case F16 -> {
                // read in place: C2 vectorizes this loop straight from the segment, twice as fast as a
                // copy into a short[] plus the same loop over the copy (120-150 vs 230-270 ns per 4096)
                for (int i = 0; i < n; i++) dst[off + i] = Float.float16ToFloat(seg.get(I16, at + 2L * i));
            }
            case INT8 -> throw new IllegalArgumentException("int8 rows need a scale: use decodeInt8");
        }
    }

    /** Reads n int8 elements at {@code at}, times {@code scale}, into dst[off, off + n). */
    static void decodeInt8(MemorySegment seg, long at, int n, float scale, float[] dst, int off) {
        int i = 0;
        if (LANES >= 16) for (; i + 16 <= n; i += 16) i8x16(seg, at + i, scale, dst, off + i);
        else if (LANES >= 8) for (; i + 8 <= n; i += 8) i8x8(seg, at + i, scale, dst, off + i);
        for (; i < n; i++) dst[off + i] = seg.get(ValueLayout.JAVA_BYTE, at + i) * scale;
    }

    private static void bf16x16(MemorySegment seg, long at, float[] dst, int off) {
        ShortVector s = ShortVector.fromMemorySegment(S16L, seg, at, LE);
        IntVector i = (IntVector) s.convertShape(VectorOperators.S2I, I16L, 0);
        i.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, off);
    }

    private static void bf16x8(MemorySegment seg, long at, float[] dst, int off) {
        ShortVector s = ShortVector.fromMemorySegment(S8L, seg, at, LE);
        IntVector i = (IntVector) s.convertShape(VectorOperators.S2I, I8L, 0);
        i.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, off);
    }

    private static void i8x16(MemorySegment seg, long at, float scale, float[] dst, int off) {
        ByteVector b = ByteVector.fromMemorySegment(B16L, seg, at, LE);
        ((FloatVector) b.convertShape(VectorOperators.B2F, F16L, 0)).mul(scale).intoArray(dst, off);
    }

    private static void i8x8(MemorySegment seg, long at, float scale, float[] dst, int off) {
        ByteVector b = ByteVector.fromMemorySegment(B8L, seg, at, LE);
        ((FloatVector) b.convertShape(VectorOperators.B2F, F8L, 0)).mul(scale).intoArray(dst, off);
    }
}
