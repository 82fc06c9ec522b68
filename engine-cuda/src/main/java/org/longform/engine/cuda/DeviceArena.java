package org.longform.engine.cuda;

import java.util.ArrayList;
import java.util.List;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

/**
 * Device allocations made together and freed together (a session's activations and KV pool).
 * Everything is allocated when a session opens; nothing is allocated per token. Running out of
 * memory is reported as {@link CudaUnavailableException} so callers can fall back to the CPU.
 */
final class DeviceArena implements AutoCloseable {
    private final List<CUdeviceptr> ptrs = new ArrayList<>();
    private long bytes;

    CUdeviceptr alloc(long size, String what) {
        CUdeviceptr p = new CUdeviceptr();
        int rc = JCudaDriver.cuMemAlloc(p, Math.max(size, 256));
        if (rc == Cu.OUT_OF_MEMORY) {
            long[] free = new long[1], total = new long[1];
            JCudaDriver.cuMemGetInfo(free, total);
            throw new CudaUnavailableException("out of GPU memory allocating " + Cu.mib(size) + " for " + what + " ("
                    + Cu.mib(free[0]) + " free of " + Cu.mib(total[0]) + ")");
        }
        Cu.check(rc, "cuMemAlloc(" + size + ") for " + what);
        ptrs.add(p);
        bytes += size;
        return p;
    }

    long bytes() {
        return bytes;
    }

    @Override
    public void close() {
        for (int i = ptrs.size() - 1; i >= 0; i--) JCudaDriver.cuMemFree(ptrs.get(i));
        ptrs.clear();
        bytes = 0;
    }
}
