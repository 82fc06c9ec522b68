package org.longform.engine.quant;

/**
 * A weight matrix [rows, cols] in one of the stored forms the kernels read directly: dense
 * (a mapped {@link org.longform.engine.io.Tensor} in f32, f16 or bf16) or block-quantized
 * ({@link QuantMatrix}: q8_0 or q4_0; {@link KQuantMatrix}: GGML's Q4_K, Q5_K and Q6_K blocks as
 * stored). Row r is output feature r; cols is the input size.
 */
public sealed interface Matrix permits DenseMatrix, QuantMatrix, KQuantMatrix {
    String name();

    int rows();

    int cols();

    WeightType type();

    /** Bytes a full pass over the matrix reads (what a decoded token costs in memory traffic). */
    long byteSize();

    /** Row r widened to float into dst[off, off + cols): the exact value every kernel computes with. */
    void row(int r, float[] dst, int off);

    /** One element as float (slow; tests and odd paths). */
    default float get(int r, int c) {
        float[] tmp = new float[cols()];
        row(r, tmp, 0);
        return tmp[c];
    }

    default String describe() {
        return name() + " " + type().label() + "[" + rows() + ", " + cols() + "]";
    }
}
