package org.longform.engine.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of worker threads that help the calling thread with one job at a time.
 * <p>
 * Dispatch bumps a volatile generation that idle workers spin on ({@link #SPIN_NANOS}, then they
 * park), so a call costs about a microsecond, allocates nothing and starts no thread. Jobs hand
 * out their work in chunks from a shared counter, and the caller works too: it never waits for a
 * worker that has not started — once the caller has run out of chunks it closes the job, workers
 * arriving later skip it, and it waits only for workers already inside. On a machine shared with
 * other busy processes a descheduled worker therefore costs its share of the work, not a
 * scheduler time slice per call.
 */
public final class Parallel implements AutoCloseable {
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Work for the team. Every thread that joins calls it once with its own id (0 = the caller,
     * 1..threads-1 the workers); it must take its work from a shared counter, since any worker may
     * not join at all, and return when none is left.
     */
    @FunctionalInterface
    public interface Job {
        void run(int worker);
    }

    /** How long an idle worker spins before it parks. Decode dispatches every few tens of µs. */
    static final long SPIN_NANOS = 1_000_000;

    private static final long CLOSED = 1L << 31, COUNT = CLOSED - 1;

    private final int threads;
    private final Thread[] workers;
    private final boolean[] sleeping; // guarded by sleepLock
    private final Object sleepLock = new Object();
    /** generation << 32 | closed bit | number of workers inside the current job. */
    private final AtomicLong ticket = new AtomicLong();

    private volatile int generation;
    private volatile Job job;
    private volatile boolean closed;
    private volatile Throwable failure;

    public Parallel(int threads) {
        this.threads = Math.max(1, threads);
        this.workers = new Thread[this.threads - 1];
        this.sleeping = new boolean[this.threads];
        for (int i = 0; i < workers.length; i++) {
            int id = i + 1;
            Thread t = new Thread(() -> loop(id), "longform-compute-" + id);
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code j} on the caller (worker 0) and whichever workers join, and returns when all that joined are done. */
    public void run(Job j) {
        if (workers.length == 0) {
            j.run(0);
            return;
        }
        if (closed) throw new IllegalStateException("thread pool closed");
        int g = generation + 1;
        job = j;
        ticket.set((long) g << 32);
        generation = g; // volatile write publishes job and ticket
        wakeSleepers();
        Throwable mine = null;
        try {
            j.run(0);
        } catch (Throwable t) {
            mine = t;
        }
        long t;
        do {
            t = ticket.get();
        } while (!ticket.compareAndSet(t, t | CLOSED));
        while ((ticket.get() & COUNT) != 0) Thread.onSpinWait();
        job = null;
        Throwable f = failure;
        if (mine != null || f != null) {
            failure = null;
            Throwable e = mine != null ? mine : f;
            if (e instanceof RuntimeException re) throw re;
            if (e instanceof Error er) throw er;
            throw new RuntimeException(e);
        }
    }

    private void wakeSleepers() {
        synchronized (sleepLock) {
            for (int i = 0; i < workers.length; i++) {
                if (sleeping[i + 1]) {
                    sleeping[i + 1] = false;
                    LockSupport.unpark(workers[i]);
                }
            }
        }
    }

    private void loop(int id) {
        int seen = 0;
        while (true) {
            int g = generation;
            if (g == seen) {
                long start = System.nanoTime();
                int spins = 0;
                while ((g = generation) == seen && !closed) {
                    Thread.onSpinWait();
                    if ((++spins & 255) == 0 && System.nanoTime() - start > SPIN_NANOS) {
                        synchronized (sleepLock) {
                            if (generation != seen || closed) continue;
                            sleeping[id] = true;
                        }
                        // a dispatcher that bumps the generation after this point sees sleeping and unparks us
                        while (generation == seen && !closed) LockSupport.park(this);
                        synchronized (sleepLock) {
                            sleeping[id] = false;
                        }
                        start = System.nanoTime();
                    }
                }
                if (closed) return;
            }
            seen = g;
            if (!enter(g)) continue;
            try {
                Job j = job;
                if (j != null) j.run(id);
            } catch (Throwable t) {
                failure = t;
            } finally {
                ticket.decrementAndGet();
            }
        }
    }

    /** Joins generation g unless the caller has already closed it (or moved on). */
    private boolean enter(int g) {
        while (true) {
            long t = ticket.get();
            if ((int) (t >>> 32) != g || (t & CLOSED) != 0) return false;
            if (ticket.compareAndSet(t, t + 1)) return true;
        }
    }

    /**
     * Runs body over [0, n) in up to {@code threads} contiguous pieces, each a multiple of
     * {@code grain} except the last (callers such as attention rely on contiguous pieces). Pieces
     * are claimed, so a thread may run several. Allocates a small closure per call; the matrix
     * kernels use {@link #run} with reusable jobs.
     */
    public void range(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int g = Math.max(1, grain);
        int units = (n + g - 1) / g;
        int pieces = Math.min(threads, units);
        if (pieces <= 1) {
            body.run(0, n);
            return;
        }
        int per = units / pieces, extra = units % pieces;
        AtomicInteger next = new AtomicInteger();
        run(w -> {
            int p;
            while ((p = next.getAndIncrement()) < pieces) {
                int a = (p * per + Math.min(p, extra)) * g;
                int b = Math.min(n, a + (per + (p < extra ? 1 : 0)) * g);
                if (a < b) body.run(a, b);
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) LockSupport.unpark(t);
    }
}
