package org.longform.engine.gen;

/** Why a generation ended. */
public enum StopReason {
    MAX_TOKENS,
    STOP_SEQUENCE,
    EOS,
    CANCELLED,
    CONTEXT_FULL
}
