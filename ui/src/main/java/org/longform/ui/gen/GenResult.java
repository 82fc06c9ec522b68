package org.longform.ui.gen;

/** What a generation produced and how long it took. */
public record GenResult(String text, int tokens, Stop reason, int promptTokens, int recomputedTokens,
                        long prefillNanos, long decodeNanos) {
    /** Why generation ended (mirrors the engine's StopReason). */
    public enum Stop { MAX_TOKENS, STOP_SEQUENCE, EOS, CANCELLED, CONTEXT_FULL }

    public double tokensPerSecond() {
        return decodeNanos <= 0 ? 0 : tokens * 1e9 / decodeNanos;
    }
}
