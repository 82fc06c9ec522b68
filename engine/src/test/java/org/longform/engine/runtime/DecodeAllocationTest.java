package org.longform.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.longform.engine.Fixtures.*;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.longform.engine.model.Model;

/**
 * The token loop allocates nothing: once compiled, decoding on the vector backend with a thread
 * team allocates no memory on the calling thread or on the team's workers (scratch is made once per
 * shape, jobs are reused, nothing is boxed). A buffer per call or a boxed vector would show as
 * hundreds of bytes per token; the bound below leaves room only for the measurement's own arrays.
 */
class DecodeAllocationTest {
    /** Decoded tokens before measuring: until then the Vector API runs interpreted and allocates. */
    static final int WARM = 3000;

    static final int MEASURED = 150;

    @Test
    void decodingAllocatesNothingPerToken() {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        int[] ids = ints(testCase(expected(MODELS[1]), "long").get("prompt_ids"));
        try (Model m = Model.load(modelDir(MODELS[1]), null, false);
                Session s = Session.open(
                        m,
                        EngineOptions.defaults()
                                .withBackend("vector")
                                .withThreads(2)
                                .withBlockSize(16))) {
            s.feed(ids, 0, 64, null, null, null);
            int[] one = new int[1];
            for (int i = 0; i < WARM; i++) {
                one[0] = ids[64 + i % 1000];
                s.feed(one, 0, 1, null, null, null);
                if (s.length() >= 256) s.evict(64, 192);
            }
            long[] threads = computeThreads(mx);
            assertFalse(threads.length < 2, "the calling thread and at least one team worker");
            // the least of three windows: a recompilation in one (its code runs interpreted for a while
            // and allocates) says nothing about the compiled loop
            double best = Double.MAX_VALUE;
            for (int w = 0; w < 3 && best >= 16; w++) {
                s.evict(64, s.length()); // room for the measured tokens without an eviction
                long[] before = mx.getThreadAllocatedBytes(threads);
                for (int i = 0; i < MEASURED; i++) {
                    one[0] = ids[1100 + i];
                    s.feed(one, 0, 1, null, null, null);
                }
                long[] after = mx.getThreadAllocatedBytes(threads);
                long total = 0;
                for (int i = 0; i < threads.length; i++) total += after[i] - before[i];
                best = Math.min(best, total / (double) MEASURED);
            }
            System.out.printf(
                    "decode allocation: %.1f bytes per token (calling thread and %d workers)%n",
                    best, threads.length - 1);
            assertTrue(best < 16, "decoding allocated " + best + " bytes per token");
        }
    }

    /** This thread first, then the team's workers (named longform-compute-N). */
    private static long[] computeThreads(ThreadMXBean mx) {
        List<Long> ids = new ArrayList<>();
        ids.add(Thread.currentThread().threadId());
        for (ThreadInfo ti : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (ti != null && ti.getThreadName().startsWith("longform-compute")) ids.add(ti.getThreadId());
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }
}
