package org.longform.ui.gen;

/**
 * The UI's view of a loaded model: a tokenizer plus streaming generation. Implemented by
 * {@link EngineTextGenerator} (the real engine) and by fakes in tests. {@link #generate} is not
 * thread-safe: the app calls it only from its single model worker thread.
 */
public interface TextGenerator extends TokenCounter, AutoCloseable {
    ModelInfo info();

    /** Bytes of KV cache in use right now (0 if unknown). */
    default long kvBytesInUse() { return 0; }

    GenResult generate(GenRequest request, GenListener listener, Cancel cancel);

    @Override
    void close();
}
