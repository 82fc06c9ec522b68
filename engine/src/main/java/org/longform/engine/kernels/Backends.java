package org.longform.engine.kernels;

import java.util.logging.Logger;

/**
 * Chooses a backend: {@code -Dlongform.backend=scalar|vector} forces one; otherwise the Vector API
 * when the incubator module is present, else scalar, and the reason for a fallback is logged.
 */
public final class Backends {
    private static final Logger LOG = Logger.getLogger(Backends.class.getName());

    private Backends() {}

    public static Backend create(String requested, int threads) {
        String want = requested != null ? requested : System.getProperty("longform.backend", "auto");
        int n = threads > 0 ? threads : Integer.getInteger("longform.threads", Runtime.getRuntime().availableProcessors());
        switch (want) {
            case "scalar":
                return new ScalarBackend();
            case "vector":
                return new VectorBackend(n);
            case "auto":
                if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
                    LOG.warning("jdk.incubator.vector is not enabled (run with --add-modules jdk.incubator.vector); falling back to the slow scalar backend");
                    return new ScalarBackend();
                }
                return new VectorBackend(n);
            default:
                throw new IllegalArgumentException("unknown backend '" + want + "' (choose auto, vector or scalar)");
        }
    }
}
