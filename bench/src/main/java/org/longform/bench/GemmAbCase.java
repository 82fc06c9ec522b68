package org.longform.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.longform.engine.io.DType;
import org.longform.engine.io.Tensor;
import org.longform.engine.kernels.Epilogue;
import org.longform.engine.kernels.MatMulVector;
import org.longform.engine.quant.DenseMatrix;
import org.longform.engine.quant.Matrix;
import org.longform.engine.quant.Quantizer;
import org.longform.engine.quant.WeightType;

/**
 * One matrix for {@link GemmAb}, loaded once per engine build (each in its own class loader), so
 * it uses only API every build has: the tensor types, the quantizer and the single-threaded product.
 */
public final class GemmAbCase {
    private Arena arena;
    private Matrix w;

    /** An N x K matrix of the type, from a fixed cheap sequence (values about +-0.016; their pattern does not change speed). */
    public void make(String type, int N, int K) {
        arena = Arena.ofShared();
        WeightType wt = WeightType.valueOf(type);
        if (wt.kQuant()) { // random blocks: k-quants are read from files, not quantized here
            w = Shapes.kQuant(wt, N, K, arena, 1);
            return;
        }
        DType dt = wt == WeightType.F32 ? DType.F32 : wt == WeightType.F16 ? DType.F16 : DType.BF16;
        MemorySegment seg = arena.allocate((long) N * K * dt.bytes(), 64);
        long s = 0x9E3779B97F4A7C15L;
        for (long i = 0; i < (long) N * K; i++) {
            s = s * 6364136223846793005L + 1442695040888963407L;
            float v = ((int) (s >>> 40) - (1 << 23)) * 0x1p-29f;
            switch (dt) {
                case F32 -> seg.setAtIndex(Tensor.FLOAT_LE, i, v);
                case F16 -> seg.setAtIndex(Tensor.SHORT_LE, i, Float.floatToFloat16(v));
                case BF16 -> seg.setAtIndex(Tensor.SHORT_LE, i, (short) (Float.floatToRawIntBits(v) >>> 16));
            }
        }
        Matrix m = new DenseMatrix(new Tensor("w", dt, new long[] {N, K}, seg));
        w = wt.quantized() ? Quantizer.quantize(m, wt, arena, null) : m;
    }

    public void run(float[] x, int T, float[] out) {
        MatMulVector.matmul(w, x, T, out, Epilogue.STORE);
    }

    public void close() {
        w = null;
        arena.close();
    }
}
