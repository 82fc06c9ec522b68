package org.longform.engine.kernels;

import org.longform.engine.cuda.CudaBackends;
import org.longform.engine.cuda.CudaProbe;

import java.util.logging.Logger;

/**
 * Makes the backend a session asks for: cuda, vector or scalar when forced; for {@link BackendKind#AUTO}
 * cuda when a usable CUDA GPU is present, else the Vector API when the incubator module is present,
 * else scalar, and the reason for each fallback is logged (cuda's once per process).
 */
public final class Backends {
    private static final Logger LOG = Logger.getLogger(Backends.class.getName());

    private Backends() {}

    /** @param threads compute threads; 0 = all cores */
    public static Backend create(BackendKind kind, int threads) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        return switch (kind) {
            case SCALAR -> new ScalarBackend();
            case VECTOR -> new VectorBackend(n);
            case CUDA -> CudaBackends.create(cpu(n));
            case AUTO -> {
                Backend cpu = cpu(n);
                Backend gpu = CudaBackends.tryCreate(cpu);
                yield gpu != null ? gpu : cpu;
            }
        };
    }

    /** A backend named as on the command line (auto, cuda, vector, scalar); unknown names are refused. */
    public static Backend create(String name, int threads) { return create(BackendKind.parse(name), threads); }

    /** Whether {@link #create} with this request would take a CUDA GPU (forced or auto, and a usable one is here). */
    public static boolean takesCuda(BackendKind kind) {
        return (kind == BackendKind.CUDA || kind == BackendKind.AUTO) && CudaProbe.available();
    }

    private static Backend cpu(int n) {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            LOG.warning("jdk.incubator.vector is not enabled (run with --add-modules jdk.incubator.vector); falling back to the slow scalar backend");
            return new ScalarBackend();
        }
        return new VectorBackend(n);
    }
}
