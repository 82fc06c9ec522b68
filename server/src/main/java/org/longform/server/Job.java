package org.longform.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.longform.engine.gen.CancelToken;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.TokenChoice;
import org.longform.engine.gen.TokenListener;

/**
 * One generation request travelling from an HTTP thread to the engine thread and back. The
 * engine thread pushes {@link Event}s; the HTTP thread drains them, so a slow client never stalls
 * the engine (the queue is bounded by max_tokens).
 */
public final class Job {
    /** What the engine thread reports. */
    public sealed interface Event permits Token, Done, Failed {}

    /**
     * Text completed by one generated token (id -1: text flushed at the end), with the choices of the tokens
     * whose text it carries (empty unless the request asked for alternatives; a piece held back for a
     * possible stop sequence comes out later with its tokens' choices).
     */
    public record Token(int id, String text, List<TokenChoice> choices) implements Event {
        public Token {
            choices = List.copyOf(choices);
        }
    }

    public record Done(GenerationResult result) implements Event {}

    public record Failed(RuntimeException error) implements Event {}

    final GenerationRequest request;
    final String genkey;
    /** Alternatives asked per token; 0: none (the engine then computes none). */
    final int alternatives;

    final CancelToken cancel = new CancelToken();
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    // Engine thread only: choices of tokens whose text is not out yet.
    private final List<TokenChoice> pending = new ArrayList<>();
    final long createdNanos = System.nanoTime();

    Job(GenerationRequest request, String genkey, int alternatives) {
        this.request = request;
        this.genkey = genkey;
        this.alternatives = alternatives;
    }

    public void cancel() {
        cancel.cancel();
    }

    public boolean isCancelled() {
        return cancel.isCancelled();
    }

    /** Next event, or null after {@code millis} without one. */
    public Event poll(long millis) throws InterruptedException {
        return events.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Text generated so far (for KoboldAI's polled streaming, /api/extra/generate/check). */
    public String partialText() {
        synchronized (partial) {
            return partial.toString();
        }
    }

    TokenListener listener() {
        return new TokenListener() {
            @Override
            public int alternatives() {
                return alternatives;
            }

            @Override
            public void onChoice(TokenChoice choice) {
                pending.add(choice);
            }

            @Override
            public void onToken(int id, String text) {
                if (text.isEmpty()) return;
                synchronized (partial) {
                    partial.append(text);
                }
                // Choices of text a stop sequence then swallowed never come out: they stay pending.
                events.add(new Token(id, text, pending));
                pending.clear();
            }
        };
    }

    void finish(Event e) {
        events.add(e);
    }
}
