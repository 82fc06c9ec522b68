package org.longform.hub;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.longform.engine.kv.KvDType;
import org.longform.engine.kv.KvPool;
import org.longform.engine.model.Config;
import org.longform.engine.model.Weights;
import org.longform.engine.quant.WeightType;

/** The KV dtype/window recommendation on machines of known sizes, and the live report. */
class SystemCheckTest {
    static final long GIB = 1L << 30;
    static final Config SW = SystemCheck.STORYWRITER.config();
    static final long SW_WEIGHTS = SystemCheck.STORYWRITER.weightBytes();

    @Test
    void storyWriterNeedsQ8OnA24GiBMachine() {
        KvPlan p = KvPlan.recommend(SW, SW_WEIGHTS, 24 * GIB);
        assertEquals(1L << 20, p.bytesPerToken(KvDType.F32), "2 x 32 layers x 4096 x 4 bytes");
        assertEquals(KvDType.INT8, p.dtype());
        assertTrue(p.window() > 20_000 && p.window() < KvPlan.TARGET_WINDOW, "window " + p.window());
        assertEquals(0, p.window() % 1024);
        assertTrue(p.windows().get(KvDType.F32) < p.windows().get(KvDType.F16));
        assertTrue(p.fits());
    }

    @Test
    void moreMemoryBuysPrecision() {
        assertEquals(KvDType.F16, KvPlan.recommend(SW, SW_WEIGHTS, 64 * GIB).dtype());
        KvPlan big = KvPlan.recommend(SW, SW_WEIGHTS, 128 * GIB);
        assertEquals(KvDType.F32, big.dtype());
        assertEquals(KvPlan.MAX_WINDOW, big.window(), "capped at how far StoryWriter extrapolates");
    }

    @Test
    void tooLittleMemoryIsSaidPlainly() {
        KvPlan p = KvPlan.recommend(SW, SW_WEIGHTS, 14 * GIB);
        assertFalse(p.fits());
        assertEquals(0, p.window());
        assertTrue(p.reason().contains("more memory"), p.reason());
    }

    @Test
    void theSuggestedBudgetHoldsTheRecommendedWindowInTheEngine() {
        for (long ram : new long[] {24 * GIB, 64 * GIB, 128 * GIB}) {
            KvPlan p = KvPlan.recommend(SW, SW_WEIGHTS, ram);
            long need = (long) p.window() * KvPool.bytesPerToken(SW, p.dtype());
            assertTrue(
                    need <= p.budgetBytes(),
                    ram / GIB + " GiB: " + p.dtype().label() + " window " + p.window() + " needs " + need + ", budget "
                            + p.budgetBytes());
            assertTrue(p.budgetBytes() <= p.roomBytes(), "within the room");
        }
    }

    @Test
    void int8IsPricedAsTheEnginesPagesHoldIt() {
        KvPlan p = KvPlan.recommend(SW, SW_WEIGHTS, 24 * GIB);
        // 2 x 32 layers x 4096 int8 values, plus one f32 scale per layer, K/V and head (not 1.125 bytes a value)
        assertEquals(2L * 32 * 4096 + 2L * 32 * 32 * 4, p.bytesPerToken(KvDType.INT8));
        assertEquals(KvPool.bytesPerToken(SW, KvDType.INT8), p.bytesPerToken(KvDType.INT8));
        assertEquals(p.roomBytes() / p.bytesPerToken(KvDType.INT8) / 1024 * 1024, p.window());
    }

    /** Issue 14: on 24 GB, q4_0 weights (~3.9 GB) leave room for an int8 cache of the whole trained window. */
    @Test
    void storyWriterInQ4WeightsFitsItsTrainedWindowOn24GB() {
        SystemCheck.Target q4 = SystemCheck.STORYWRITER.loadedAs(WeightType.Q4_0);
        assertEquals(Weights.bytesFor(SW, WeightType.Q4_0), q4.weightBytes());
        assertTrue(
                q4.weightBytes() > 3_800_000_000L && q4.weightBytes() < 3_900_000_000L,
                "q4 weights " + q4.weightBytes());
        assertEquals("mosaicml/mpt-7b-storywriter (q4_0 weights)", q4.name());
        for (long ram : new long[] {24 * GIB, 24_000_000_000L}) {
            KvPlan p = KvPlan.recommend(SW, q4.weightBytes(), ram);
            assertEquals(KvDType.INT8, p.dtype(), ram + " bytes");
            assertTrue(p.window() >= KvPlan.TARGET_WINDOW, ram + " bytes: window " + p.window());
            long kv = (long) KvPlan.TARGET_WINDOW * p.bytesPerToken(KvDType.INT8);
            assertTrue(kv > 16 * GIB && kv < 17 * GIB, "an int8 cache of 65,536 tokens is ~16.5 GiB: " + kv);
        }
        // the same machine with bf16 weights stops well short of it
        KvPlan bf16 = KvPlan.recommend(SW, SW_WEIGHTS, 24 * GIB);
        assertTrue(bf16.window() < KvPlan.TARGET_WINDOW, "bf16 window " + bf16.window());
    }

    @Test
    void theReportNamesTheWindowSmallerWeightsWouldGive() {
        KvPlan bf16 = KvPlan.recommend(SW, SW_WEIGHTS, 24 * GIB);
        SystemReport r = new SystemReport(
                "25",
                "JDK",
                "Linux",
                "amd64",
                8,
                512,
                "",
                List.of(),
                24 * GIB,
                20 * GIB,
                8 * GIB,
                new CudaStatus("libcuda.so.1", false, 0, -1, List.of(), "no driver"),
                SystemCheck.STORYWRITER,
                bf16);
        int q4Window = KvPlan.recommend(SW, Weights.bytesFor(SW, WeightType.Q4_0), 24 * GIB)
                .window();
        assertTrue(
                r.render()
                        .contains("with q4_0 weights (" + Sizes.human(Weights.bytesFor(SW, WeightType.Q4_0))
                                + "): KV dtype int8, window " + SystemCheck.n(q4Window) + " tokens"),
                r.render());

        SystemCheck.Target q4 = SystemCheck.STORYWRITER.loadedAs(WeightType.Q4_0);
        SystemReport already = new SystemReport(
                "25",
                "JDK",
                "Linux",
                "amd64",
                8,
                512,
                "",
                List.of(),
                24 * GIB,
                20 * GIB,
                8 * GIB,
                new CudaStatus("libcuda.so.1", false, 0, -1, List.of(), "no driver"),
                q4,
                KvPlan.recommend(SW, q4.weightBytes(), 24 * GIB));
        assertFalse(already.render().contains("with q4_0 weights"), already.render());
        assertTrue(already.render().contains("mosaicml/mpt-7b-storywriter (q4_0 weights)"), already.render());
    }

    @Test
    void loadedAsKeepsTheStoredFormForNoQuantization() {
        assertSame(SystemCheck.STORYWRITER, SystemCheck.STORYWRITER.loadedAs(null));
        SystemCheck.Target q8 = SystemCheck.STORYWRITER.loadedAs(WeightType.Q8_0);
        assertEquals(Weights.bytesFor(SW, WeightType.Q8_0), q8.weightBytes());
        assertEquals(SystemCheck.STORYWRITER.loadedAs(WeightType.Q4_0), q8.loadedAs(WeightType.Q4_0));
    }

    @Test
    void theCacheIsOffHeapSoOnlyMemoryLimitsIt() {
        KvPlan p = KvPlan.recommend(SW, SW_WEIGHTS, 128 * GIB);
        // 128 GiB less the weights and a tenth kept for the rest: far more than any -Xmx the launchers set
        assertEquals(128 * GIB - SW_WEIGHTS - 128 * GIB / 10, p.roomBytes());
    }

    @Test
    void kvPagesAreNotBoundByTheHeap() throws Exception {
        // what the rule above rests on: in a JVM with a 64 MiB heap, an arena takes 256 MiB
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java, "-Xmx64m", "-cp", System.getProperty("java.class.path"), OffHeap.class.getName())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("allocated 268435456"), out);
    }

    /** Run in a child JVM by {@link #kvPagesAreNotBoundByTheHeap}. */
    public static final class OffHeap {
        public static void main(String[] args) {
            try (Arena a = Arena.ofConfined()) {
                System.out.println("allocated " + a.allocate(256L << 20, 64).byteSize());
            }
        }
    }

    @Test
    void liveReportRendersWithoutFailing() {
        SystemReport r = SystemCheck.run(SystemCheck.STORYWRITER);
        assertTrue(r.totalMemory() > 0 && r.cores() > 0);
        String s = r.render();
        assertTrue(s.contains("Memory") && s.contains("GPU") && s.contains("Verdict"), s);
        assertNotNull(r.cuda().note());
    }
}
