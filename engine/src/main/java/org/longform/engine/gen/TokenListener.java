package org.longform.engine.gen;

/** Receives progress and streamed text on the generating thread; hand work to the UI thread yourself. */
public interface TokenListener {
    /** Prompt processing: {@code done} of {@code total} tokens that had to be computed. */
    default void onPrefill(int done, int total) {}

    /** One generated token and the text it completed ("" while a multi-byte character is unfinished or a possible stop sequence is held back). */
    default void onToken(int id, String text) {}

    TokenListener NONE = new TokenListener() {};
}
