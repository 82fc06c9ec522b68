package org.longform.engine.kernels;

import org.longform.engine.cuda.CudaBackends;
import org.longform.engine.cuda.CudaProbe;

import java.util.logging.Logger;

/**
 * Chooses a backend: {@code -Dlongform.backend=cuda|scalar|vector} forces one; otherwise cuda when
 * a usable CUDA GPU is present, else the Vector API when the incubator module is present, else
 * scalar, and the reason for each fallback is logged (cuda's once per process).
 */
public final class Backends {
    private static final Logger LOG = Logger.getLogger(Backends.class.getName());

    private Backends() {}

    public static Backend create(String requested, int threads) {
        String want = choice(requested);
        int n = threads > 0 ? threads : Integer.getInteger("longform.threads", Runtime.getRuntime().availableProcessors());
        switch (want) {
            case "scalar":
                return new ScalarBackend();
            case "vector":
                return new VectorBackend(n);
            case "cuda":
                return CudaBackends.create(cpu(n));
            case "auto": {
                Backend cpu = cpu(n);
                Backend gpu = CudaBackends.tryCreate(cpu);
                return gpu != null ? gpu : cpu;
            }
            default:
                throw new IllegalArgumentException("unknown backend '" + want + "' (choose auto, cuda, vector or scalar)");
        }
    }

    /** Whether {@link #create} with this request would take a CUDA GPU (forced or auto, and a usable one is here). */
    public static boolean takesCuda(String requested) {
        String want = choice(requested);
        return (want.equals("cuda") || want.equals("auto")) && CudaProbe.available();
    }

    private static String choice(String requested) {
        return requested != null ? requested : System.getProperty("longform.backend", "auto");
    }

    private static Backend cpu(int n) {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            LOG.warning("jdk.incubator.vector is not enabled (run with --add-modules jdk.incubator.vector); falling back to the slow scalar backend");
            return new ScalarBackend();
        }
        return new VectorBackend(n);
    }
}
