package org.longform.engine.runtime;

import org.longform.engine.kv.KvDType;

/**
 * How a session runs: backend ("auto", "vector", "scalar"), threads (0 = all cores), KV block size
 * in tokens, prefill chunk size in tokens, the KV memory budget in bytes (0 = enough for an
 * 84k-token window, capped at half the physical memory) and the KV page dtype.
 */
public record EngineOptions(String backend, int threads, int blockSize, int chunkSize, long kvBudgetBytes, KvDType kvDType) {
    public EngineOptions {
        if (blockSize < 1 || blockSize > 4096) throw new IllegalArgumentException("block size must be 1..4096 tokens, got " + blockSize);
        if (chunkSize < 1 || chunkSize > 8192) throw new IllegalArgumentException("chunk size must be 1..8192 tokens, got " + chunkSize);
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0");
        if (kvBudgetBytes < 0) throw new IllegalArgumentException("KV budget must be >= 0");
        if (kvDType == null) kvDType = KvDType.F32;
    }

    /** f32 pages: exact, as the reference. */
    public EngineOptions(String backend, int threads, int blockSize, int chunkSize, long kvBudgetBytes) {
        this(backend, threads, blockSize, chunkSize, kvBudgetBytes, KvDType.F32);
    }

    public static EngineOptions defaults() { return new EngineOptions("auto", 0, 64, 512, 0, KvDType.F32); }

    public EngineOptions withBackend(String b) { return new EngineOptions(b, threads, blockSize, chunkSize, kvBudgetBytes, kvDType); }
    public EngineOptions withThreads(int t) { return new EngineOptions(backend, t, blockSize, chunkSize, kvBudgetBytes, kvDType); }
    public EngineOptions withBlockSize(int b) { return new EngineOptions(backend, threads, b, chunkSize, kvBudgetBytes, kvDType); }
    public EngineOptions withChunkSize(int c) { return new EngineOptions(backend, threads, blockSize, c, kvBudgetBytes, kvDType); }
    public EngineOptions withKvBudget(long bytes) { return new EngineOptions(backend, threads, blockSize, chunkSize, bytes, kvDType); }
    public EngineOptions withKvDType(KvDType t) { return new EngineOptions(backend, threads, blockSize, chunkSize, kvBudgetBytes, t); }
}
