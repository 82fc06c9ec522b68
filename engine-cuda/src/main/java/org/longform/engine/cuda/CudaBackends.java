package org.longform.engine.cuda;

import org.longform.engine.kernels.Backend;
import org.longform.engine.kernels.BackendKind;
import org.longform.engine.kernels.BackendProvider;

/**
 * The entry {@link org.longform.engine.kernels.Backends} finds through {@link BackendProvider}
 * (registered in {@code META-INF/services}). This class names no JCuda type, so choosing a backend
 * never links JCuda's classes (or loads its natives) unless the probe found a usable driver and GPU.
 */
public final class CudaBackends implements BackendProvider {
    /** For {@link java.util.ServiceLoader}. */
    public CudaBackends() {}

    @Override
    public BackendKind kind() {
        return BackendKind.CUDA;
    }

    @Override
    public boolean available() {
        return CudaProbe.available();
    }

    @Override
    public Backend tryCreate(Backend cpu) {
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

    @Override
    public Backend create(Backend cpu) {
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
