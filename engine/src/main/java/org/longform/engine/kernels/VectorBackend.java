package org.longform.engine.kernels;

import jdk.incubator.vector.FloatVector;
import org.longform.engine.kv.KvCache;
import org.longform.engine.quant.Matrix;

/** jdk.incubator.vector kernels on a fixed team of threads; matrix products allocate nothing per call. */
public final class VectorBackend implements Backend {
    private final Parallel par;
    private final MatMulVector.Job mm;
    private final AttentionJob att;
    private final Activations activations;

    public VectorBackend(int threads) {
        this(threads, Activations.EXACT);
    }

    /** {@link Activations#Q8}: one-token k-quant products round x to int8 ({@link MatMulInt8}; an approximation). */
    public VectorBackend(int threads, Activations activations) {
        this.par = new Parallel(threads);
        this.activations = activations;
        this.mm = new MatMulVector.Job(par.threads(), activations);
        this.att = new AttentionJob(par.threads());
    }

    @Override
    public String name() {
        return "vector(" + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit, " + par.threads() + " threads"
                + (activations == Activations.Q8 ? ", q8 activations" : "") + ")";
    }

    public int threads() {
        return par.threads();
    }

    public Parallel parallel() {
        return par;
    }

    @Override
    public void matmul(Matrix w, float[] x, int T, float[] out, Epilogue ep) {
        mm.set(w, x, T, out, ep);
        // regrouping x is T x K copies: on the team too, or the caller does it alone while the others wait
        if (mm.needsInterleave()) par.range(w.cols(), 256, mm::interleave);
        par.run(mm);
    }

    @Override
    public void layerNorm(float[] x, float[] weight, float eps, int T, int d, float[] out) {
        if (T < 8) {
            for (int t = 0; t < T; t++) LayerNorm.vectorRow(x, t * d, weight, eps, d, out);
            return;
        }
        par.range(T, 1, (a, b) -> {
            for (int t = a; t < b; t++) LayerNorm.vectorRow(x, t * d, weight, eps, d, out);
        });
    }

    @Override
    public void attention(
            float[] qkv, int T, KvCache cache, int layer, int firstSlot, float[] slopes, float scale, float[] out) {
        par.run(att.set(qkv, T, cache, layer, firstSlot, slopes, scale, out));
    }

    @Override
    public void close() {
        par.close();
    }
}
