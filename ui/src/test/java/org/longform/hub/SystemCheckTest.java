package org.longform.hub;

import org.junit.jupiter.api.Test;
import org.longform.engine.model.Config;

import static org.junit.jupiter.api.Assertions.*;

/** The KV dtype/window recommendation on machines of known sizes, and the live report. */
class SystemCheckTest {
    static final long GIB = 1L << 30;
    static final Config SW = SystemCheck.STORYWRITER.config();
    static final long SW_WEIGHTS = SystemCheck.STORYWRITER.weightBytes();

    @Test
    void storyWriterNeedsQ8OnA24GiBMachine() {
        KvPlan p = KvPlan.recommend(SW, SW_WEIGHTS, 24 * GIB, 18 * GIB);
        assertEquals(1L << 20, p.bytesPerTokenF32(), "2 x 32 layers x 4096 x 4 bytes");
        assertEquals(KvDtype.Q8, p.dtype());
        assertTrue(p.window() > 20_000 && p.window() < KvPlan.TARGET_WINDOW, "window " + p.window());
        assertEquals(0, p.window() % 1024);
        assertTrue(p.windows().get(KvDtype.F32) < p.windows().get(KvDtype.F16));
        assertTrue(p.fits());
    }

    @Test
    void moreMemoryBuysPrecision() {
        assertEquals(KvDtype.F16, KvPlan.recommend(SW, SW_WEIGHTS, 64 * GIB, 48 * GIB).dtype());
        KvPlan big = KvPlan.recommend(SW, SW_WEIGHTS, 128 * GIB, 96 * GIB);
        assertEquals(KvDtype.F32, big.dtype());
        assertEquals(KvPlan.MAX_WINDOW, big.window(), "capped at how far StoryWriter extrapolates");
    }

    @Test
    void tooLittleMemoryIsSaidPlainly() {
        KvPlan p = KvPlan.recommend(SW, SW_WEIGHTS, 14 * GIB, 10 * GIB);
        assertFalse(p.fits());
        assertEquals(0, p.window());
        assertTrue(p.reason().contains("more memory"), p.reason());
    }

    @Test
    void theHeapLimitsTheCacheToo() {
        KvPlan p = KvPlan.recommend(SW, SW_WEIGHTS, 128 * GIB, 4 * GIB);
        assertTrue(p.roomBytes() < 4 * GIB);
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
