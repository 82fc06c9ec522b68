package org.longform.engine.quant;

import org.longform.engine.io.Tensor;

/** A matrix exactly as the checkpoint stores it (mapped, never copied). */
public record DenseMatrix(Tensor tensor) implements Matrix {
    public DenseMatrix {
        if (tensor.shape().length != 2) throw new IllegalArgumentException(tensor.describe() + " is not a matrix");
    }

    @Override
    public String name() {
        return tensor.name();
    }

    @Override
    public int rows() {
        return tensor.rows();
    }

    @Override
    public int cols() {
        return tensor.cols();
    }

    @Override
    public WeightType type() {
        return WeightType.of(tensor.dtype());
    }

    @Override
    public long byteSize() {
        return tensor.data().byteSize();
    }

    @Override
    public void row(int r, float[] dst, int off) {
        int K = cols();
        long base = (long) r * K;
        for (int k = 0; k < K; k++) dst[off + k] = tensor.get(base + k);
    }

    @Override
    public float get(int r, int c) {
        return tensor.get((long) r * cols() + c);
    }
}
