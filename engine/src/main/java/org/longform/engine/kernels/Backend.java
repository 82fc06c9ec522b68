package org.longform.engine.kernels;

import org.longform.engine.io.Tensor;
import org.longform.engine.kv.KvCache;

/**
 * The compute primitives of the MPT forward pass. Activations are row-major float[] with T rows.
 * Implementations: {@link ScalarBackend} (the oracle), {@link VectorBackend} (jdk.incubator.vector, threads).
 */
public interface Backend extends AutoCloseable {
    String name();

    /** out[t*N + n] = sum_k W[n,k] * x[t*K + k] for t < T, with W = [N, K] as stored. */
    void matmul(Tensor w, float[] x, int T, float[] out);

    /** out = LayerNorm(x) * weight, no bias, rows of length d. In place allowed. */
    void layerNorm(float[] x, float[] weight, float eps, int T, int d, float[] out);

    /** x = x * Phi(x) with the exact erf, in place over the first n values. */
    void gelu(float[] x, int n);

    /**
     * Causal ALiBi attention of T queries over the cache of one layer. Query t sits at cache slot
     * {@code firstSlot + t} and sees slots [0, firstSlot + t]; bias = slope[h] * (key slot - query slot).
     * q is read from {@code qkv} rows of stride 3d (q first); out is [T, d].
     */
    void attention(float[] qkv, int T, KvCache cache, int layer, int firstSlot,
                   float[] slopes, float scale, float[] out);

    @Override
    default void close() {}
}
