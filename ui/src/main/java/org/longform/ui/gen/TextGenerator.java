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
    default long kvBytesInUse() { return 0; }

    /** The end-of-text token id. */
    int eosId();

    /**
     * The prompt to send for these ids: an empty story starts from end-of-text, as the model saw
     * at document boundaries in training (a request never holds an empty prompt).
     */
    default int[] promptOrStart(int[] promptIds) {
        return promptIds.length > 0 ? promptIds : new int[]{Math.max(0, eosId())};
    }

    /**
     * Generates on the calling thread. The listener hears the prompt's progress and each token that
     * completes text (never an empty piece); a cancelled token ends it with {@code CANCELLED}, a
     * prompt the cache cannot hold with {@code CONTEXT_FULL}.
     */
    GenerationResult generate(GenerationRequest request, TokenListener listener, CancelToken cancel);

    @Override
    void close();
}
