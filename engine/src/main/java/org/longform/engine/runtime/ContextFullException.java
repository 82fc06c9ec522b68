package org.longform.engine.runtime;

/** The KV cache cannot take more tokens within its memory budget. */
public class ContextFullException extends RuntimeException {
    public ContextFullException(String message) {
        super(message);
    }
}
