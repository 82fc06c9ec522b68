package org.longform.engine.kernels;

/**
 * An accelerator backend that lives in another module (engine-cuda's {@code CudaBackends}) and is
 * found with {@link java.util.ServiceLoader} ({@code META-INF/services}), so the engine names no
 * accelerator package and has no driver library on its class path unless that module is present.
 */
public interface BackendProvider {
    /** The choice this provider serves ({@link BackendKind#CUDA}). */
    BackendKind kind();

    /** Whether a usable device is here: cheap after the first call, never throws. */
    boolean available();

    /** A backend over {@code cpu}, or null when the device cannot be used here (the reason is logged once). */
    Backend tryCreate(Backend cpu);

    /** The backend the user forced: an {@link IllegalStateException} naming the reason (and {@code cpu} closed). */
    Backend create(Backend cpu);
}
