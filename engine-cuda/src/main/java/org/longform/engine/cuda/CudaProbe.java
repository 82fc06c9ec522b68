package org.longform.engine.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.logging.Logger;
import org.longform.engine.SystemOptions;

/**
 * Is a usable CUDA GPU here? Asks the driver library directly through the FFM API, so a machine
 * without NVIDIA's driver never extracts or loads JCuda's native code: dlopen libcuda.so.1, cuInit,
 * driver version (12.0+: our PTX is ISA 8.0), a device, compute capability 8.0+ (bf16 tensor
 * cores). The answer is computed once per process; {@link #logSkipOnce} reports a fallback once.
 * {@code -Dlongform.cuda.device=N} picks the device, {@code -Dlongform.cuda.lib=PATH} the library.
 */
public final class CudaProbe {
    private static final Logger LOG = Logger.getLogger(CudaProbe.class.getName());
    static final int MIN_DRIVER = 12000;
    private static volatile Result cached;
    private static volatile boolean logged;

    private CudaProbe() {}

    /** What the probe found; {@code ok == false} comes with a one-line reason. */
    public record Result(
            boolean ok,
            String reason,
            int device,
            String name,
            int ccMajor,
            int ccMinor,
            int driverVersion,
            long totalBytes) {
        static Result no(String reason) {
            return new Result(false, reason, -1, "", 0, 0, 0, 0);
        }

        public String describe() {
            if (!ok) return "no CUDA: " + reason;
            return String.format(
                    "%s (sm_%d%d, %.1f GiB, driver CUDA %d.%d)",
                    name,
                    ccMajor,
                    ccMinor,
                    totalBytes / (double) (1L << 30),
                    driverVersion / 1000,
                    driverVersion % 1000 / 10);
        }
    }

    public static Result probe() {
        Result r = cached;
        if (r == null) {
            synchronized (CudaProbe.class) {
                if (cached == null) cached = probe(SystemOptions.cudaLibrary(), SystemOptions.cudaDevice());
                r = cached;
            }
        }
        return r;
    }

    public static boolean available() {
        return probe().ok();
    }

    public static String reason() {
        return probe().ok() ? "" : probe().reason();
    }

    /** Logs, once per process, why the cuda backend was not chosen. */
    public static void logSkipOnce(String why) {
        if (logged) return;
        logged = true;
        LOG.info("cuda backend skipped: " + why + "; using the CPU");
    }

    /** Lets a test observe the once-only log again. */
    static void resetLogOnce() {
        logged = false;
    }

    /** The probe itself, uncached (tests point it at a missing library). Never throws. */
    static Result probe(String library, int device) {
        try {
            Class.forName("jcuda.driver.JCudaDriver", false, CudaProbe.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return Result.no("JCuda (org.jcuda:jcuda) is not on the class path");
        }
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup lib;
            try {
                // the global arena never unloads the library: dlclose after cuInit could pull the
                // driver out from under its own threads, and JCuda links the same library anyway
                lib = SymbolLookup.libraryLookup(library, Arena.global());
            } catch (IllegalArgumentException e) {
                return Result.no(library + " not found (no NVIDIA driver installed)");
            }
            Linker ln = Linker.nativeLinker();
            var I = ValueLayout.JAVA_INT;
            var P = ValueLayout.ADDRESS;
            MethodHandle cuInit = fn(ln, lib, "cuInit", FunctionDescriptor.of(I, I));
            MethodHandle cuDriverGetVersion = fn(ln, lib, "cuDriverGetVersion", FunctionDescriptor.of(I, P));
            MethodHandle cuDeviceGetCount = fn(ln, lib, "cuDeviceGetCount", FunctionDescriptor.of(I, P));
            MethodHandle cuDeviceGet = fn(ln, lib, "cuDeviceGet", FunctionDescriptor.of(I, P, I));
            MethodHandle cuDeviceGetAttribute = fn(ln, lib, "cuDeviceGetAttribute", FunctionDescriptor.of(I, P, I, I));
            MethodHandle cuDeviceGetName = fn(ln, lib, "cuDeviceGetName", FunctionDescriptor.of(I, P, I, I));
            MethodHandle cuDeviceTotalMem = fn(ln, lib, "cuDeviceTotalMem_v2", FunctionDescriptor.of(I, P, I));

            int rc = (int) cuInit.invokeExact(0);
            if (rc != 0) return Result.no("cuInit failed: " + CudaErrors.name(rc));
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            rc = (int) cuDriverGetVersion.invokeExact(out);
            int driver = out.get(I, 0);
            if (rc != 0) return Result.no("cuDriverGetVersion failed: " + CudaErrors.name(rc));
            if (driver < MIN_DRIVER) {
                return Result.no("the driver supports CUDA " + driver / 1000 + "." + driver % 1000 / 10
                        + "; the cuda backend needs CUDA 12.0 or newer (driver R525+)");
            }
            rc = (int) cuDeviceGetCount.invokeExact(out);
            int count = out.get(I, 0);
            if (rc != 0 || count == 0)
                return Result.no("no CUDA device (" + (rc != 0 ? CudaErrors.name(rc) : "count 0") + ")");
            if (device < 0 || device >= count)
                return Result.no("longform.cuda.device=" + device + " but " + count + " device(s) exist");
            rc = (int) cuDeviceGet.invokeExact(out, device);
            if (rc != 0) return Result.no("cuDeviceGet failed: " + CudaErrors.name(rc));
            int dev = out.get(I, 0);
            int major = attribute(cuDeviceGetAttribute, out, 75, dev); // COMPUTE_CAPABILITY_MAJOR
            int minor = attribute(cuDeviceGetAttribute, out, 76, dev); // COMPUTE_CAPABILITY_MINOR
            MemorySegment name = arena.allocate(256);
            rc = (int) cuDeviceGetName.invokeExact(name, 256, dev);
            String n = rc == 0 ? name.getString(0) : "CUDA device " + device;
            rc = (int) cuDeviceTotalMem.invokeExact(out, dev);
            long total = rc == 0 ? out.get(ValueLayout.JAVA_LONG, 0) : 0;
            if (major < 8) {
                return Result.no(
                        n + " is sm_" + major + minor + "; the kernels need sm_80 or newer (bf16 tensor cores)");
            }
            return new Result(true, "", device, n, major, minor, driver, total);
        } catch (Throwable t) {
            return Result.no("probing the CUDA driver failed: " + t);
        }
    }

    private static MethodHandle fn(Linker ln, SymbolLookup lib, String name, FunctionDescriptor fd) {
        return ln.downcallHandle(
                lib.find(name).orElseThrow(() -> new IllegalStateException("libcuda has no " + name)), fd);
    }

    private static int attribute(MethodHandle h, MemorySegment out, int attr, int dev) throws Throwable {
        int rc = (int) h.invokeExact(out, attr, dev);
        return rc == 0 ? out.get(ValueLayout.JAVA_INT, 0) : -1;
    }
}
