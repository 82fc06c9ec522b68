package org.longform.engine.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.longform.engine.Fixtures;
import org.longform.engine.io.DType;
import org.longform.engine.io.Tensor;
import org.longform.engine.kernels.Backend;
import org.longform.engine.kernels.Backends;
import org.longform.engine.kernels.ScalarBackend;
import org.longform.engine.model.Model;
import org.longform.engine.quant.DenseMatrix;
import org.longform.engine.runtime.ContextFullException;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.runtime.Session;

/**
 * CudaSession keeps Session's semantics (prefix reuse, eviction, context-full refusals,
 * cancellation), compared against the CPU session on the same inputs; the per-op backend's
 * matmuls equal the scalar oracle. GPU only.
 */
class CudaSessionTest {
    static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(Fixtures.modelDir("tiny-mpt-4h"));
    }

    @BeforeEach
    void needGpu() {
        CudaAssume.gpu();
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    static int[] ids(int n, int seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = 2 + r.nextInt(50000);
        return a;
    }

    static void assertClose(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 2e-3, what + " logit " + i);
    }

    static EngineOptions opts(int block, int chunk) {
        return EngineOptions.defaults()
                .withBackend("vector")
                .withBlockSize(block)
                .withChunkSize(chunk);
    }

    static CudaSession gpu(int block, int chunk) {
        return CudaSession.open(model, opts(block, chunk), "exact");
    }

    @Test
    void autoChoosesCudaWhenAGpuIsPresent() {
        try (Backend b = Backends.create("auto", 1)) {
            assertTrue(b.name().startsWith("cuda("), b.name());
        }
    }

    @Test
    void syncAndEvictMatchTheCpuSession() {
        int[] a = ids(300, 1);
        int[] b = Arrays.copyOf(a, 310);
        System.arraycopy(ids(30, 2), 0, b, 280, 30);
        try (CudaSession g = gpu(16, 64);
                Session c = Session.open(model, opts(16, 64))) {
            assertClose(c.sync(a, null, null).clone(), g.sync(a, null, null).clone(), "first sync");
            assertEquals(300, g.lastRecomputed());
            assertClose(c.sync(b, null, null).clone(), g.sync(b, null, null).clone(), "edited suffix");
            assertEquals(30, g.lastRecomputed());
            g.sync(b, null, null);
            assertEquals(1, g.lastRecomputed());
            assertArrayEquals(b, g.tokens());
        }
        for (int block : new int[] {16, 7, 64}) {
            for (int[] range : new int[][] {{16, 80}, {10, 77}, {0, 5}, {150, 199}, {3, 5}}) {
                try (CudaSession g = gpu(block, 64);
                        Session c = Session.open(model, opts(16, 64))) {
                    g.feed(a, 0, 200, null, null, null);
                    c.feed(a, 0, 200, null, null, null);
                    g.evict(range[0], range[1]);
                    c.evict(range[0], range[1]);
                    assertEquals(c.length(), g.length());
                    assertArrayEquals(c.tokens(), g.tokens());
                    assertClose(
                            c.feed(7, 8, 9).clone(),
                            g.feed(7, 8, 9).clone(),
                            "block " + block + " evict " + Arrays.toString(range));
                }
            }
        }
    }

    @Test
    void contextFullRefusesTheChunkThatDoesNotFit() {
        // 64 tokens of f32 K and V for 2 layers x 64 dims
        var o = EngineOptions.defaults().withBlockSize(16).withKvBudget(16L * 2 * 2 * 64 * 4 * 4);
        try (CudaSession s = CudaSession.open(model, o, "exact")) {
            assertEquals(64, s.capacity());
            s.feed(ids(60, 4));
            assertThrows(IllegalArgumentException.class, () -> s.feed(1 << 20), "a token outside the vocabulary");
            assertEquals(60, s.length());
            ContextFullException e = assertThrows(ContextFullException.class, () -> s.feed(ids(10, 5)));
            assertTrue(e.getMessage().contains("64 tokens"), e.getMessage());
            assertEquals(60, s.length());
            s.feed(1, 2, 3, 4);
            assertEquals(64, s.length());
        }
    }

    @Test
    void cancellationStopsBetweenChunks() {
        try (CudaSession s = gpu(64, 32)) {
            int[] calls = {0};
            assertNull(s.feed(ids(200, 6), 0, 200, null, (done, total) -> calls[0]++, () -> calls[0] >= 2));
            assertEquals(64, s.length());
            try (Session c = Session.open(model, opts(64, 32))) {
                c.feed(ids(200, 6), 0, 64, null, null, null);
                assertClose(c.feed(5).clone(), s.feed(5).clone(), "after cancel");
            }
        }
    }

    @Test
    void perOpMatmulEqualsTheScalarOracle() {
        SplittableRandom r = new SplittableRandom(11);
        try (Arena arena = Arena.ofConfined();
                Backend gpu = Backends.create("cuda", 1);
                Backend ref = new ScalarBackend()) {
            for (int[] nk : new int[][] {{8, 64}, {100, 96}, {288, 96}, {513, 392}, {50432, 64}}) {
                int N = nk[0], K = nk[1];
                MemorySegment seg = arena.allocate(2L * N * K, 16);
                for (long i = 0; i < (long) N * K; i++)
                    seg.setAtIndex(
                            Tensor.SHORT_LE, i, (short) (Float.floatToIntBits((float) r.nextGaussian() * 0.2f) >>> 16));
                Tensor w = new Tensor("w" + N + "x" + K, DType.BF16, new long[] {N, K}, seg);
                for (int T : new int[] {1, 5, 8, 9, 64, 130}) {
                    float[] x = new float[T * K];
                    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
                    float[] want = new float[T * N], got = new float[T * N];
                    ref.matmul(new DenseMatrix(w), x, T, want);
                    gpu.matmul(new DenseMatrix(w), x, T, got);
                    for (int i = 0; i < want.length; i++) {
                        assertEquals(
                                want[i],
                                got[i],
                                1e-4 * (1 + Math.abs(want[i])) + 1e-4,
                                "N " + N + " K " + K + " T " + T + " at " + i);
                    }
                }
            }
        }
    }
}
