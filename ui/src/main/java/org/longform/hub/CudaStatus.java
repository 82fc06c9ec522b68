package org.longform.hub;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Whether an NVIDIA GPU could be used: the CUDA driver library loads (and {@code cuInit} finds
 * devices), and what {@code nvidia-smi} reports.
 *
 * @param library       the driver library tried ("libcuda.so.1", "nvcuda.dll"), null on macOS
 * @param loadable      the library loaded
 * @param driverVersion CUDA driver API version as 12040 for 12.4, 0 when unknown
 * @param devices       devices cuInit found (-1 when not asked or it failed)
 * @param gpus          nvidia-smi's "name, memory MiB, driver" lines (empty when it is absent)
 * @param note          why not, in words, when there is no usable GPU
 */
public record CudaStatus(
        String library, boolean loadable, int driverVersion, int devices, List<String> gpus, String note) {
    public boolean usable() {
        return loadable && devices > 0;
    }

    public String driverVersionText() {
        return driverVersion <= 0 ? "?" : (driverVersion / 1000) + "." + (driverVersion % 1000) / 10;
    }

    public static CudaStatus probe() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String lib = os.startsWith("windows") ? "nvcuda.dll" : os.startsWith("mac") ? null : "libcuda.so.1";
        List<String> smi = nvidiaSmi();
        if (lib == null) return new CudaStatus(null, false, 0, -1, smi, "macOS has no CUDA");
        try {
            // the global arena: libcuda starts threads in cuInit, so it must never be unloaded again
            SymbolLookup l = SymbolLookup.libraryLookup(lib, Arena.global());
            Linker ln = Linker.nativeLinker();
            MethodHandle init = ln.downcallHandle(l.findOrThrow("cuInit"), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
            MethodHandle version =
                    ln.downcallHandle(l.findOrThrow("cuDriverGetVersion"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
            MethodHandle count =
                    ln.downcallHandle(l.findOrThrow("cuDeviceGetCount"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
            try (Arena a = Arena.ofConfined()) {
                MemorySegment out = a.allocate(JAVA_INT);
                int v = (int) version.invokeExact(out) == 0 ? out.get(JAVA_INT, 0) : 0;
                int rc = (int) init.invokeExact(0);
                if (rc != 0)
                    return new CudaStatus(
                            lib,
                            true,
                            v,
                            0,
                            smi,
                            "the CUDA driver loads but cuInit failed (error " + rc
                                    + (rc == 100 ? ": no CUDA device" : "") + ")");
                int n = (int) count.invokeExact(out) == 0 ? out.get(JAVA_INT, 0) : 0;
                return new CudaStatus(lib, true, v, n, smi, n > 0 ? "" : "the CUDA driver loads but reports no device");
            }
        } catch (IllegalArgumentException e) {
            return new CudaStatus(lib, false, 0, -1, smi, lib + " not found: no NVIDIA driver");
        } catch (IllegalCallerException e) {
            return new CudaStatus(
                    lib, false, 0, -1, smi, "native access is disabled (run with --enable-native-access=ALL-UNNAMED)");
        } catch (Throwable t) {
            return new CudaStatus(lib, false, 0, -1, smi, lib + " could not be used: " + t);
        }
    }

    /** nvidia-smi's view, or an empty list when it is missing, fails or hangs (bounded to 5 s). */
    static List<String> nvidiaSmi() {
        List<String> lines = new ArrayList<>();
        try {
            Process p = new ProcessBuilder(
                            "nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader")
                    .redirectErrorStream(true)
                    .start();
            p.getOutputStream().close();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return lines;
            }
            if (p.exitValue() != 0) return lines;
            for (String s : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\\R")) {
                if (!s.isBlank()) lines.add(s.strip());
            }
        } catch (IOException e) {
            // not on PATH: no NVIDIA driver tools
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return lines;
    }
}
