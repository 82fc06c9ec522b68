package org.longform.engine.kernels;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/**
 * The engine alone (its tests run without engine-cuda on the class path): no accelerator provider
 * is found, auto is the CPU, and a forced cuda is one clear line naming the missing module.
 * engine-cuda's CudaProviderTest checks the other side (the provider is registered and found).
 */
class BackendProviderTest {

    @Test
    void theEngineAloneFindsNoCudaProvider() {
        assertNull(Backends.provider(BackendKind.CUDA));
        assertFalse(Backends.takesCuda(BackendKind.AUTO));
        assertFalse(Backends.takesCuda(BackendKind.CUDA));
    }

    @Test
    void autoRunsOnTheCpuWithoutTheModule() {
        try (Backend b = Backends.create(BackendKind.AUTO, 1)) {
            assertTrue(b.name().startsWith("vector"), b.name());
        }
    }

    @Test
    void aForcedCudaNamesTheMissingModule() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.create("cuda", 1));
        assertTrue(e.getMessage().startsWith("the cuda backend was requested but cannot run: "), e.getMessage());
        assertTrue(e.getMessage().contains("longform-engine-cuda"), e.getMessage());
    }
}
