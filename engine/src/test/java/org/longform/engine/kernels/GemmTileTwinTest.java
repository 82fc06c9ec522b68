package org.longform.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.longform.engine.quant.Matrix;
import org.longform.engine.quant.WeightType;

/**
 * Every prefill register tile against a scalar twin that sums in the GEMM's order (each panel
 * depth of k as one fused multiply-add chain from zero, the depths added in order): the same
 * floats, bit for bit, for T = 1..13 tokens (every mix of token blocks), row counts that are no
 * multiple of any tile's rows, K over one packing pass, and T on both sides of the narrow tile's
 * switch from token lanes to packed panels (256), and over the packed panels' depth chunk. Surefire runs this class at 128, 256 and 512 bits, so each width's
 * own tile is checked where it runs.
 */
class GemmTileTwinTest {
    /** The tile follows the width: 256 bits (AVX2, 16 registers) takes the narrow tile, 128 and 512 the wide one. */
    @Test
    void tileFollowsTheVectorWidth() {
        assertEquals(16, GemmTile.registers(256, 0));
        assertEquals(32, GemmTile.registers(512, 0));
        assertEquals(32, GemmTile.registers(128, 0));
        assertEquals(32, GemmTile.registers(256, 32));
        assertEquals(GemmTile.NARROW, GemmTile.forRegisters(16));
        assertEquals(GemmTile.WIDE, GemmTile.forRegisters(32));
        GemmTile want = MatMulVector.F.vectorBitSize() == 256 ? GemmTile.NARROW : GemmTile.WIDE;
        if (Integer.getInteger("longform.gemmRegisters", 0) == 0) assertEquals(want, MatMulVector.TILE);
        System.out.println("prefill tile at " + MatMulVector.F.vectorBitSize() + " bits: " + MatMulVector.TILE);
    }

    /** Units of work split evenly over the threads where a smaller unit allows it. */
    @Test
    void unitsBalanceTheThreads() {
        assertEquals(12, MatMulVector.Job.unitPanels(144, 16, 2)); // 12 units, not 9 (5 + 4)
        assertEquals(16, MatMulVector.Job.unitPanels(192, 16, 2)); // 12 units of 16 already even
        assertEquals(16, MatMulVector.Job.unitPanels(144, 16, 1));
        assertEquals(6, MatMulVector.Job.unitPanels(48, 6, 2));
    }

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        WeightType[] types = {
            WeightType.F32, WeightType.F16, WeightType.BF16, WeightType.Q8_0, WeightType.Q4_0, WeightType.Q4_K
        };
        SplittableRandom r = new SplittableRandom(15);
        for (WeightType wt : types) {
            for (int T = 1; T <= 13; T++) {
                // N: ragged for every tile (not a multiple of 8); K: one to three panel depths, a short last one
                int N = 8 * r.nextInt(1, 20) + r.nextInt(1, 8);
                int K = wt == WeightType.Q4_K ? 256 * r.nextInt(1, 3) : 32 * r.nextInt(1, 12);
                if (!wt.quantized() && !wt.kQuant() && T % 3 == 0)
                    K += r.nextInt(1, 32); // a K that is no multiple of 32
                b.add(Arguments.of(wt, T, N, K));
            }
            // deeper than one widening pass of the token lanes (16 panel depths) and than one depth
            // chunk of the packed panels (8): two passes, the last one short
            int deep = wt.kQuant() ? 256 * 9 : wt.quantized() ? 32 * 70 : 2100;
            b.add(Arguments.of(wt, 6, 45, deep));
            // the narrow tile's token lanes end below 256 tokens: the last lane size and the first panel size
            b.add(Arguments.of(wt, 255, 37, wt.kQuant() ? 512 : 160));
            b.add(Arguments.of(wt, 257, 37, wt.kQuant() ? 512 : 160));
            // packed panels: every token block mix (4, 2, 1), and K over one depth chunk (two chunks, the last short)
            b.add(Arguments.of(wt, 258, 21, wt.kQuant() ? 256 : 96));
            b.add(Arguments.of(wt, 259, 19, deep));
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} T={1} N={2} K={3}")
    @MethodSource("cases")
    void everyTileGivesTheTwinsFloats(WeightType wt, int T, int N, int K) {
        Matrix w = wt.kQuant()
                ? KQuantTwinTest.random(wt, N, K, N * 7L + K)
                : MatMulTwinTest.matrix(wt, N, K, N * 31L + K);
        float[] x = MatMulTwinTest.random(T * K, T);
        for (Epilogue ep : Epilogue.values()) {
            float[] init = MatMulTwinTest.random(T * N, 9);
            float[] want = init.clone();
            twin(w, x, T, want, ep);
            for (GemmTile tile : GemmTile.values()) {
                // the whole product as one unit, and as the small units of a three-thread split (one worker runs them)
                float[] one = init.clone(), split = init.clone();
                float[] xi = new float[MatMulVector.interleavedLength(T, K, tile)];
                MatMulVector.interleave(x, T, K, xi, 0, K, tile);
                MatMulVector.gemm(w, xi, T, one, 0, N, ep, new MatMulVector.Scratch(), tile);
                MatMulVector.Job job = new MatMulVector.Job(3, tile).set(w, x, T, split, ep);
                if (job.needsInterleave()) {
                    job.interleave(0, K);
                    job.run(0);
                    assertSame(want, split, ep, wt + " " + ep + " " + tile + " in units");
                }
                assertSame(want, one, ep, wt + " " + ep + " " + tile);
            }
        }
    }

    /**
     * The product in the GEMM's summation order, one element at a time: rows widened by
     * {@link Matrix#row}; per panel depth a fused multiply-add chain from zero, added to what the
     * earlier depths (or ADD's initial value) left; GELU as the vector kernel applies it per token row.
     */
    static void twin(Matrix w, float[] x, int T, float[] out, Epilogue ep) {
        int N = w.rows(), K = w.cols(), KC = MatMulVector.KC;
        float[] row = new float[K];
        for (int n = 0; n < N; n++) {
            w.row(n, row, 0);
            for (int t = 0; t < T; t++) {
                float o = out[t * N + n];
                for (int k0 = 0; k0 < K; k0 += KC) {
                    float s = 0f;
                    for (int k = k0; k < Math.min(K, k0 + KC); k++) s = Math.fma(row[k], x[t * K + k], s);
                    o = k0 == 0 && ep != Epilogue.ADD ? s : s + o;
                }
                out[t * N + n] = o;
            }
        }
        if (ep == Epilogue.GELU) for (int t = 0; t < T; t++) Gelu.vector(out, t * N, t * N + N);
    }

    /**
     * Bit for bit; after GELU within 1e-6 relative: the vector exp in {@link Gelu#vector} is the
     * Java fallback until C2 compiles it to its intrinsic, an ulp apart, so GELU's floats depend on
     * JIT timing (the sums before it are checked exactly by STORE and ADD).
     */
    static void assertSame(float[] want, float[] got, Epilogue ep, String what) {
        for (int i = 0; i < want.length; i++) {
            if (ep == Epilogue.GELU) {
                double tol = 1e-6 * Math.max(1, Math.abs(want[i]));
                assertTrue(Math.abs(want[i] - got[i]) <= tol, what + " [" + i + "]: " + want[i] + " vs " + got[i]);
            } else if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                assertEquals(want[i], got[i], what + " [" + i + "] differs from the twin");
            }
        }
    }
}
