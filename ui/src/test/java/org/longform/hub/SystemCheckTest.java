package org.longform.hub;

import org.junit.jupiter.api.Test;
import org.longform.engine.model.Config;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The KV dtype/window recommendation on machines of known sizes, and the live report. */
class SystemCheckTest {
    static final long GIB = 1L << 30;
    static final Config SW = SystemCheck.STORYWRITER.config();
    static final long SW_WEIGHTS = SystemCheck.STORYWRITER.weightBytes();

    @Test
    void storyWriterNeedsQ8OnA24GiBMachine() {
        KvPlan p = KvPlan.recommend(SW, SW_WEIGHTS, 24 * GIB);
        assertEquals(1L << 20, p.bytesPerTokenF32(), "2 x 32 layers x 4096 x 4 bytes");
        assertEquals(KvDtype.Q8, p.dtype());
        assertTrue(p.window() > 20_000 && p.window() < KvPlan.TARGET_WINDOW, "window " + p.window());
        assertEquals(0, p.window() % 1024);
        assertTrue(p.windows().get(KvDtype.F32) < p.windows().get(KvDtype.F16));
        assertTrue(p.fits());
    }

    @Test
    void moreMemoryBuysPrecision() {
        assertEquals(KvDtype.F16, KvPlan.recommend(SW, SW_WEIGHTS, 64 * GIB).dtype());
        KvPlan big = KvPlan.recommend(SW, SW_WEIGHTS, 128 * GIB);
        assertEquals(KvDtype.F32, big.dtype());
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
        for (long ram : new long[]{24 * GIB, 64 * GIB, 128 * GIB}) {
            KvPlan p = KvPlan.recommend(SW, SW_WEIGHTS, ram);
            var engineType = org.longform.engine.kv.KvDType.parse(p.engineDtype());
            long need = (long) p.window() * org.longform.engine.kv.KvPool.bytesPerToken(SW, engineType);
            assertTrue(need <= p.budgetBytes(), ram / GIB + " GiB: " + p.engineDtype() + " window " + p.window() + " needs " + need + ", budget " + p.budgetBytes());
            assertTrue(p.budgetBytes() <= p.roomBytes(), "within the room");
        }
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
        Process p = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"), OffHeap.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("allocated 268435456"), out);
    }

    /** Run in a child JVM by {@link #kvPagesAreNotBoundByTheHeap}. */
    public static final class OffHeap {
        public static void main(String[] args) {
            try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
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
