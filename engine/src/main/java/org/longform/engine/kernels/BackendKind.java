package org.longform.engine.kernels;

import java.util.Locale;

/** Which compute backend a session asks for; {@link Backends#create} turns it into one. */
public enum BackendKind {
    /** A usable CUDA GPU, else the Vector API, else scalar code (the reason for each fallback is logged). */
    AUTO,
    /** The CUDA GPU, or an error naming why it is unusable. */
    CUDA,
    /** The CPU through the Vector API. */
    VECTOR,
    /** Plain Java loops: the reference every kernel is tested against. */
    SCALAR;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A name as the command line gives it: auto, cuda, vector or scalar (any case). */
    public static BackendKind parse(String s) {
        String k = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        for (BackendKind b : values()) {
            if (b.label().equals(k)) return b;
        }
        throw new IllegalArgumentException("unknown backend '" + s + "' (choose auto, cuda, vector or scalar)");
    }
}
