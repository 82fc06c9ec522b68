package org.longform.engine.cuda;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;
import org.longform.engine.io.DType;
import org.longform.engine.io.Tensor;
import org.longform.engine.kernels.Backend;
import org.longform.engine.kernels.Epilogue;
import org.longform.engine.kv.KvCache;
import org.longform.engine.model.Model;
import org.longform.engine.quant.DenseMatrix;
import org.longform.engine.quant.Matrix;
import org.longform.engine.runtime.DeviceSession;
import org.longform.engine.runtime.EngineOptions;

/**
 * The "cuda" choice behind the {@link Backend} interface. Per-op calls hand over host arrays, so
 * this backend runs what pays for its copies on the GPU (the matrix products, with the weights
 * resident in device memory and the exact three-term GEMM) and delegates LayerNorm, GELU and
 * attention over the host KV cache to the CPU backend it wraps. The fast path is
 * {@link #openSession}: a {@link CudaSession} keeps everything on the device. If device memory runs
 * out, matrices that do not fit stay on the CPU (logged once).
 * All work runs on the legacy default stream, so every copy and launch is ordered without events.
 */
public final class CudaBackend implements Backend, DeviceSession.Factory {
    private static final Logger LOG = Logger.getLogger(CudaBackend.class.getName());

    private final CudaRuntime rt;
    private final Backend cpu;
    private final Map<Tensor, CUdeviceptr> held = new IdentityHashMap<>();
    private boolean full;
    private CUdeviceptr in, out, planes;
    private long inBytes, outBytes, planeBytes;

    CudaBackend(CudaRuntime rt, Backend cpu) {
        this.rt = rt;
        this.cpu = cpu;
    }

    /**
     * A device-resident session for the model (weights, KV cache, activations on the GPU), or null
     * with the reason logged when the device cannot hold it; the caller then stays on this backend.
     */
    @Override
    public CudaSession openSession(Model model, EngineOptions options) {
        try {
            return CudaSession.open(model, options);
        } catch (CudaUnavailableException e) {
            LOG.warning("cuda session unavailable, running on the CPU path: " + e.getMessage());
            return null;
        } catch (RuntimeException e) {
            // a driver error while setting up: the per-op path below still works, so the model still loads
            LOG.log(Level.WARNING, "cuda session failed to start, running on the CPU path", e);
            return null;
        }
    }

    /** The CPU backend this one delegates to. */
    public Backend cpu() {
        return cpu;
    }

    @Override
    public String name() {
        return "cuda(" + rt.info.name() + ", sm_" + rt.info.ccMajor() + rt.info.ccMinor() + ") + " + cpu.name();
    }

    @Override
    public void matmul(Matrix m, float[] x, int T, float[] o, Epilogue ep) {
        // quantized matrices and epilogues other than a plain store run on the CPU backend's fused kernels
        CUdeviceptr wp = m instanceof DenseMatrix d && ep == Epilogue.STORE ? weight(d.tensor()) : null;
        if (wp == null) {
            cpu.matmul(m, x, T, o, ep);
            return;
        }
        Tensor w = ((DenseMatrix) m).tensor();
        rt.makeCurrent();
        int N = w.rows(), K = w.cols();
        long xb = 4L * T * K, ob = 4L * T * N;
        ensure(xb, ob, 2L * 3 * T * K);
        Cu.check(JCudaDriver.cuMemcpyHtoD(in, Pointer.to(x), xb), "copying activations");
        CudaTransformer.matmul(rt, null, planes, 3, wp, in, T, out, N, K, CudaTransformer.EPI_STORE, 1f);
        Cu.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(o), out, ob), "matmul " + w.name());
    }

    private CUdeviceptr weight(Tensor w) {
        CUdeviceptr p = held.get(w);
        if (p != null || full || w.dtype() != DType.BF16 || w.cols() % 8 != 0) return p;
        rt.makeCurrent();
        try {
            p = TensorUploads.acquire(w);
        } catch (CudaUnavailableException e) {
            full = true;
            LOG.warning("GPU memory is full (" + e.getMessage() + "); matrices not yet on the GPU stay on the CPU");
            return null;
        }
        held.put(w, p);
        return p;
    }

    /** Scratch buffers grow to the largest call seen, then stay (no allocation per token). */
    private void ensure(long xb, long ob, long pb) {
        if (xb > inBytes) {
            free(in);
            in = alloc(xb);
            inBytes = xb;
        }
        if (ob > outBytes) {
            free(out);
            out = alloc(ob);
            outBytes = ob;
        }
        if (pb > planeBytes) {
            free(planes);
            planes = alloc(pb);
            planeBytes = pb;
        }
    }

    private static CUdeviceptr alloc(long bytes) {
        CUdeviceptr p = new CUdeviceptr();
        Cu.check(JCudaDriver.cuMemAlloc(p, bytes), "cuMemAlloc(" + bytes + ")");
        return p;
    }

    private static void free(CUdeviceptr p) {
        if (p != null) JCudaDriver.cuMemFree(p);
    }

    @Override
    public void layerNorm(float[] x, float[] weight, float eps, int T, int d, float[] o) {
        cpu.layerNorm(x, weight, eps, T, d, o);
    }

    @Override
    public void attention(
            float[] qkv, int T, KvCache cache, int layer, int firstSlot, float[] slopes, float scale, float[] o) {
        cpu.attention(qkv, T, cache, layer, firstSlot, slopes, scale, o);
    }

    @Override
    public void close() {
        rt.makeCurrent();
        for (Tensor t : held.keySet()) TensorUploads.release(t);
        held.clear();
        free(in);
        free(out);
        free(planes);
        in = out = planes = null;
        inBytes = outBytes = planeBytes = 0;
        cpu.close();
    }
}
