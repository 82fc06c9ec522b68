package org.longform.engine.cuda;

import java.util.ArrayList;
import java.util.List;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;
import org.longform.engine.io.DType;
import org.longform.engine.io.Tensor;
import org.longform.engine.model.Config;
import org.longform.engine.model.Weights;
import org.longform.engine.quant.DenseMatrix;
import org.longform.engine.quant.Matrix;

/**
 * A model's weights on the device: the bf16 matrices through {@link TensorUploads} (shared, copied
 * once), the LayerNorm vectors as f32 in the session's arena. The kernels read bf16 matrices
 * only; other checkpoint dtypes are refused here so the caller falls back to the CPU.
 */
final class DeviceModel implements AutoCloseable {
    final CUdeviceptr wte, normF;
    final CUdeviceptr[] wqkv, outProj, up, down, norm1, norm2;
    private final List<Tensor> held = new ArrayList<>();

    DeviceModel(Config c, Weights w, CudaRuntime rt, DeviceArena arena) {
        long need = 0;
        List<Tensor> mats = new ArrayList<>();
        mats.add(dense(w.wte));
        for (Weights.Layer L : w.layers)
            mats.addAll(List.of(dense(L.wqkv()), dense(L.outProj()), dense(L.up()), dense(L.down())));
        for (Tensor t : mats) {
            if (t.dtype() != DType.BF16) {
                throw new CudaUnavailableException(
                        "the cuda backend runs bf16 checkpoints; " + t.name() + " is " + t.dtype());
            }
            need += t.numel() * 2;
        }
        long free = rt.freeBytes();
        if (need > free) {
            throw new CudaUnavailableException(
                    "the model's weights need " + Cu.gib(need) + " of GPU memory, " + Cu.gib(free) + " is free");
        }
        int n = c.nLayers();
        wqkv = new CUdeviceptr[n];
        outProj = new CUdeviceptr[n];
        up = new CUdeviceptr[n];
        down = new CUdeviceptr[n];
        norm1 = new CUdeviceptr[n];
        norm2 = new CUdeviceptr[n];
        try {
            wte = hold(dense(w.wte));
            normF = floats(arena, w.normF, "norm_f");
            for (int l = 0; l < n; l++) {
                Weights.Layer L = w.layers[l];
                wqkv[l] = hold(dense(L.wqkv()));
                outProj[l] = hold(dense(L.outProj()));
                up[l] = hold(dense(L.up()));
                down[l] = hold(dense(L.down()));
                norm1[l] = floats(arena, L.norm1(), "norm_1");
                norm2[l] = floats(arena, L.norm2(), "norm_2");
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private CUdeviceptr hold(Tensor t) {
        CUdeviceptr p = TensorUploads.acquire(t);
        held.add(t);
        return p;
    }

    static CUdeviceptr floats(DeviceArena arena, float[] v, String what) {
        CUdeviceptr p = arena.alloc((long) v.length * Float.BYTES, what);
        Cu.check(JCudaDriver.cuMemcpyHtoD(p, Pointer.to(v), (long) v.length * Float.BYTES), "uploading " + what);
        return p;
    }

    @Override
    public void close() {
        for (Tensor t : held) TensorUploads.release(t);
        held.clear();
    }

    /** The stored tensor behind a matrix; quantized matrices are CPU-only for now. */
    private static Tensor dense(Matrix m) {
        if (m instanceof DenseMatrix d) return d.tensor();
        throw new CudaUnavailableException(
                "the cuda backend runs bf16 checkpoints; " + m.name() + " is quantized (" + m.type() + ")");
    }
}
