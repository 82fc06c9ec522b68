package org.longform.engine.token;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import org.longform.engine.io.ModelFormatException;

/**
 * The model's byte-level BPE tokenizer (GPT-NeoX-20B for MPT-7B-StoryWriter), loaded offline from a
 * Hugging Face {@code tokenizer.json}.
 *
 * <p>Encoding and decoding are done by the Hugging Face Rust implementation (through DJL) so ids match
 * the reference tokenizer bit for bit. The vocabulary table itself is read with Jackson, because DJL
 * exposes no id-to-token lookup.
 *
 * <p>Thread-safety: after {@link #load} returns, {@link #encode}, {@link #decode} and the lookups may be
 * called from any number of threads at once (the native tokenizer is immutable and {@code Sync}).
 * {@link #close()} must not race with any other call; use after close throws {@link IllegalStateException}.
 */
public final class Tokenizer implements AutoCloseable {
    /** GPT-2 style byte-level BPE stores each byte as a printable code point; this undoes that mapping. */
    private static final int[] CODE_POINT_TO_BYTE = byteLevelDecoderTable();

    private final Path source;
    private final HuggingFaceTokenizer native_;
    /** Vocabulary piece for every id (byte-level form, e.g. "Ġthe"); null for unused ids. */
    private final String[] pieces;
    /** Ids of added tokens (special or not): their piece is literal text, not byte-level encoded. */
    private final boolean[] added;

    private final int eosId;
    private volatile boolean closed;

    private Tokenizer(Path source, HuggingFaceTokenizer nativeTokenizer, String[] pieces, boolean[] added, int eosId) {
        this.source = source;
        this.native_ = nativeTokenizer;
        this.pieces = pieces;
        this.added = added;
        this.eosId = eosId;
    }

    /**
     * Loads {@code tokenizer.json}. Any problem with the file (missing, unreadable, not JSON, not a
     * tokenizer the native library accepts) becomes a {@link ModelFormatException} naming the file.
     */
    public static Tokenizer load(Path tokenizerJson) {
        if (tokenizerJson == null) {
            throw new ModelFormatException(null, "no tokenizer file given");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(tokenizerJson);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(tokenizerJson, "tokenizer file not found");
        } catch (IOException e) {
            throw new ModelFormatException(tokenizerJson, "cannot read tokenizer file: " + e.getMessage(), e);
        }

        JsonNode root;
        try {
            root = new ObjectMapper().readTree(bytes);
        } catch (JacksonException e) {
            throw new ModelFormatException(
                    tokenizerJson, "tokenizer file is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ModelFormatException(tokenizerJson, "cannot parse tokenizer file: " + e.getMessage(), e);
        }
        JsonNode vocab = root == null ? null : root.path("model").get("vocab");
        if (vocab == null || !vocab.isObject() || vocab.isEmpty()) {
            throw new ModelFormatException(tokenizerJson, "tokenizer file has no model.vocab table");
        }

        // Size the table by the largest id: added tokens (e.g. NeoX's whitespace runs) sit above model.vocab.
        int maxId = -1;
        for (JsonNode id : vocab) {
            maxId = Math.max(maxId, id.asInt(-1));
        }
        JsonNode addedTokens = root.path("added_tokens");
        for (JsonNode t : addedTokens) {
            maxId = Math.max(maxId, t.path("id").asInt(-1));
        }
        String[] pieces = new String[maxId + 1];
        boolean[] added = new boolean[maxId + 1];
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id = e.getValue().asInt(-1);
            if (id >= 0) {
                pieces[id] = e.getKey();
            }
        }
        int eos = -1;
        for (JsonNode t : addedTokens) {
            int id = t.path("id").asInt(-1);
            String content = t.path("content").asText(null);
            if (id >= 0 && content != null) {
                pieces[id] = content;
                added[id] = true;
                if (content.equals("<|endoftext|>")) {
                    eos = id;
                }
            }
        }

        // Exact, unmodified encoding: no BOS/EOS, no truncation (a whole novel must stay whole), no padding.
        Map<String, String> options = Map.of(
                "addSpecialTokens", "false",
                "truncation", "false",
                "padding", "false");
        HuggingFaceTokenizer hf;
        try {
            hf = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(bytes), options);
        } catch (IOException | RuntimeException e) {
            throw new ModelFormatException(
                    tokenizerJson, "tokenizer file rejected by the tokenizer library: " + e.getMessage(), e);
        } catch (LinkageError e) {
            throw new ModelFormatException(
                    tokenizerJson, "native tokenizer library could not be loaded: " + e.getMessage(), e);
        }
        return new Tokenizer(tokenizerJson, hf, pieces, added, eos);
    }

    /** Token ids for {@code text}, exactly as the reference tokenizer produces them (no special tokens). */
    public int[] encode(String text) {
        checkOpen();
        if (text.isEmpty()) {
            return new int[0];
        }
        long[] ids = native_.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    /**
     * Text for {@code ids}; special tokens are kept as their literal text. Inverse of {@link #encode} for
     * NFC text (encode applies the tokenizer's NFC normalizer, so decomposed accents come back composed).
     */
    public String decode(int[] ids) {
        return decode(ids, 0, ids.length);
    }

    /** Text for {@code ids[from, to)}; avoids copying when streaming from a longer history. */
    public String decode(int[] ids, int from, int to) {
        checkOpen();
        Objects.checkFromToIndex(from, to, ids.length);
        if (from == to) {
            return "";
        }
        long[] wide = new long[to - from];
        for (int i = from; i < to; i++) {
            wide[i - from] = ids[i];
        }
        // Pass skipSpecialTokens=false explicitly: DJL's one-argument decode derives it from addSpecialTokens.
        return native_.decode(wide, false);
    }

    /** Number of token ids the tokenizer knows (50277 for NeoX; the model's embedding is padded to 50432). */
    public int vocabSize() {
        return pieces.length;
    }

    /**
     * The vocabulary entry for {@code id} as stored in {@code tokenizer.json}: byte-level form for ordinary
     * tokens (a leading space shows as "Ġ"), literal text for added tokens. Null if the id is unused.
     */
    public String tokenText(int id) {
        return id >= 0 && id < pieces.length ? pieces[id] : null;
    }

    /**
     * The exact UTF-8 bytes {@code id} contributes to decoded text. A token may hold only part of a
     * multi-byte character, so these are bytes, not a string. Empty for unknown ids.
     */
    public byte[] tokenBytes(int id) {
        String piece = tokenText(id);
        if (piece == null) {
            return new byte[0];
        }
        if (added[id]) {
            return piece.getBytes(StandardCharsets.UTF_8);
        }
        byte[] out = new byte[piece.length()];
        int n = 0;
        for (int i = 0; i < piece.length(); ) {
            int cp = piece.codePointAt(i);
            int b = cp < CODE_POINT_TO_BYTE.length ? CODE_POINT_TO_BYTE[cp] : -1;
            if (b < 0) {
                // Same fallback as the Rust ByteLevel decoder: a piece outside the alphabet is literal text.
                return piece.getBytes(StandardCharsets.UTF_8);
            }
            out[n++] = (byte) b;
            i += Character.charCount(cp);
        }
        return Arrays.copyOf(out, n);
    }

    /** Id of {@code <|endoftext|>} (0 for GPT-NeoX), or -1 if the vocabulary has none. */
    public int eosId() {
        return eosId;
    }

    /** The file this tokenizer was loaded from. */
    public Path source() {
        return source;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            native_.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("tokenizer " + source + " is closed");
        }
    }

    /** Inverse of GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to U+0100 onwards. */
    private static int[] byteLevelDecoderTable() {
        int[] table = new int[0x200];
        Arrays.fill(table, -1);
        int next = 0x100;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[printable ? b : next++] = b;
        }
        return table;
    }
}
