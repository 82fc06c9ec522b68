package org.longform.engine.kernels;

import org.longform.engine.kv.KvCache;
import org.longform.engine.quant.Matrix;

/**
 * The compute primitives of the MPT forward pass. Activations are row-major float[] with T rows.
 * Implementations: {@link ScalarBackend} (the oracle), {@link VectorBackend} (jdk.incubator.vector, threads).
 */
public interface Backend extends AutoCloseable {
    String name();

    /**
     * y[t*N + n] = sum_k W[n,k] * x[t*K + k] for t < T, with W = [N, K] in its stored or quantized
     * form; then, per {@code ep}, out = y, out += y, or out = GELU(y).
     */
    void matmul(Matrix w, float[] x, int T, float[] out, Epilogue ep);

    /** out = W x (see {@link #matmul(Matrix, float[], int, float[], Epilogue)}). */
    default void matmul(Matrix w, float[] x, int T, float[] out) {
        matmul(w, x, T, out, Epilogue.STORE);
    }

    /** out = LayerNorm(x) * weight, no bias, rows of length d. In place allowed. */
    void layerNorm(float[] x, float[] weight, float eps, int T, int d, float[] out);

    /**
     * Causal ALiBi attention of T queries over the cache of one layer. Query t sits at cache slot
     * {@code firstSlot + t} and sees slots [0, firstSlot + t]; bias = slope[h] * (key slot - query slot).
     * q is read from {@code qkv} rows of stride 3d (q first); out is [T, d].
     */
    void attention(
            float[] qkv, int T, KvCache cache, int layer, int firstSlot, float[] slopes, float scale, float[] out);

    @Override
    default void close() {}
}
