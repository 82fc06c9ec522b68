package org.longform.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @Test
    void rangeCoversEveryIndexOnceInContiguousGrainedPieces() {
        try (Parallel p = new Parallel(3)) {
            for (int n : new int[] {1, 2, 7, 64, 1000}) {
                for (int grain : new int[] {1, 4, 16}) {
                    int[] hits = new int[n];
                    p.range(n, grain, (a, b) -> {
                        assertTrue(a % grain == 0 && a < b && b <= n);
                        for (int i = a; i < b; i++) hits[i]++;
                    });
                    for (int i = 0; i < n; i++) assertEquals(1, hits[i], "n " + n + " grain " + grain + " index " + i);
                }
            }
        }
    }

    @Test
    void thousandsOfShortJobsWithSharedCounters() {
        try (Parallel p = new Parallel(2)) {
            AtomicLong total = new AtomicLong();
            AtomicInteger next = new AtomicInteger();
            for (int job = 0; job < 20_000; job++) {
                next.set(0);
                p.run(w -> {
                    int u;
                    while ((u = next.getAndIncrement()) < 10) total.addAndGet(u);
                });
            }
            assertEquals(20_000L * 45, total.get());
        }
    }

    @Test
    void aWorkerExceptionReachesTheCaller() {
        try (Parallel p = new Parallel(2)) {
            AtomicInteger next = new AtomicInteger();
            assertThrows(
                    IllegalStateException.class,
                    () -> p.run(w -> {
                        if (next.getAndIncrement() < 2) throw new IllegalStateException("boom");
                    }));
            // and the pool still works afterwards
            int[] sum = new int[1];
            p.range(10, 1, (a, b) -> {
                synchronized (sum) {
                    sum[0] += b - a;
                }
            });
            assertEquals(10, sum[0]);
        }
    }

    @Test
    void idleWorkersParkAndWakeUp() throws InterruptedException {
        try (Parallel p = new Parallel(2)) {
            Thread.sleep(Parallel.SPIN_NANOS / 1_000_000 * 3 + 20); // let the worker park
            AtomicInteger ran = new AtomicInteger();
            for (int i = 0; i < 100; i++) p.range(100, 1, (a, b) -> ran.addAndGet(b - a));
            assertEquals(100 * 100, ran.get());
        }
    }
}
