package org.longform.engine;

import java.nio.file.Path;

/**
 * The one place the engine reads JVM system properties. Options that differ between callers in one
 * JVM (backend, threads, weight and KV types) are values in {@code EngineOptions}; the command line
 * fills them (its {@code -Dlongform.backend}, {@code .threads} and {@code .quant} are defaults of its
 * options). What is left here is process-wide: where the assets are, kernel tuning for benchmarks,
 * and how to reach the CUDA driver.
 */
public final class SystemOptions {
    private SystemOptions() {}

    /** {@code -Dlongform.home}: the folder holding {@code assets/}; null when not set. */
    public static Path home() {
        String h = System.getProperty("longform.home");
        return h == null || h.isBlank() ? null : Path.of(h);
    }

    /** {@code -Dlongform.gemmDepth}: prefill panel depth in floats (default 128; read once by the kernels). */
    public static int gemmDepth() {
        return Integer.getInteger("longform.gemmDepth", 128);
    }

    /**
     * {@code -Dlongform.gemmRegisters}: the vector register count the prefill tile is sized for (16 or 32;
     * default 0: from the vector width, 16 at 256 bits, else 32; read once by the kernels).
     */
    public static int gemmRegisters() {
        return Integer.getInteger("longform.gemmRegisters", 0);
    }

    /** {@code -Dlongform.gemvChunks}: decode chunks per thread after the long pieces (default 4). */
    public static int gemvChunks() {
        return Integer.getInteger("longform.gemvChunks", 4);
    }

    /** {@code -Dlongform.gemvHead}: the share of a matrix's rows handed out as one long piece per thread (default 0.875). */
    public static double gemvHead() {
        return Double.parseDouble(System.getProperty("longform.gemvHead", "0.875"));
    }

    /** {@code -Dlongform.cuda.lib}: the CUDA driver library to probe (default libcuda.so.1). */
    public static String cudaLibrary() {
        return System.getProperty("longform.cuda.lib", "libcuda.so.1");
    }

    /** {@code -Dlongform.cuda.device}: the device ordinal (default 0). */
    public static int cudaDevice() {
        return Integer.getInteger("longform.cuda.device", 0);
    }

    /** {@code -Dlongform.cuda.sync}: synchronise after every launch so a failing kernel is named (debugging). */
    public static boolean cudaSync() {
        return Boolean.getBoolean("longform.cuda.sync");
    }

    /** {@code -Dlongform.cuda.precision}: auto, exact or fast (default auto). */
    public static String cudaPrecision() {
        return System.getProperty("longform.cuda.precision", "auto");
    }
}
