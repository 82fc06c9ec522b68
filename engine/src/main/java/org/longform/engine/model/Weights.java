package org.longform.engine.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.longform.engine.io.ModelFormatException;
import org.longform.engine.io.Tensor;
import org.longform.engine.quant.DenseMatrix;
import org.longform.engine.quant.Matrix;
import org.longform.engine.quant.WeightType;

/**
 * The model's weights. Matrices are read by the kernels in the form they have: mapped as stored
 * (bf16/f16/f32, never copied) or block-quantized ({@link org.longform.engine.quant.QuantMatrix});
 * only the tiny LayerNorm vectors are widened to float[] on the heap.
 */
public final class Weights {
    public final Matrix wte; // [vocab, d]   token embeddings
    public final Matrix lmHead; // [vocab, d]   the LM head: wte itself for MPT (tied), unless a file has its own
    public final Layer[] layers;
    public final float[] normF; // [d]          final LayerNorm weight

    public record Layer(
            float[] norm1, // [d]
            Matrix wqkv, // [3d, d]   fused q,k,v projection
            Matrix outProj, // [d, d]
            float[] norm2, // [d]
            Matrix up, // [dFf, d]
            Matrix down) {} // [d, dFf]

    public Weights(Matrix wte, Matrix lmHead, Layer[] layers, float[] normF) {
        this.wte = wte;
        this.lmHead = lmHead != null ? lmHead : wte;
        this.layers = layers;
        this.normF = normF;
    }

    /** From a hub checkpoint's tensors (names as MPT's PyTorch modules have them). */
    public Weights(Config c, Map<String, Tensor> t, Path where) {
        int d = c.dModel(), ff = c.dFf();
        wte = new DenseMatrix(need(t, "transformer.wte.weight", where, c.vocabSize(), d));
        lmHead = wte;
        layers = new Layer[c.nLayers()];
        for (int l = 0; l < layers.length; l++) {
            String p = "transformer.blocks." + l + ".";
            layers[l] = new Layer(
                    vec(need(t, p + "norm_1.weight", where, d)),
                    new DenseMatrix(need(t, p + "attn.Wqkv.weight", where, 3L * d, d)),
                    new DenseMatrix(need(t, p + "attn.out_proj.weight", where, d, d)),
                    vec(need(t, p + "norm_2.weight", where, d)),
                    new DenseMatrix(need(t, p + "ffn.up_proj.weight", where, ff, d)),
                    new DenseMatrix(need(t, p + "ffn.down_proj.weight", where, d, ff)));
        }
        normF = vec(need(t, "transformer.norm_f.weight", where, d));
        if (t.containsKey("transformer.wpe.weight")) {
            throw new ModelFormatException(
                    where,
                    "checkpoint has learned position embeddings (transformer.wpe.weight); only ALiBi models are supported");
        }
        for (String name : t.keySet()) {
            if (name.endsWith(".bias"))
                throw new ModelFormatException(
                        where, "checkpoint has bias tensors (" + name + "); only no_bias MPT models are supported");
        }
    }

    /** The same weights with every matrix replaced by {@code f} of it (a tied head stays tied). */
    public Weights map(UnaryOperator<Matrix> f) {
        Matrix e = f.apply(wte);
        Matrix head = lmHead == wte ? e : f.apply(lmHead);
        Layer[] ls = new Layer[layers.length];
        for (int i = 0; i < ls.length; i++) {
            Layer L = layers[i];
            ls[i] = new Layer(
                    L.norm1(), f.apply(L.wqkv()), f.apply(L.outProj()), L.norm2(), f.apply(L.up()), f.apply(L.down()));
        }
        return new Weights(e, head, ls, normF);
    }

    /** Every distinct matrix, embedding first. */
    public List<Matrix> matrices() {
        List<Matrix> all = new ArrayList<>();
        all.add(wte);
        if (lmHead != wte) all.add(lmHead);
        for (Layer L : layers) all.addAll(List.of(L.wqkv(), L.outProj(), L.up(), L.down()));
        return all;
    }

    /** Bytes of weights a decoded token reads: every matrix once (the embedding once, as the LM head, when tied). */
    public long bytesPerToken() {
        long b = 0;
        for (Matrix m : matrices()) b += m.byteSize();
        return b;
    }

    /**
     * Bytes the matrices of a model of this shape take once loaded as {@code type} (the stored dense
     * form, or q8_0 / q4_0 quantized at load): what {@link #bytesPerToken} will say, known before
     * loading. The embedding counts once (tied), and under q4_0 at q8_0, as {@link Model#load} keeps it.
     */
    public static long bytesFor(Config c, WeightType type) {
        long d = c.dModel(), ff = c.dFf();
        WeightType embedding = type == WeightType.Q4_0 ? WeightType.Q8_0 : type;
        long layer = bytes(3 * d * d, type) + bytes(d * d, type) + 2 * bytes(ff * d, type);
        return bytes(c.vocabSize() * d, embedding) + c.nLayers() * layer;
    }

    /** Rows are whole blocks (d_model and d_ff are multiples of 32), so values / 32 blocks. */
    private static long bytes(long values, WeightType t) {
        return values / t.blockSize * t.blockBytes;
    }

    static Tensor need(Map<String, Tensor> t, String name, Path where, long... shape) {
        Tensor x = t.get(name);
        if (x == null) throw new ModelFormatException(where, "tensor '" + name + "' is missing");
        if (!Arrays.equals(x.shape(), shape)) {
            throw new ModelFormatException(
                    where,
                    "tensor '" + name + "' has shape " + Arrays.toString(x.shape()) + ", config.json implies "
                            + Arrays.toString(shape));
        }
        return x;
    }

    static float[] vec(Tensor t) {
        float[] v = new float[(int) t.numel()];
        for (int i = 0; i < v.length; i++) v[i] = t.get(i);
        return v;
    }
}
