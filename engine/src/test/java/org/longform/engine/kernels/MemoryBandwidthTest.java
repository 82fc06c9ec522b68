package org.longform.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The bandwidth probe's reading loops sum what they read (so nothing is optimized away), each against a plain loop. */
class MemoryBandwidthTest {
    @Test
    void readingLoopsSumEveryFloat() {
        try (Arena a = Arena.ofConfined()) {
            int n = 8 * 64 * 16 * 3; // whole vectors for every stream
            MemorySegment seg = a.allocate(4L * n, 64);
            double plain = 0;
            for (int i = 0; i < n; i++) {
                float v = (i * 7) % 13; // small integers: every sum is exact in float
                seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
                plain += v;
            }
            assertEquals(plain, MemoryBandwidth.sum(seg, 0, 4L * n), 0.0);
            assertEquals(plain, MemoryBandwidth.sum8(seg, 0, 4L * n), 0.0);
            // a sub-range: the pieces of a pass start inside the buffer
            double part = 0;
            for (int i = n / 3; i < 2 * n / 3; i++) part += seg.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            assertEquals(part, MemoryBandwidth.sum8(seg, 4L * (n / 3), 4L * (2 * n / 3)), 0.0);
        }
    }

    @Test
    void measureGivesAPositiveRate() {
        try (Parallel par = new Parallel(2)) {
            double gbs = MemoryBandwidth.measure(par, 8L << 20, 1);
            assertTrue(gbs > 0 && Double.isFinite(gbs), "measured " + gbs);
        }
    }
}
