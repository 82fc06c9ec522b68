package org.longform.engine.gen;

/** Set from any thread (Stop button, client disconnect); the generating thread checks it between tokens and chunks. */
public final class CancelToken {
    private volatile boolean cancelled;

    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }
}
