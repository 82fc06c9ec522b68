package org.longform.engine.cuda;

import static jcuda.driver.JCudaDriver.*;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Logger;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUjit_option;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import jcuda.driver.JITOptions;
import org.longform.engine.SystemOptions;

/**
 * The process's CUDA state: the device's primary context and our PTX modules, set up once on
 * first use. Failure is remembered, so a machine that cannot run the kernels says why once and
 * keeps saying the same. {@code -Dlongform.cuda.sync=true} synchronises after every launch so a
 * faulting kernel is named (debugging only).
 */
final class CudaRuntime {
    private static final Logger LOG = Logger.getLogger(CudaRuntime.class.getName());
    private static CudaRuntime instance;
    private static String failure;

    final CudaProbe.Result info;
    final CUdevice device = new CUdevice();
    final CUcontext context = new CUcontext();
    final int arch, sms, smemOptin;
    private final Map<Kernel, CUfunction> functions = new EnumMap<>(Kernel.class);
    private final Map<Kernel, Integer> smemSet = new EnumMap<>(Kernel.class);
    private final boolean syncEach = SystemOptions.cudaSync();

    static synchronized CudaRuntime get() {
        if (instance != null) return instance;
        if (failure != null) throw new CudaUnavailableException(failure);
        CudaProbe.Result p = CudaProbe.probe();
        if (!p.ok()) {
            failure = p.reason();
            throw new CudaUnavailableException(failure);
        }
        try {
            instance = new CudaRuntime(p);
            return instance;
        } catch (CudaUnavailableException e) {
            failure = e.getMessage();
            throw e;
        } catch (Throwable t) { // UnsatisfiedLinkError from JCuda's natives, driver errors
            failure = "initialising CUDA failed: " + t;
            throw new CudaUnavailableException(failure, t);
        }
    }

    private CudaRuntime(CudaProbe.Result p) {
        this.info = p;
        JCudaDriver.setExceptionsEnabled(false);
        Cu.check(cuInit(0), "cuInit");
        Cu.check(cuDeviceGet(device, p.device()), "cuDeviceGet");
        Cu.check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        makeCurrent();
        this.sms = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        this.smemOptin = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN);
        this.arch = PtxResources.archFor(p.ccMajor(), p.ccMinor());
        Map<String, CUmodule> modules = new HashMap<>();
        for (String m : Kernel.MODULES) modules.put(m, load(m));
        for (Kernel k : Kernel.values()) {
            CUfunction f = new CUfunction();
            Cu.check(cuModuleGetFunction(f, modules.get(k.module), k.entry), "cuModuleGetFunction(" + k.entry + ")");
            functions.put(k, f);
        }
        allowSmem(Kernel.GEMM_BF16, Launch.gemmSmem(3));
        LOG.info("CUDA ready: " + p.describe() + ", " + sms + " SMs, PTX sm_" + arch);
    }

    private CUmodule load(String name) {
        byte[] image = PtxResources.image(name, arch);
        CUmodule m = new CUmodule();
        int rc = cuModuleLoadData(m, image);
        if (rc == 0) return m;
        throw new CudaUnavailableException("the driver could not load " + PtxResources.name(name, arch) + ": "
                + CudaErrors.name(rc) + jitLog(image));
    }

    /** Loads the image again with an error-log buffer, for the message only. */
    private static String jitLog(byte[] image) {
        try {
            JITOptions o = new JITOptions();
            o.putBytes(CUjit_option.CU_JIT_ERROR_LOG_BUFFER, new byte[8192]);
            o.putInt(CUjit_option.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, 8192);
            cuModuleLoadDataJIT(new CUmodule(), Pointer.to(image), o);
            String log = o.getString(CUjit_option.CU_JIT_ERROR_LOG_BUFFER);
            return log == null || log.isBlank() ? "" : " (JIT log: " + log.trim() + ")";
        } catch (Throwable t) {
            return "";
        }
    }

    int attribute(int attr) {
        int[] v = new int[1];
        Cu.check(cuDeviceGetAttribute(v, attr, device), "cuDeviceGetAttribute(" + attr + ")");
        return v[0];
    }

    /** Lets a kernel use more than the default 48 KB of dynamic shared memory. */
    synchronized void allowSmem(Kernel k, int bytes) {
        Integer had = smemSet.get(k);
        if (had != null && had >= bytes) return;
        if (bytes > smemOptin)
            throw new CudaUnavailableException(
                    k.entry + " needs " + bytes + " B of shared memory, the device allows " + smemOptin);
        Cu.check(
                cuFuncSetAttribute(
                        functions.get(k), CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes),
                "cuFuncSetAttribute(" + k.entry + ")");
        smemSet.put(k, bytes);
    }

    /** CUDA contexts are per thread: every entry point that may run on a new thread calls this first. */
    void makeCurrent() {
        Cu.check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }

    long freeBytes() {
        long[] free = new long[1], total = new long[1];
        Cu.check(cuMemGetInfo(free, total), "cuMemGetInfo");
        return free[0];
    }

    void launch(Args a, int gx, int gy, int gz, int threads, int smem, CUstream stream) {
        Kernel k = a.kernel();
        if (gx < 1 || gy < 1 || gz < 1 || gy > Launch.MAX_GRID_YZ || gz > Launch.MAX_GRID_YZ) {
            throw new IllegalArgumentException(k.entry + ": bad grid " + gx + "x" + gy + "x" + gz);
        }
        Cu.check(
                cuLaunchKernel(functions.get(k), gx, gy, gz, threads, 1, 1, smem, stream, a.build(), null),
                "launching " + k.entry);
        if (syncEach) Cu.check(cuStreamSynchronize(stream), "running " + k.entry);
    }
}
