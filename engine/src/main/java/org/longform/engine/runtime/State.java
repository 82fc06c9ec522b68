package org.longform.engine.runtime;

import org.longform.engine.model.Config;

/** Activation buffers for chunks of up to {@code maxChunk} tokens, allocated once per session. */
public final class State {
    public final int maxChunk;
    public final float[] x; // [T, d]    residual stream
    public final float[] xb; // [T, d]    normed input / projection output
    public final float[] qkv; // [T, 3d]
    public final float[] att; // [T, d]    attention output before out_proj
    public final float[] hb; // [T, dFf]  MLP hidden
    public float[] logits; // [rows, vocab]: one row, grown to T rows the first time every row is asked for
    private final int vocab;

    public State(Config c, int maxChunk) {
        this.maxChunk = maxChunk;
        int d = c.dModel();
        x = new float[maxChunk * d];
        xb = new float[maxChunk * d];
        qkv = new float[maxChunk * 3 * d];
        att = new float[maxChunk * d];
        hb = new float[maxChunk * c.dFf()];
        vocab = c.vocabSize();
        logits = new float[vocab]; // a chunk of every row's logits is 100 MB at 512 tokens: only when asked
    }

    /** Makes {@link #logits} hold at least {@code rows} rows. */
    public float[] logitRows(int rows) {
        if (logits.length < (long) rows * vocab) logits = new float[Math.multiplyExact(rows, vocab)];
        return logits;
    }
}
