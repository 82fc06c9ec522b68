package org.longform.engine.gen;

/** Receives progress and streamed text on the generating thread; hand work to the UI thread yourself. */
public interface TokenListener {
    /** Prompt processing: {@code done} of {@code total} tokens that had to be computed. */
    default void onPrefill(int done, int total) {}

    /** One generated token and the text it completed ("" while a multi-byte character is unfinished or a possible stop sequence is held back). */
    default void onToken(int id, String text) {}

    /** How many alternatives per token {@link #onChoice} wants; 0 (the default) and the engine computes none. */
    default int alternatives() {
        return 0;
    }

    /** The token {@link #onToken} streams next, with its alternatives; only when {@link #alternatives()} > 0. */
    default void onChoice(TokenChoice choice) {}

    TokenListener NONE = new TokenListener() {};
}
