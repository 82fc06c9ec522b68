package org.longform.engine.runtime;

import org.longform.engine.kernels.Activations;
import org.longform.engine.kernels.BackendKind;
import org.longform.engine.kv.KvDType;
import org.longform.engine.quant.WeightType;

/**
 * How a model is loaded and a session runs, as values (nothing here is read from system
 * properties): the backend, threads (0 = the physical cores), KV block size in tokens, prefill chunk size in
 * tokens, the KV memory budget in bytes (0 = enough for an 84k-token window, capped at half the
 * physical memory), the KV page dtype, the weights' quantization at load (null = as stored), and
 * whether decode rounds activations to int8 ({@link Activations}; exact unless asked).
 */
public record EngineOptions(
        BackendKind backend,
        int threads,
        int blockSize,
        int chunkSize,
        long kvBudgetBytes,
        KvDType kvDType,
        WeightType weights,
        Activations activations) {
    public EngineOptions {
        if (backend == null) backend = BackendKind.AUTO;
        if (weights != null && !weights.quantized()) weights = null; // a dense type means: as stored
        if (blockSize < 1 || blockSize > 4096)
            throw new IllegalArgumentException("block size must be 1..4096 tokens, got " + blockSize);
        if (chunkSize < 1 || chunkSize > 8192)
            throw new IllegalArgumentException("chunk size must be 1..8192 tokens, got " + chunkSize);
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0");
        if (kvBudgetBytes < 0) throw new IllegalArgumentException("KV budget must be >= 0");
        if (kvDType == null) kvDType = KvDType.F32;
        if (activations == null) activations = Activations.EXACT;
    }

    /** Exact activations ({@link Activations#EXACT}). */
    public EngineOptions(
            BackendKind backend,
            int threads,
            int blockSize,
            int chunkSize,
            long kvBudgetBytes,
            KvDType kvDType,
            WeightType weights) {
        this(backend, threads, blockSize, chunkSize, kvBudgetBytes, kvDType, weights, Activations.EXACT);
    }

    /** Auto backend, the physical cores, 64-token blocks, 512-token chunks, the default budget, f32 pages (exact), stored weights. */
    public static EngineOptions defaults() {
        return new EngineOptions(BackendKind.AUTO, 0, 64, 512, 0, KvDType.F32, null);
    }

    public EngineOptions withBackend(BackendKind b) {
        return new EngineOptions(b, threads, blockSize, chunkSize, kvBudgetBytes, kvDType, weights, activations);
    }

    /** The backend named as on the command line: auto, cuda, vector or scalar. */
    public EngineOptions withBackend(String name) {
        return withBackend(BackendKind.parse(name));
    }

    public EngineOptions withThreads(int t) {
        return new EngineOptions(backend, t, blockSize, chunkSize, kvBudgetBytes, kvDType, weights, activations);
    }

    public EngineOptions withBlockSize(int b) {
        return new EngineOptions(backend, threads, b, chunkSize, kvBudgetBytes, kvDType, weights, activations);
    }

    public EngineOptions withChunkSize(int c) {
        return new EngineOptions(backend, threads, blockSize, c, kvBudgetBytes, kvDType, weights, activations);
    }

    public EngineOptions withKvBudget(long bytes) {
        return new EngineOptions(backend, threads, blockSize, chunkSize, bytes, kvDType, weights, activations);
    }

    public EngineOptions withKvDType(KvDType t) {
        return new EngineOptions(backend, threads, blockSize, chunkSize, kvBudgetBytes, t, weights, activations);
    }

    /** Weights quantized at load to {@code q} (q8_0, q4_0); null: as stored. */
    public EngineOptions withWeights(WeightType q) {
        return new EngineOptions(backend, threads, blockSize, chunkSize, kvBudgetBytes, kvDType, q, activations);
    }

    /**
     * {@link Activations#Q8}: one-token k-quant products round x to int8 (an approximation, opt-in);
     * {@link Activations#EXACT}: never (the default).
     */
    public EngineOptions withActivations(Activations a) {
        return new EngineOptions(backend, threads, blockSize, chunkSize, kvBudgetBytes, kvDType, weights, a);
    }
}
