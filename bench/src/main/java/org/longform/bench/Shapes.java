package org.longform.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.longform.engine.io.DType;
import org.longform.engine.io.Tensor;
import org.longform.engine.quant.DenseMatrix;
import org.longform.engine.quant.KQuantMatrix;
import org.longform.engine.quant.Matrix;
import org.longform.engine.quant.Quantizer;
import org.longform.engine.quant.WeightType;

/** Random matrices of the model shapes, in any weight form. */
final class Shapes {
    private Shapes() {}

    static Matrix matrix(WeightType type, int rows, int cols, Arena arena, long seed) {
        if (type.kQuant()) return kQuant(type, rows, cols, arena, seed);
        DType dt = type == WeightType.F32 ? DType.F32 : type == WeightType.F16 ? DType.F16 : DType.BF16;
        MemorySegment seg = arena.allocate((long) rows * cols * dt.bytes(), 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < (long) rows * cols; i++) {
            float v = (float) (r.nextGaussian() * 0.02);
            switch (dt) {
                case F32 -> seg.setAtIndex(Tensor.FLOAT_LE, i, v);
                case F16 -> seg.setAtIndex(Tensor.SHORT_LE, i, Float.floatToFloat16(v));
                case BF16 -> seg.setAtIndex(Tensor.SHORT_LE, i, (short) (Float.floatToRawIntBits(v) >>> 16));
            }
        }
        Matrix m = new DenseMatrix(new Tensor("w", dt, new long[] {rows, cols}, seg));
        return type.quantized() ? Quantizer.quantize(m, type, arena, null) : m;
    }

    /** Random k-quant blocks (every code, scale and min bit random) with small finite f16 scales. */
    static Matrix kQuant(WeightType type, int rows, int cols, Arena arena, long seed) {
        int nb = rows * (cols / KQuantMatrix.BLOCK), bb = type.blockBytes;
        MemorySegment seg = arena.allocate((long) nb * bb, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i + 8 <= seg.byteSize(); i += 8) seg.set(ValueLayout.JAVA_LONG_UNALIGNED, i, r.nextLong());
        long[] at = type == WeightType.Q6_K ? new long[] {208} : new long[] {0, 2};
        for (long b = 0; b < nb; b++) {
            for (long o : at) seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, b * bb + o, Float.floatToFloat16(0.001f));
        }
        return new KQuantMatrix("w", type, rows, cols, seg);
    }

    static float[] vector(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }
}
