package org.longform.engine.cuda;

import org.longform.engine.kernels.Backend;

/**
 * The entry {@link org.longform.engine.kernels.Backends} calls. This class names no JCuda type, so
 * choosing a backend never links JCuda's classes (or loads its natives) unless the probe found a
 * usable driver and GPU.
 */
public final class CudaBackends {
    private CudaBackends() {}

    /** A cuda backend over {@code cpu}, or null when CUDA cannot be used here (the reason is logged once). */
    public static Backend tryCreate(Backend cpu) {
        CudaProbe.Result p = CudaProbe.probe();
        if (!p.ok()) {
            CudaProbe.logSkipOnce(p.reason());
            return null;
        }
        try {
            return new CudaBackend(CudaRuntime.get(), cpu);
        } catch (CudaUnavailableException e) {
            CudaProbe.logSkipOnce(e.getMessage());
            return null;
        }
    }

    /** The cuda backend the user forced: an error naming the reason when CUDA cannot be used. */
    public static Backend create(Backend cpu) {
        CudaProbe.Result p = CudaProbe.probe();
        try {
            if (!p.ok()) throw new CudaUnavailableException(p.reason());
            return new CudaBackend(CudaRuntime.get(), cpu);
        } catch (CudaUnavailableException e) {
            cpu.close();
            throw new IllegalStateException("the cuda backend was requested but cannot run: " + e.getMessage(), e);
        }
    }
}
