package org.longform.ui.gen;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import org.longform.engine.io.ModelFormatException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A Hugging Face tokenizer.json through DJL, the same library the engine uses, so counts match
 * the ids the model gets. Thread-safe (the native tokenizer is immutable). Interim until the
 * engine's own Tokenizer is merged into this branch.
 */
public final class HfTokenizer implements TokenCounter, AutoCloseable {
    private final HuggingFaceTokenizer hf;
    private final int eos;

    private HfTokenizer(HuggingFaceTokenizer hf) {
        this.hf = hf;
        long[] ids = hf.encode("<|endoftext|>", false, false).getIds();
        this.eos = ids.length == 1 ? (int) ids[0] : -1;
    }

    /** Throws {@link ModelFormatException} naming the file if it cannot be loaded. */
    public static HfTokenizer load(Path file) {
        // Exact ids: no special tokens added, no truncation (a whole novel must be counted whole).
        Map<String, String> options = Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");
        try (InputStream in = Files.newInputStream(file)) {
            return new HfTokenizer(HuggingFaceTokenizer.newInstance(in, options));
        } catch (IOException | RuntimeException e) {
            throw new ModelFormatException(file, "cannot load tokenizer: " + e.getMessage(), e);
        }
    }

    public int eosId() { return eos; }

    @Override
    public int[] encode(String text) {
        if (text.isEmpty()) return new int[0];
        long[] ids = hf.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = (int) ids[i];
        return out;
    }

    @Override
    public String decode(int[] ids) {
        if (ids.length == 0) return "";
        long[] wide = new long[ids.length];
        for (int i = 0; i < ids.length; i++) wide[i] = ids[i];
        return hf.decode(wide, false);
    }

    @Override
    public void close() { hf.close(); }
}
