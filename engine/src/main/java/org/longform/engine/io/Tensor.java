package org.longform.engine.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A named tensor whose elements live in a (normally file-mapped) segment, row-major, little-endian.
 * The segment is exactly {@code numel * dtype.bytes()} long. Nothing is copied to the heap.
 */
public record Tensor(String name, DType dtype, long[] shape, MemorySegment data) {

    public static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED;
    public static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED;

    public long numel() {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }

    public int rows() {
        return (int) shape[0];
    }

    public int cols() {
        return shape.length < 2 ? 1 : (int) shape[1];
    }

    /** Element i as float, converted from the stored type (scalar path; kernels use their own loads). */
    public float get(long i) {
        return switch (dtype) {
            case F32 -> data.getAtIndex(FLOAT_LE, i);
            case BF16 -> Float.intBitsToFloat((data.getAtIndex(SHORT_LE, i) & 0xFFFF) << 16);
            case F16 -> Float.float16ToFloat(data.getAtIndex(SHORT_LE, i));
        };
    }

    public String describe() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
