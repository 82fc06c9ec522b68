package org.longform.engine.kernels;

import java.util.List;
import java.util.ServiceLoader;
import java.util.logging.Logger;

/**
 * Makes the backend a session asks for: cuda, vector or scalar when forced; for {@link BackendKind#AUTO}
 * cuda when a usable CUDA GPU is present, else the Vector API when the incubator module is present,
 * else scalar, and the reason for each fallback is logged (cuda's once per process). The cuda backend
 * comes from the engine-cuda module through a {@link BackendProvider}; without that module on the
 * class path, auto is the CPU and a forced cuda says the module is missing.
 */
public final class Backends {
    private static final Logger LOG = Logger.getLogger(Backends.class.getName());

    private Backends() {}

    /** @param threads compute threads; 0 = the physical cores ({@link CpuCores#physical}) */
    public static Backend create(BackendKind kind, int threads) {
        return create(kind, threads, Activations.EXACT);
    }

    /** As {@link #create(BackendKind, int)}, the vector backend rounding decode activations as {@code activations} says. */
    public static Backend create(BackendKind kind, int threads, Activations activations) {
        int n = CpuCores.resolve(threads);
        return switch (kind) {
            case SCALAR -> new ScalarBackend();
            case VECTOR -> new VectorBackend(n, activations);
            case CUDA -> {
                Backend cpu = cpu(n, activations);
                BackendProvider cuda = provider(BackendKind.CUDA);
                if (cuda == null) {
                    cpu.close();
                    throw new IllegalStateException("the cuda backend was requested but cannot run: " + NO_CUDA_MODULE);
                }
                yield cuda.create(cpu);
            }
            case AUTO -> {
                Backend cpu = cpu(n, activations);
                BackendProvider cuda = provider(BackendKind.CUDA);
                Backend gpu = cuda != null ? cuda.tryCreate(cpu) : null;
                yield gpu != null ? gpu : cpu;
            }
        };
    }

    /** A backend named as on the command line (auto, cuda, vector, scalar); unknown names are refused. */
    public static Backend create(String name, int threads) {
        return create(BackendKind.parse(name), threads);
    }

    /** Whether {@link #create} with this request would take a CUDA GPU (forced or auto, and a usable one is here). */
    public static boolean takesCuda(BackendKind kind) {
        if (kind != BackendKind.CUDA && kind != BackendKind.AUTO) return false;
        BackendProvider cuda = provider(BackendKind.CUDA);
        return cuda != null && cuda.available();
    }

    /** Why a forced cuda fails when the engine-cuda module is absent. */
    static final String NO_CUDA_MODULE =
            "this build has no GPU support (the longform-engine-cuda jar is not on the class path)";

    /** The provider for {@code kind} on the class path, or null. */
    static BackendProvider provider(BackendKind kind) {
        for (BackendProvider p : Providers.ALL) if (p.kind() == kind) return p;
        return null;
    }

    /** Looked up once, on first use: the class path does not change while the process runs. */
    private static final class Providers {
        static final List<BackendProvider> ALL =
                ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()).stream()
                        .map(ServiceLoader.Provider::get)
                        .toList();
    }

    private static Backend cpu(int n, Activations activations) {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            LOG.warning(
                    "jdk.incubator.vector is not enabled (run with --add-modules jdk.incubator.vector); falling back to the slow scalar backend");
            return new ScalarBackend();
        }
        return new VectorBackend(n, activations);
    }
}
