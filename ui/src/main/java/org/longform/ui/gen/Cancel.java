package org.longform.ui.gen;

/** Set from the FX thread (Stop), read by the worker between tokens. */
public final class Cancel {
    private volatile boolean cancelled;

    public void cancel() { cancelled = true; }

    public boolean isCancelled() { return cancelled; }
}
