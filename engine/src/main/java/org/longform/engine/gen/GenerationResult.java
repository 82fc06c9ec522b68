package org.longform.engine.gen;

import org.longform.engine.context.ContextMap;

/**
 * What a generation produced and what it cost.
 *
 * @param ids              generated token ids (a stop sequence's tokens included, its text not)
 * @param text             the text shown to the writer
 * @param reason           why it ended
 * @param promptTokens     tokens of the prompt in view (after fitting it into the window)
 * @param recomputedTokens prompt tokens that had to be computed (the rest came from the KV cache)
 * @param shiftedTokens    tokens evicted by context shifts (no recomputation)
 * @param approximateTokens prompt tokens after an edit whose K and V were kept although the text
 *                         before them changed (approximate reuse; 0 in exact mode)
 * @param contextMap       at the end, which tokens of prompt + generated ids were pinned, evicted, in view
 *                         (null when not known, e.g. for a remote server)
 */
public record GenerationResult(
        int[] ids,
        String text,
        StopReason reason,
        int promptTokens,
        int recomputedTokens,
        int shiftedTokens,
        long prefillNanos,
        long decodeNanos,
        int approximateTokens,
        ContextMap contextMap) {
    /** A result without cache details (remote generation, or a server's bookkeeping): no approximate reuse, no context map. */
    public GenerationResult(
            int[] ids,
            String text,
            StopReason reason,
            int promptTokens,
            int recomputedTokens,
            int shiftedTokens,
            long prefillNanos,
            long decodeNanos) {
        this(ids, text, reason, promptTokens, recomputedTokens, shiftedTokens, prefillNanos, decodeNanos, 0, null);
    }

    public double decodeTokensPerSecond() {
        return decodeNanos == 0 ? 0 : ids.length / (decodeNanos / 1e9);
    }

    public double prefillTokensPerSecond() {
        return prefillNanos == 0 ? 0 : recomputedTokens / (prefillNanos / 1e9);
    }
}
