package org.longform.engine.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * Splits an index range across a fixed pool of worker threads. Threads are started once; a call
 * costs a few task submissions, not thread start-up.
 */
public final class Parallel implements AutoCloseable {
    @FunctionalInterface
    public interface RangeBody { void run(int from, int to); }

    private final ForkJoinPool pool;
    private final int threads;

    public Parallel(int threads) {
        this.threads = Math.max(1, threads);
        this.pool = this.threads > 1 ? new ForkJoinPool(this.threads - 1) : null;
    }

    public int threads() { return threads; }

    /** Runs body over [0, n) in up to {@code threads} contiguous pieces, each a multiple of {@code grain} except the last. */
    public void range(int n, int grain, RangeBody body) {
        int units = (n + grain - 1) / grain;
        int pieces = Math.min(threads, units);
        if (pieces <= 1 || pool == null) {
            body.run(0, n);
            return;
        }
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[pieces - 1];
        int per = units / pieces, extra = units % pieces;
        int start = 0;
        int firstEnd = Math.min(n, (per + (extra > 0 ? 1 : 0)) * grain);
        start = firstEnd;
        for (int p = 1; p < pieces; p++) {
            int u = per + (p < extra ? 1 : 0);
            int a = start, b = Math.min(n, start + u * grain);
            tasks[p - 1] = pool.submit(() -> body.run(a, b));
            start = b;
        }
        body.run(0, firstEnd);   // the caller works too
        for (ForkJoinTask<?> t : tasks) t.join();
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdownNow();
    }
}
