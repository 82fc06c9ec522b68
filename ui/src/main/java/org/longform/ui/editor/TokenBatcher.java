package org.longform.ui.editor;

import java.util.function.Consumer;

/**
 * Coalesces streamed text from the worker thread into one FX update: the first token after a
 * drain schedules a runLater, later tokens just append, so the UI sees at most one insert per
 * pulse however fast tokens come.
 */
public final class TokenBatcher {
    private final Consumer<Runnable> fxRunner;
    private final Consumer<String> sink;
    private final StringBuilder pending = new StringBuilder();
    private boolean scheduled;
    private boolean closed;
    private int flushes;

    public TokenBatcher(Consumer<Runnable> fxRunner, Consumer<String> sink) {
        this.fxRunner = fxRunner;
        this.sink = sink;
    }

    /** Worker thread. */
    public void add(String text) {
        synchronized (this) {
            if (closed) return;
            pending.append(text);
            if (scheduled) return;
            scheduled = true;
        }
        fxRunner.accept(this::flush);
    }

    /** FX thread: hands over everything pending. */
    public void flush() {
        String text;
        synchronized (this) {
            scheduled = false;
            if (closed || pending.isEmpty()) return;
            text = pending.toString();
            pending.setLength(0);
            flushes++;
        }
        sink.accept(text);
    }

    /** FX thread: flushes, then drops anything that still arrives (after Stop). */
    public void close() {
        flush();
        synchronized (this) {
            closed = true;
        }
    }

    public synchronized int flushes() {
        return flushes;
    }
}
