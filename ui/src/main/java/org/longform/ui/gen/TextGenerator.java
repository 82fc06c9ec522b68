package org.longform.ui.gen;

import org.longform.engine.gen.CancelToken;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.TokenListener;

/**
 * The UI's view of a loaded model: a tokenizer plus streaming generation, in the engine's own
 * generation types. Implemented by {@link EngineTextGenerator} (the local engine),
 * {@link RemoteTextGenerator} (a server) and by fakes in tests. {@link #generate} is not
 * thread-safe: the app calls it only from its single model worker thread.
 */
public interface TextGenerator extends TokenCounter, AutoCloseable {
    ModelInfo info();

    /** Bytes of KV cache in use right now (0 if unknown). */
    default long kvBytesInUse() {
        return 0;
    }

    /**
     * Whether {@link #generate} reports each token's alternatives to a listener that asks
     * ({@code TokenListener.alternatives()}): the local engine does; a remote server is asked for logprobs
     * and reports what it sends.
     */
    default boolean reportsAlternatives() {
        return false;
    }

    /** The end-of-text token id. */
    int eosId();

    /**
     * The prompt to send for these ids: an empty story starts from end-of-text, as the model saw
     * at document boundaries in training (a request never holds an empty prompt).
     */
    default int[] promptOrStart(int[] promptIds) {
        return promptIds.length > 0 ? promptIds : new int[] {Math.max(0, eosId())};
    }

    /**
     * Generates on the calling thread. The listener hears the prompt's progress and each token that
     * completes text (never an empty piece); a cancelled token ends it with {@code CANCELLED}, a
     * prompt the cache cannot hold with {@code CONTEXT_FULL}.
     */
    GenerationResult generate(GenerationRequest request, TokenListener listener, CancelToken cancel);

    /**
     * Brings a local cache up to the request's prompt without generating, in steps a cancel can stop
     * (what was computed stays cached); null where there is no local cache (a remote server).
     */
    default GenerationResult prefill(GenerationRequest request, TokenListener listener, CancelToken cancel) {
        return null;
    }

    /**
     * Tokens of {@code promptIds} the local cache already holds (its common prefix, plus what a
     * context shift past {@code keep} pinned tokens lines up): the rest is what the next
     * generation recomputes. -1 where unknown (a remote server).
     */
    default int reusable(int[] promptIds, int keep) {
        return -1;
    }

    /** The local cache's persistence and repair (model worker only), or null where there is none (a remote server). */
    default LocalCache localCache() {
        return null;
    }

    /** The local KV cache's block size in tokens (1 where there is none): window moves go by whole blocks. */
    default int kvBlockSize() {
        return 1;
    }

    /** The token ids the local cache holds now (empty where there is none). */
    default int[] cachedTokens() {
        return new int[0];
    }

    @Override
    void close();
}
