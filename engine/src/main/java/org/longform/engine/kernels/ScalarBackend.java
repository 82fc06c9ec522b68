package org.longform.engine.kernels;

import org.longform.engine.kv.KvCache;
import org.longform.engine.quant.Matrix;

/** Plain single-threaded loops: slow, obvious, the oracle for every faster backend. */
public final class ScalarBackend implements Backend {
    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void matmul(Matrix w, float[] x, int T, float[] out, Epilogue ep) {
        MatMulScalar.matmul(w, x, T, out, ep);
    }

    @Override
    public void layerNorm(float[] x, float[] weight, float eps, int T, int d, float[] out) {
        for (int t = 0; t < T; t++) LayerNorm.scalarRow(x, t * d, weight, eps, d, out);
    }

    @Override
    public void attention(
            float[] qkv, int T, KvCache cache, int layer, int firstSlot, float[] slopes, float scale, float[] out) {
        Attention.run(false, qkv, T, cache, layer, firstSlot, slopes, scale, out, 0, T * cache.pool().heads);
    }
}
