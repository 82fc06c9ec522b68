package org.longform.engine.cuda;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Launch geometry: attention partitions cover every key once, grids stay in bounds, shared memory fits sm_80. */
class LaunchTest {
    static final int SM80_OPTIN = 163 * 1024, SM86_OPTIN = 99 * 1024;

    @Test
    void attentionPartitionsCoverEveryKeyOnce() {
        int[][] shapes = {{32, 128}, {6, 16}, {4, 16}, {64, 112}, {16, 64}};
        for (int[] s : shapes) {
            int H = s[0], hd = s[1];
            for (int maxChunk : new int[] {1, 7, 256, 2048}) {
                long scratch = Launch.attnScratchFloats(86_016, maxChunk, H, hd);
                for (int ctx : new int[] {1, 2, 127, 128, 129, 3000, 65_536, 86_016}) {
                    for (int T : new int[] {1, 8, maxChunk}) {
                        if (T > ctx || T > maxChunk) continue;
                        Launch.AttnSplit sp = Launch.attnSplit(ctx, T, H, hd, scratch);
                        assertTrue(sp.parts() >= 1 && sp.parts() <= Launch.MAX_GRID_YZ, sp.toString());
                        assertEquals(0, sp.partLen() % Launch.ATT_TILE, "partition length is whole tiles");
                        assertTrue((long) sp.parts() * T * H * (hd + 2) <= scratch, "partials fit the scratch");
                        assertTrue((long) sp.parts() * sp.partLen() >= ctx, "keys covered");
                        assertTrue((long) (sp.parts() - 1) * sp.partLen() < ctx, "no partition starts past the keys");
                    }
                }
            }
        }
        // decode at 84k on a 7B shape keeps many partitions for parallelism
        Launch.AttnSplit d = Launch.attnSplit(86_016, 1, 32, 128, Launch.attnScratchFloats(86_016, 2048, 32, 128));
        assertEquals(86_016 / Launch.ATT_PART, d.parts());
    }

    @Test
    void sharedMemory() {
        assertEquals(51_200, Launch.gemmSmem(3));
        assertEquals(
                Launch.GEMM_BM * (Launch.GEMM_BN + 4) * 4,
                Launch.gemmSmem(1),
                "the epilogue tile dominates with one term");
        assertTrue(Launch.gemmSmem(3) <= SM86_OPTIN);
        assertTrue(Launch.flashSmem(128) <= SM80_OPTIN, "MPT-7B head size fits A100/H100");
        assertTrue(Launch.flashSmem(16) < 48 * 1024);
        assertTrue(Launch.useFlash(true, 64, 128, SM80_OPTIN));
        assertFalse(Launch.useFlash(true, 64, 128, SM86_OPTIN), "consumer Ampere falls back to the split kernel");
        assertFalse(Launch.useFlash(false, 64, 128, SM80_OPTIN), "exact mode never rounds q to bf16");
        assertFalse(Launch.useFlash(true, 8, 128, SM80_OPTIN), "decode-sized chunks use the split kernel");
        assertFalse(Launch.useFlash(true, 64, 24, SM80_OPTIN), "WMMA needs hd % 16 == 0");
    }

    @Test
    void matmulGrids() {
        assertTrue(Launch.useGemv(1));
        assertTrue(Launch.useGemv(8));
        assertFalse(Launch.useGemv(9));
        assertEquals(1536, Launch.gemvBlocks(12_288));
        assertEquals(6304, Launch.gemvBlocks(50_432));
        assertEquals(37, Launch.gemvBlocks(289));
        assertArrayEquals(new int[] {394, 32}, Launch.gemmGrid(2048, 50_432));
        assertArrayEquals(new int[] {3, 1}, Launch.gemmGrid(9, 288));
        assertEquals(65535, Launch.splitBlocks(1L << 40));
        assertEquals(1, Launch.splitBlocks(1));
    }

    @Test
    void precisionChoice() {
        long f32PerToken7b = 2L * 32 * 4096 * 4;
        long gb = 1L << 30;
        assertEquals(
                Precision.FAST,
                Precision.resolve("auto", 86_016, f32PerToken7b, 60 * gb),
                "7B at 84k on 80 GB: bf16 cache");
        assertEquals(
                Precision.FAST,
                Precision.resolve("auto", 86_016, f32PerToken7b, 120 * gb),
                "even on 141 GB: f32 would take most of it");
        assertEquals(
                Precision.EXACT, Precision.resolve("auto", 86_016, 2L * 3 * 96 * 4, 10 * gb), "tiny models stay exact");
        assertEquals(Precision.EXACT, Precision.resolve("exact", 86_016, f32PerToken7b, gb));
        assertEquals(Precision.FAST, Precision.resolve(" FAST ", 1, 1, gb));
        assertThrows(IllegalArgumentException.class, () -> Precision.resolve("bf8", 1, 1, gb));
        assertEquals(2, Precision.FAST.kvBytes());
        assertEquals(3, Precision.EXACT.gemmTerms());
    }
}
