package org.longform.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.Generator;
import org.longform.engine.gen.StopReason;
import org.longform.engine.token.Tokenizer;

/**
 * The one thread that drives the {@link Generator} (which is not thread-safe). Requests run one at
 * a time in arrival order; because the Generator keeps the previous request's KV cache, a client
 * that resends its story with a few new words recomputes only those words.
 */
public final class Engine implements AutoCloseable {
    private final Generator generator;
    private final BlockingQueue<Job> queue;
    private final int maxQueue;
    private final Thread thread;
    private final Object lock = new Object();
    private int pending; // queued + running, guarded by lock
    private volatile Job current;
    private volatile boolean closed;
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final AtomicLong recomputedTokens = new AtomicLong();
    private final AtomicLong promptTokens = new AtomicLong();

    public Engine(Generator generator, int maxQueue) {
        this.generator = generator;
        this.maxQueue = maxQueue;
        this.queue = new ArrayBlockingQueue<>(maxQueue);
        this.thread = Thread.ofPlatform().name("longform-engine").daemon(true).unstarted(this::loop);
        this.thread.start();
    }

    public Tokenizer tokenizer() {
        return generator.tokenizer();
    }

    /** Most tokens the KV budget holds: the largest window a request can have. */
    public int contextWindow() {
        return generator.contextWindow();
    }

    public int vocabSize() {
        return generator.model().config().vocabSize();
    }

    /**
     * Queues a generation.
     *
     * @throws ApiException 503 when {@code maxQueue} requests are already waiting or running
     */
    public Job submit(GenerationRequest request, String genkey) {
        return submit(request, genkey, 0);
    }

    /** As {@link #submit(GenerationRequest, String)}, reporting {@code alternatives} per token (0: none). */
    public Job submit(GenerationRequest request, String genkey, int alternatives) {
        Job job = new Job(request, genkey == null ? "" : genkey, alternatives);
        synchronized (lock) {
            if (closed) throw new ApiException(503, "server_shutting_down", null, "the server is shutting down");
            if (pending >= maxQueue) {
                throw new ApiException(
                        503,
                        "server_busy",
                        null,
                        "the server is busy: " + pending + " requests are waiting or running (limit " + maxQueue
                                + "); try again shortly");
            }
            pending++;
            queue.add(job); // cannot fail: capacity == maxQueue >= pending
        }
        return job;
    }

    /** The running job, or null. */
    public Job current() {
        return current;
    }

    /** Jobs waiting or running whose genkey is {@code key}. */
    public List<Job> find(String key) {
        List<Job> out = new ArrayList<>();
        Job c = current;
        if (c != null && c.genkey.equals(key)) out.add(c);
        for (Job j : queue) if (j.genkey.equals(key)) out.add(j);
        return out;
    }

    public Stats stats() {
        synchronized (lock) {
            return new Stats(pending, completed.get(), cancelled.get(), promptTokens.get(), recomputedTokens.get());
        }
    }

    /**
     * Counters since start.
     *
     * @param recomputedTokens prompt tokens computed; the rest of {@code promptTokens} came from the KV cache
     */
    public record Stats(int pending, long completed, long cancelled, long promptTokens, long recomputedTokens) {}

    private void loop() {
        while (!closed) {
            Job job;
            try {
                job = queue.poll(200, TimeUnit.MILLISECONDS); // wakes to notice close()
            } catch (InterruptedException e) {
                break;
            }
            if (job == null) continue;
            current = job;
            Job.Event outcome = null;
            try {
                outcome = run(job);
            } finally {
                current = null;
                // leave the count before the client hears the end: a client that reads its last
                // event and then asks for stats must not still see its own request pending
                synchronized (lock) {
                    pending--;
                }
                job.finish(
                        outcome != null
                                ? outcome
                                : new Job.Failed(new ApiException(
                                        500, "internal_error", null, "the generation stopped unexpectedly")));
            }
        }
        // wake anyone still waiting so their HTTP threads finish
        for (Job j; (j = queue.poll()) != null; )
            j.finish(
                    new Job.Failed(new ApiException(503, "server_shutting_down", null, "the server is shutting down")));
    }

    private Job.Event run(Job job) {
        if (job.isCancelled()) { // the client left while queued: cost nothing
            cancelled.incrementAndGet();
            return new Job.Done(new GenerationResult(new int[0], "", StopReason.CANCELLED, 0, 0, 0, 0, 0));
        }
        try {
            GenerationRequest r = job.request;
            GenerationResult res = generator.generate(r, job.listener(), job.cancel);
            if (res.reason() == StopReason.CANCELLED) cancelled.incrementAndGet();
            else completed.incrementAndGet();
            promptTokens.addAndGet(res.promptTokens());
            recomputedTokens.addAndGet(res.recomputedTokens());
            return new Job.Done(res);
        } catch (RuntimeException e) {
            return new Job.Failed(e);
        }
    }

    /** Cancels the running and queued jobs and stops the thread; the Generator stays the caller's. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        Job c = current;
        if (c != null) c.cancel();
        for (Job j : queue) j.cancel();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
