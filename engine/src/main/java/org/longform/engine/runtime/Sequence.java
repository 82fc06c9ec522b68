package org.longform.engine.runtime;

import java.util.function.BooleanSupplier;

/**
 * The token sequence a session caches, and what can be done to it: what {@link Session} (CPU or
 * device) and {@link DeviceSession} (the accelerator's own) have in common, so code that only feeds,
 * reads logits and evicts (the fixture cases, run on both) takes either.
 */
public interface Sequence {
    @FunctionalInterface
    interface LogitsConsumer {
        /** Logits of the token at cache slot {@code position}, in {@code row[offset, offset + vocab)}. */
        void accept(int position, float[] row, int offset);
    }

    @FunctionalInterface
    interface Progress {
        void update(int done, int total);
    }

    /** Tokens the KV cache holds: the largest window possible. */
    int capacity();

    /** Number of tokens in the cache. */
    int length();

    int[] tokens();

    /** Logits after the last fed token (valid after a feed). */
    float[] lastLogits();

    /** Tokens recomputed by the last sync. */
    int lastRecomputed();

    /** The KV element type in use, lower case ("f32", "bf16"). */
    String kvDType();

    /** Bytes of K and V per cached token, where they are kept. */
    long kvBytesPerToken();

    default float[] feed(int... ids) {
        return feed(ids, 0, ids.length, null, null, null);
    }

    /**
     * Appends ids[from, to) to the sequence in chunks. With a consumer, every position's logits are
     * computed and handed over; otherwise only the last one's. Returns the last logits; on
     * cancellation returns null after the chunk that was running (the cache stays consistent).
     */
    float[] feed(int[] ids, int from, int to, LogitsConsumer each, Progress progress, BooleanSupplier cancelled);

    /**
     * Makes the cache hold exactly {@code prompt}: keeps the longest common prefix with what is
     * cached, drops the rest, feeds the remainder. At least the last token is always recomputed so
     * fresh logits exist. Returns the last logits (null if cancelled).
     */
    float[] sync(int[] prompt, Progress progress, BooleanSupplier cancelled);

    /** Drops cache slots [start, end); survivors keep their K and V (no recompute). */
    void evict(int start, int end);

    /** Forgets everything cached. */
    void reset();
}
