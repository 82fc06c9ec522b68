package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The prefill status line, with a hand-moved clock: throttled, the last step always shown. */
class ProgressLineTest {
    private static final long MS = 1_000_000L;

    @Test
    void showsTheFirstStepThenAtMostOnePerIntervalAndAlwaysTheLast() {
        AtomicLong now = new AtomicLong(5_000 * MS);
        ProgressLine p = new ProgressLine("warming", 200 * MS, now::get);
        now.addAndGet(1_000 * MS);
        assertEquals("warming: 100 / 1,000 tokens · 100.0 tokens/s · 0:09 left", p.next(100, 1000));
        assertEquals(1_000 * MS, p.elapsedNanos());
        now.addAndGet(199 * MS);
        assertNull(p.next(120, 1000), "199 ms after the last line");
        assertEquals(1_000 * MS, p.elapsedNanos(), "unchanged by a throttled step");
        now.addAndGet(1 * MS);
        assertNotNull(p.next(120, 1000), "200 ms after the last line");
        now.addAndGet(1 * MS);
        assertEquals(
                "warming: 1,000 / 1,000 tokens · 832.6 tokens/s", p.next(1000, 1000), "the last step: 1000 / 1.201 s");
    }

    @Test
    void formatsHoursLeft() {
        assertEquals(
                "Reading the story: 10 / 40,000 tokens · 1.0 tokens/s · 11:06:30 left",
                ProgressLine.format("Reading the story", 10, 40_000, 10_000 * MS));
    }
}
