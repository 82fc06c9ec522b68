package org.longform.engine.runtime;

import org.longform.engine.kernels.Alibi;
import org.longform.engine.kernels.Backend;
import org.longform.engine.kernels.Epilogue;
import org.longform.engine.kv.KvCache;
import org.longform.engine.kv.KvPool;
import org.longform.engine.model.Config;
import org.longform.engine.model.Weights;

/** The MPT forward pass over one chunk of tokens, appended to a sequence's KV cache. */
public final class Transformer {
    private final Config c;
    private final Weights w;
    private final Backend be;
    private final float[] slopes;

    public Transformer(Config c, Weights w, Backend be) {
        this.c = c;
        this.w = w;
        this.be = be;
        this.slopes = Alibi.slopes(c.nHeads(), c.alibiBiasMax());
    }

    public Backend backend() {
        return be;
    }

    /**
     * Feeds tokens[off, off + T) after the cached slots. Logits land in {@code s.logits}: one row
     * per token when {@code allRows}, else only the last token's row (row 0).
     */
    public void forward(State s, KvCache cache, int[] tokens, int off, int T, boolean allRows) {
        forward(s, cache, tokens, off, T, allRows, true);
    }

    /**
     * As above; without {@code logits} the final norm and LM head are skipped (a prefill chunk
     * whose logits nobody reads: the LM head is the largest matrix, 50432 x d).
     */
    public void forward(State s, KvCache cache, int[] tokens, int off, int T, boolean allRows, boolean logits) {
        if (T < 1 || T > s.maxChunk)
            throw new IllegalArgumentException("chunk of " + T + " tokens (max " + s.maxChunk + ")");
        int d = c.dModel(), ff = c.dFf(), V = c.vocabSize();
        int past = cache.length();
        if (!cache.reserve(T)) {
            KvPool p = cache.pool();
            throw new ContextFullException("the KV cache holds " + p.capacityTokens() + " tokens (" + p.bytesPerToken()
                    + " bytes per token) and " + past + " are in use; " + T + " more do not fit");
        }
        // token embeddings
        for (int t = 0; t < T; t++) {
            int id = tokens[off + t];
            if (id < 0 || id >= V)
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + V + ")");
            embed(id, s.x, t * d);
        }
        for (int l = 0; l < c.nLayers(); l++) {
            Weights.Layer L = w.layers[l];
            // attention block
            be.layerNorm(s.x, L.norm1(), c.normEps(), T, d, s.xb);
            be.matmul(L.wqkv(), s.xb, T, s.qkv);
            if (c.clipQkv() > 0) clamp(s.qkv, T * 3 * d, c.clipQkv());
            storeKv(s.qkv, T, cache, l, past);
            be.attention(s.qkv, T, cache, l, past, slopes, c.softmaxScale(), s.att);
            be.matmul(L.outProj(), s.att, T, s.x, Epilogue.ADD); // x += out_proj(att)
            // MLP block
            be.layerNorm(s.x, L.norm2(), c.normEps(), T, d, s.xb);
            be.matmul(L.up(), s.xb, T, s.hb, Epilogue.GELU); // hb = gelu(up(xb))
            be.matmul(L.down(), s.hb, T, s.x, Epilogue.ADD); // x += down(hb)
        }
        cache.advance(T);
        if (!logits && !allRows) return;
        // final norm and the tied LM head
        if (allRows) {
            be.layerNorm(s.x, w.normF, c.normEps(), T, d, s.xb);
            be.matmul(w.lmHead, s.xb, T, s.logitRows(T));
        } else {
            System.arraycopy(s.x, (T - 1) * d, s.xb, 0, d);
            be.layerNorm(s.xb, w.normF, c.normEps(), 1, d, s.xb);
            be.matmul(w.lmHead, s.xb, 1, s.logits);
        }
        if (c.logitScale() != 1f) {
            int n = (allRows ? T : 1) * V;
            for (int i = 0; i < n; i++) s.logits[i] *= c.logitScale();
        }
    }

    private void embed(int id, float[] x, int off) {
        w.wte.row(id, x, off);
    }

    /** Writes the k and v parts of each token's qkv row into its cache slot (converted to the page dtype). */
    private static void storeKv(float[] qkv, int T, KvCache cache, int layer, int past) {
        KvPool p = cache.pool();
        int hd = p.headDim, d = p.heads * hd;
        for (int t = 0; t < T; t++) {
            for (int h = 0; h < p.heads; h++) {
                cache.writeRow(past + t, layer, 0, h, qkv, t * 3 * d + d + h * hd);
                cache.writeRow(past + t, layer, 1, h, qkv, t * 3 * d + 2 * d + h * hd);
            }
        }
    }

    private static void clamp(float[] a, int n, float lim) {
        for (int i = 0; i < n; i++) a[i] = Math.max(-lim, Math.min(lim, a[i]));
    }
}
