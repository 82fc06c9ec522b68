package org.longform.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.StopReason;
import org.longform.engine.gen.TokenChoice;
import org.longform.engine.runtime.ContextFullException;

/**
 * What both APIs share: queue a generation on the {@link Engine}, wait for it or stream it, stop
 * it when the client goes away, and bound the number of open streams.
 */
final class Generations {
    /** Receives streamed text on the HTTP thread; a failed write means the client is gone. */
    interface Sink {
        /** Text and the choices of the tokens it carries (empty unless the request asked for them). */
        void text(String text, List<TokenChoice> choices) throws IOException;

        /** Nothing happened for a while (long prompt, queue): write something harmless to notice a gone client. */
        void keepAlive() throws IOException;
    }

    /** How often a waiting non-streaming request checks whether its client is still there. */
    private static final long PROBE_NANOS = 250_000_000L;

    private final Engine engine;
    private final ServerConfig config;
    private final Semaphore streams;

    Generations(Engine engine, ServerConfig config) {
        this.engine = engine;
        this.config = config;
        this.streams = new Semaphore(config.maxStreams());
    }

    Engine engine() {
        return engine;
    }

    ServerConfig config() {
        return config;
    }

    /** Checks a requested length against the server's limit. */
    int maxTokens(String field, long v) {
        if (v < 1) throw ApiException.badRequest(field, field + " must be at least 1, got " + v);
        if (v > config.maxTokensLimit()) {
            throw ApiException.badRequest(
                    field,
                    field + " is " + v + " but this server allows at most " + config.maxTokensLimit()
                            + " tokens per request (--max-tokens-limit)");
        }
        return (int) v;
    }

    /** Queues the request; a client that disconnects (Jetty reports it) cancels the job. */
    Job submit(Exchange ex, GenerationRequest request, String genkey) {
        return submit(ex, request, genkey, 0);
    }

    /** As {@link #submit(Exchange, GenerationRequest, String)}, with {@code alternatives} per token (0: none). */
    Job submit(Exchange ex, GenerationRequest request, String genkey, int alternatives) {
        Job job = engine.submit(request, genkey, alternatives);
        ex.request.addFailureListener(t -> job.cancel());
        // Waiting for the engine is not idleness: ignore idle timeouts while no read or write is
        // pending. A client that stops reading a stream still times out, through the pending write.
        ex.request.addIdleTimeoutListener(t -> false);
        return job;
    }

    /** Takes a stream slot or refuses with 429. Release with {@link #releaseStream()}. */
    void acquireStream() {
        if (!streams.tryAcquire()) {
            throw new ApiException(
                    429,
                    "too_many_streams",
                    null,
                    "too many concurrent streams (limit " + config.maxStreams()
                            + ", --max-streams); try again when one finishes");
        }
    }

    void releaseStream() {
        streams.release();
    }

    /** Waits for the whole result (non-streaming requests), cancelling if the client disconnects. */
    GenerationResult await(Exchange ex, Job job) {
        return await(ex, job, new ArrayList<>());
    }

    /** As {@link #await(Exchange, Job)}, adding to {@code choices} those of the tokens in the result's text. */
    GenerationResult await(Exchange ex, Job job, List<TokenChoice> choices) {
        try {
            long nextProbe = System.nanoTime() + PROBE_NANOS;
            while (true) {
                Job.Event e = job.poll(PROBE_NANOS / 1_000_000);
                if (e instanceof Job.Token t) choices.addAll(t.choices());
                if (e instanceof Job.Done d) return d.result();
                if (e instanceof Job.Failed f) throw failure(f.error());
                if (System.nanoTime() >= nextProbe) {
                    if (!job.isCancelled() && ex.clientGone()) job.cancel();
                    nextProbe = System.nanoTime() + PROBE_NANOS;
                }
            }
        } catch (InterruptedException ie) {
            job.cancel();
            Thread.currentThread().interrupt();
            throw new ApiException(503, "server_shutting_down", null, "the server is shutting down");
        }
    }

    /** Streams the job's text into {@code sink}; on a write failure cancels the job and rethrows. */
    GenerationResult stream(Job job, Sink sink) throws IOException {
        try {
            while (true) {
                Job.Event e = job.poll(config.keepAlive().toMillis());
                switch (e) {
                    case null -> sink.keepAlive();
                    case Job.Token t -> sink.text(t.text(), t.choices());
                    case Job.Done d -> {
                        return d.result();
                    }
                    case Job.Failed f -> throw failure(f.error());
                }
            }
        } catch (IOException | RuntimeException x) {
            job.cancel();
            throw x;
        } catch (InterruptedException ie) {
            job.cancel();
            Thread.currentThread().interrupt();
            throw new ApiException(503, "server_shutting_down", null, "the server is shutting down");
        }
    }

    /** An engine exception as the client should see it: bad input is 400, the rest 500, never a trace. */
    static ApiException failure(RuntimeException e) {
        if (e instanceof ApiException a) return a;
        String msg = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        if (e instanceof IllegalArgumentException || e instanceof ContextFullException)
            return ApiException.badRequest(null, msg);
        return new ApiException(500, "generation_failed", null, "generation failed: " + msg);
    }

    /** OpenAI and KoboldAI both say "length" for a request cut by its token budget, "stop" otherwise. */
    static String finishReason(StopReason r) {
        return switch (r) {
            case MAX_TOKENS, CONTEXT_FULL -> "length";
            case STOP_SEQUENCE, EOS, CANCELLED -> "stop";
        };
    }
}
