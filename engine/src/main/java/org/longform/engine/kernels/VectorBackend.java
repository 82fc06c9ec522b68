package org.longform.engine.kernels;

import jdk.incubator.vector.FloatVector;
import org.longform.engine.io.Tensor;
import org.longform.engine.kv.KvCache;

/** jdk.incubator.vector kernels, rows split across a fixed thread pool. */
public final class VectorBackend implements Backend {
    private final Parallel par;

    public VectorBackend(int threads) { this.par = new Parallel(threads); }

    @Override public String name() {
        return "vector(" + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit, " + par.threads() + " threads)";
    }

    public int threads() { return par.threads(); }

    @Override public void matmul(Tensor w, float[] x, int T, float[] out) { MatMulVector.matmul(par, w, x, T, out); }

    @Override public void layerNorm(float[] x, float[] weight, float eps, int T, int d, float[] out) {
        par.range(T, 1, (a, b) -> {
            for (int t = a; t < b; t++) LayerNorm.vectorRow(x, t * d, weight, eps, d, out);
        });
    }

    @Override public void gelu(float[] x, int n) {
        par.range(n, 1024, (a, b) -> Gelu.vector(x, a, b));
    }

    @Override public void attention(float[] qkv, int T, KvCache cache, int layer, int firstSlot,
                                    float[] slopes, float scale, float[] out) {
        par.range(T * cache.pool().heads, 1, (a, b) -> Attention.run(true, qkv, T, cache, layer, firstSlot, slopes, scale, out, a, b));
    }

    @Override public void close() { par.close(); }
}
