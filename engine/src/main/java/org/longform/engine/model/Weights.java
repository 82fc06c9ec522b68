package org.longform.engine.model;

import org.longform.engine.io.ModelFormatException;
import org.longform.engine.io.Tensor;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * The model's weights. Matrices stay in mapped memory as stored (bf16/f16/f32); only the tiny
 * LayerNorm vectors are widened to float[] on the heap.
 */
public final class Weights {
    public final Tensor wte;          // [vocab, d]   token embeddings, also the tied LM head
    public final Layer[] layers;
    public final float[] normF;       // [d]          final LayerNorm weight

    public record Layer(
            float[] norm1,   // [d]
            Tensor wqkv,     // [3d, d]   fused q,k,v projection
            Tensor outProj,  // [d, d]
            float[] norm2,   // [d]
            Tensor up,       // [dFf, d]
            Tensor down) {}  // [d, dFf]

    public Weights(Config c, Map<String, Tensor> t, Path where) {
        int d = c.dModel(), ff = c.dFf();
        wte = need(t, "transformer.wte.weight", where, c.vocabSize(), d);
        layers = new Layer[c.nLayers()];
        for (int l = 0; l < layers.length; l++) {
            String p = "transformer.blocks." + l + ".";
            layers[l] = new Layer(
                    vec(need(t, p + "norm_1.weight", where, d)),
                    need(t, p + "attn.Wqkv.weight", where, 3L * d, d),
                    need(t, p + "attn.out_proj.weight", where, d, d),
                    vec(need(t, p + "norm_2.weight", where, d)),
                    need(t, p + "ffn.up_proj.weight", where, ff, d),
                    need(t, p + "ffn.down_proj.weight", where, d, ff));
        }
        normF = vec(need(t, "transformer.norm_f.weight", where, d));
        if (t.containsKey("transformer.wpe.weight")) {
            throw new ModelFormatException(where, "checkpoint has learned position embeddings (transformer.wpe.weight); only ALiBi models are supported");
        }
        for (String name : t.keySet()) {
            if (name.endsWith(".bias")) throw new ModelFormatException(where, "checkpoint has bias tensors (" + name + "); only no_bias MPT models are supported");
        }
    }

    private static Tensor need(Map<String, Tensor> t, String name, Path where, long... shape) {
        Tensor x = t.get(name);
        if (x == null) throw new ModelFormatException(where, "tensor '" + name + "' is missing");
        if (!Arrays.equals(x.shape(), shape)) {
            throw new ModelFormatException(where, "tensor '" + name + "' has shape " + Arrays.toString(x.shape()) + ", config.json implies " + Arrays.toString(shape));
        }
        return x;
    }

    private static float[] vec(Tensor t) {
        float[] v = new float[(int) t.numel()];
        for (int i = 0; i < v.length; i++) v[i] = t.get(i);
        return v;
    }
}
