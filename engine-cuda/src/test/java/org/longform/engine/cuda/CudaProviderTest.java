package org.longform.engine.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.longform.engine.kernels.BackendKind;
import org.longform.engine.kernels.BackendProvider;
import org.longform.engine.kernels.Backends;

/** With this module on the class path the engine finds the cuda backend through ServiceLoader. */
class CudaProviderTest {

    @Test
    void theProviderIsRegistered() {
        List<BackendProvider> found = ServiceLoader.load(BackendProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .toList();
        assertEquals(1, found.size(), "one provider: " + found);
        assertInstanceOf(CudaBackends.class, found.get(0));
        assertEquals(BackendKind.CUDA, found.get(0).kind());
    }

    @Test
    void theEngineAsksTheProbeThroughIt() {
        assertEquals(CudaProbe.available(), Backends.takesCuda(BackendKind.AUTO));
        assertEquals(CudaProbe.available(), Backends.takesCuda(BackendKind.CUDA));
        assertFalse(Backends.takesCuda(BackendKind.VECTOR));
    }
}
