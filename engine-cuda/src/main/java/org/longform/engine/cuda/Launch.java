package org.longform.engine.cuda;

/**
 * Launch geometry and shared-memory sizes, kept apart from the JCuda calls so the arithmetic is
 * unit-tested on machines without a GPU. Constants mirror the #defines in engine-cuda/src/main/cuda.
 */
final class Launch {
    private Launch() {}

    static final int GEMV_MAX_T = 8, GEMV_WARPS = 8;
    static final int GEMM_BM = 64, GEMM_BN = 128, GEMM_BK = 32, GEMM_THREADS = 256;
    static final int ATT_THREADS = 128, ATT_TILE = 128, ATT_MAX_HD = 256, ATT_PART = 256;
    static final int FA_BQ = 64, FA_BK = 64, FA_MIN_T = 16;
    static final int MAX_GRID_YZ = 65535;

    static int ceilDiv(long a, long b) {
        return (int) ((a + b - 1) / b);
    }

    /** Chunks of T tokens up to GEMV_MAX_T go through the GEMV (fp32, bandwidth-bound); more through the tensor-core GEMM. */
    static boolean useGemv(int T) {
        return T <= GEMV_MAX_T;
    }

    static int gemvBlocks(int N) {
        return ceilDiv(N, GEMV_WARPS);
    }

    static int[] gemmGrid(int T, int N) {
        return new int[] {ceilDiv(N, GEMM_BN), ceilDiv(T, GEMM_BM)};
    }

    /** Two pipeline stages of (terms A tiles + one W tile), or the fp32 epilogue tile if larger. */
    static int gemmSmem(int terms) {
        int stages = 2 * (terms * GEMM_BM + GEMM_BN) * (GEMM_BK + 8) * 2;
        int epilogue = GEMM_BM * (GEMM_BN + 4) * 4;
        return Math.max(stages, epilogue);
    }

    /** Q, K, V (bf16), scores (f32), probabilities (bf16), O (f32), row max and sum. */
    static int flashSmem(int hd) {
        return 3 * FA_BQ * (hd + 8) * 2
                + FA_BQ * (FA_BK + 4) * 4
                + FA_BQ * (FA_BK + 8) * 2
                + FA_BQ * (hd + 4) * 4
                + 2 * FA_BQ * 4;
    }

    /** Blocks for the element-wise split kernel: enough to fill the GPU, grid-stride beyond. */
    static int splitBlocks(long n) {
        return (int) Math.max(1, Math.min((n + 255) / 256, 65535));
    }

    /** How the keys of a launch are split: P partitions of partLen keys (a multiple of the tile). */
    record AttnSplit(int parts, int partLen) {}

    /**
     * Splits ctx keys into partitions of ATT_PART keys for parallelism, fewer and longer ones when
     * the partial results of T queries x H heads would not fit in the scratch buffer.
     */
    static AttnSplit attnSplit(int ctx, int T, int H, int hd, long scratchFloats) {
        long per = (long) T * H * (hd + 2);
        if (scratchFloats < per)
            throw new IllegalArgumentException("attention scratch of " + scratchFloats + " floats < " + per);
        int partLen = ATT_PART;
        int parts = ceilDiv(ctx, partLen);
        long maxParts = Math.min(scratchFloats / per, MAX_GRID_YZ);
        if (parts > maxParts) {
            partLen = ceilDiv(ceilDiv(ctx, maxParts), ATT_TILE) * ATT_TILE;
            parts = ceilDiv(ctx, partLen);
        }
        return new AttnSplit(parts, partLen);
    }

    /** Scratch floats for partial attention results: decode over the whole capacity, or a few partitions per chunk query. */
    static long attnScratchFloats(int capacityTokens, int maxChunk, int H, int hd) {
        long decode = (long) H * (hd + 2) * ceilDiv(capacityTokens, ATT_PART);
        long prefill = (long) maxChunk * H * (hd + 2) * 4;
        return Math.max(decode, prefill);
    }

    /** The flash prefill kernel applies to bf16 caches with hd % 16 == 0 when its shared memory fits the device. */
    static boolean useFlash(boolean bf16Cache, int T, int hd, int smemOptin) {
        return bf16Cache && T >= FA_MIN_T && hd % 16 == 0 && flashSmem(hd) <= smemOptin;
    }
}
