package org.longform.ui.app;

import java.util.function.LongSupplier;

/**
 * The status line of a long prefill ("Reading the story: 1,234 / 8,192 tokens · 45 tokens/s · 2:50
 * left"), throttled to a few updates a second: the engine reports every step, the FX thread needs
 * only what a reader can see. The last step ({@code done >= total}) always shows.
 */
final class ProgressLine {
    private final String what;
    private final long everyNanos;
    private final LongSupplier clock;
    private final long start;
    private long lastShown;
    private boolean shown;
    private long elapsed;

    /** Starts the clock now. */
    ProgressLine(String what, long everyNanos) {
        this(what, everyNanos, System::nanoTime);
    }

    ProgressLine(String what, long everyNanos, LongSupplier clock) {
        this.what = what;
        this.everyNanos = everyNanos;
        this.clock = clock;
        this.start = clock.getAsLong();
    }

    /** The line for this step, or null when the last one shown is too recent. */
    String next(int done, int total) {
        long now = clock.getAsLong();
        if (shown && now - lastShown < everyNanos && done < total) return null;
        shown = true;
        lastShown = now;
        elapsed = now - start;
        return format(what, done, total, elapsed);
    }

    /** Time from the start to the last line {@link #next} returned. */
    long elapsedNanos() {
        return elapsed;
    }

    static String format(String what, int done, int total, long nanos) {
        double rate = done / Math.max(1e-9, nanos / 1e9);
        String left = "";
        if (rate > 0 && done < total) {
            long s = Math.round((total - done) / rate);
            left = s >= 3600
                    ? String.format(" · %d:%02d:%02d left", s / 3600, s / 60 % 60, s % 60)
                    : String.format(" · %d:%02d left", s / 60, s % 60);
        }
        return String.format("%s: %,d / %,d tokens · %.1f tokens/s%s", what, done, total, rate, left);
    }
}
