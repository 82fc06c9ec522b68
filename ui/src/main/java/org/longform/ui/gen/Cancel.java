package org.longform.ui.gen;

import org.longform.engine.gen.CancelToken;

/** Set from the FX thread (Stop), read by the worker between tokens; backed by the engine's own token so prefill stops too. */
public final class Cancel {
    private final CancelToken token = new CancelToken();

    public void cancel() { token.cancel(); }

    public boolean isCancelled() { return token.isCancelled(); }

    /** The engine-side token this flag drives. */
    public CancelToken engineToken() { return token; }
}
