package org.longform.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Gate for tests that need a GPU: skipped (reported as skipped, with the probe's reason) where
 * CUDA is missing, and failing instead when {@code -Dlongform.cuda.require=true} says a GPU must
 * be there (tools/gpu-check.sh sets it, so a broken driver cannot pass as "skipped").
 */
final class CudaAssume {
    private CudaAssume() {}

    static void gpu() {
        CudaProbe.Result r = CudaProbe.probe();
        if (Boolean.getBoolean("longform.cuda.require"))
            assertTrue(r.ok(), "longform.cuda.require=true but " + r.reason());
        assumeTrue(r.ok(), () -> "no usable CUDA GPU: " + r.reason());
    }

    static void noGpu() {
        assumeTrue(!CudaProbe.available(), "a CUDA GPU is present: the no-GPU fallback cannot be observed here");
    }
}
