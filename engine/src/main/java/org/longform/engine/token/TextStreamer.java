package org.longform.engine.token;

import java.util.Arrays;

/**
 * Turns generated token ids into text as they arrive.
 *
 * <p>Byte-level BPE tokens can end in the middle of a UTF-8 character (an em dash or an emoji is often
 * split over two to four tokens), so decoding one token at a time would show U+FFFD garbage. This keeps a
 * short window of ids: the tokens last emitted (context) plus those not yet emitted (pending). Each push
 * decodes only that window and returns what it adds beyond the context, holding it back while it still
 * ends in U+FFFD. Work per token is bounded by the window, never by the length of the story.
 *
 * <p>For valid UTF-8 output the concatenation of everything returned by {@link #push} and {@link #flush}
 * equals {@code tokenizer.decode(allIds)}. Not thread-safe: use one streamer per generation.
 */
public final class TextStreamer {
    /**
     * Pending tokens held at most before text is forced out even if it ends in U+FFFD. A real character
     * needs at most four byte tokens; a longer run means the model produced invalid UTF-8, and holding it
     * forever would stall the stream and grow the window.
     */
    static final int MAX_PENDING = 8;

    private static final char REPLACEMENT = '\uFFFD';

    private final Tokenizer tokenizer;
    /** ids[0, contextLen) were already emitted; ids[contextLen, len) are pending. */
    private final int[] ids = new int[2 * MAX_PENDING];

    private int contextLen;
    private int len;
    /** Decoded text of ids[0, contextLen), kept so each push decodes only once. */
    private String contextText = "";

    public TextStreamer(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds one generated token and returns the text it completes; "" while a character is unfinished. */
    public String push(int id) {
        ids[len++] = id;
        String window = tokenizer.decode(ids, 0, len);
        int pending = len - contextLen;
        boolean unfinished =
                window.length() <= contextText.length() || window.charAt(window.length() - 1) == REPLACEMENT;
        if (unfinished && pending < MAX_PENDING) {
            return "";
        }
        return emit(window);
    }

    /** Returns any held-back text (possibly ending in U+FFFD) and starts over with an empty window. */
    public String flush() {
        String rest = len > contextLen ? emit(tokenizer.decode(ids, 0, len)) : "";
        reset();
        return rest;
    }

    /** Forgets all state, e.g. before streaming an unrelated continuation. */
    public void reset() {
        Arrays.fill(ids, 0);
        contextLen = 0;
        len = 0;
        contextText = "";
    }

    /** Returns the part of {@code window} beyond the context and makes the pending tokens the new context. */
    private String emit(String window) {
        // The context ended on a complete character, so its text is a prefix of the window's text.
        String out = window.startsWith(contextText)
                ? window.substring(contextText.length())
                : window.substring(Math.min(contextText.length(), window.length()));
        int pending = len - contextLen;
        System.arraycopy(ids, contextLen, ids, 0, pending);
        contextLen = pending;
        len = pending;
        contextText = tokenizer.decode(ids, 0, len);
        return out;
    }
}
