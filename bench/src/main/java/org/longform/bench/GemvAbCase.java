package org.longform.bench;

import java.lang.foreign.Arena;
import org.longform.engine.kernels.Epilogue;
import org.longform.engine.kernels.VectorBackend;
import org.longform.engine.quant.Matrix;
import org.longform.engine.quant.WeightType;

/**
 * Copies of one matrix for {@link GemvAb}, loaded once per engine build (each in its own class
 * loader), multiplied by one token through a reused one-thread {@link VectorBackend}: unlike
 * {@link GemmAbCase}'s static entry it allocates nothing per product, which at decode sizes
 * (tens of microseconds) would be part of what is timed.
 */
public final class GemvAbCase {
    private Arena arena;
    private Matrix[] w;
    private VectorBackend be;

    public void make(String type, int N, int K, int copies) {
        arena = Arena.ofShared();
        be = new VectorBackend(1);
        w = new Matrix[copies];
        for (int i = 0; i < copies; i++) w[i] = Shapes.matrix(WeightType.valueOf(type), N, K, arena, i);
    }

    /** reps products, walking the copies. */
    public void run(float[] x, float[] out, int reps) {
        for (int i = 0; i < reps; i++) be.matmul(w[i % w.length], x, 1, out, Epilogue.STORE);
    }

    public void close() {
        be.close();
        w = null;
        arena.close();
    }
}
