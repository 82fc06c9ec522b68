package org.longform.engine.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.IdentityHashMap;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;
import org.longform.engine.io.Tensor;

/**
 * Weights in device memory, shared by every session and backend of the process: a tensor is
 * copied once (as stored: bf16 stays bf16), reference-counted, and freed when its last user
 * closes. Small float[] vectors (LayerNorm weights, ALiBi slopes) are uploaded per session instead.
 */
final class TensorUploads {
    private static final long CHUNK = 256L << 20;
    private static final Map<Tensor, Entry> MAP = new IdentityHashMap<>();

    private static final class Entry {
        final CUdeviceptr ptr;
        int refs;

        Entry(CUdeviceptr p) {
            ptr = p;
        }
    }

    private TensorUploads() {}

    static synchronized CUdeviceptr acquire(Tensor t) {
        Entry e = MAP.get(t);
        if (e == null) {
            long bytes = t.numel() * t.dtype().bytes();
            CUdeviceptr p = new CUdeviceptr();
            int rc = JCudaDriver.cuMemAlloc(p, bytes);
            if (rc == Cu.OUT_OF_MEMORY)
                throw new CudaUnavailableException(
                        "out of GPU memory uploading " + t.describe() + " (" + Cu.mib(bytes) + ")");
            Cu.check(rc, "cuMemAlloc for " + t.name());
            try {
                copy(p, t.data(), bytes);
            } catch (RuntimeException ex) {
                JCudaDriver.cuMemFree(p);
                throw ex;
            }
            e = new Entry(p);
            MAP.put(t, e);
        }
        e.refs++;
        return e.ptr;
    }

    static synchronized void release(Tensor t) {
        Entry e = MAP.get(t);
        if (e == null) return;
        if (--e.refs == 0) {
            MAP.remove(t);
            JCudaDriver.cuMemFree(e.ptr);
        }
    }

    /** Host segment (mapped file or native memory) to device, in slices of at most 256 MiB. */
    static void copy(CUdeviceptr dst, MemorySegment src, long bytes) {
        try (Arena staging = Arena.ofConfined()) {
            MemorySegment buf = src.isNative() ? null : staging.allocate(Math.min(bytes, CHUNK), 16);
            for (long off = 0; off < bytes; off += CHUNK) {
                long n = Math.min(CHUNK, bytes - off);
                MemorySegment s = src.asSlice(off, n);
                if (buf != null) {
                    MemorySegment.copy(s, 0, buf, 0, n);
                    s = buf.asSlice(0, n);
                }
                ByteBuffer bb = s.asByteBuffer(); // direct, position 0
                Cu.check(JCudaDriver.cuMemcpyHtoD(dst.withByteOffset(off), Pointer.to(bb), n), "uploading weights");
            }
        }
    }
}
