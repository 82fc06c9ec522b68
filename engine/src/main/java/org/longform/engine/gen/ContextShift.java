package org.longform.engine.gen;

import org.longform.engine.context.ReusePlan;
import org.longform.engine.runtime.Session;

/**
 * Reuse of the cache across a context shift: when the new prompt equals the cached tokens with a
 * span after the pinned prefix removed (the oldest story tokens dropped), evict that span from the
 * KV cache instead of recomputing everything after it. The rest of the prompt need not match to
 * the end: parts placed at depth (world info, the author's note) move with the story's end, and
 * {@link Session#sync} recomputes from the first difference after the shifted run.
 */
public final class ContextShift {
    private ContextShift() {}

    /** A run this long must line up after the gap before a shift is worth it (and cannot be chance). */
    static final int MIN_RUN = 32;

    /**
     * A run that does not reach the end must start within this many tokens after the pinned prefix:
     * a shift drops the oldest text in view (tokens after the gap keep K and V computed with it in
     * view, the accepted context-shift semantics). A gap further in that lines up only part of the
     * rest (world info or a note that moved) is an edit, which exact reuse recomputes and approximate
     * reuse handles as one. A gap anywhere whose run lines up to the end is a plain shift of a prompt
     * whose pinned part the caller did not name.
     */
    static final int MAX_GAP_START = 8;

    /** The shift found: evict cached slots [at, at + gap), after which {@code run} more tokens match. */
    public record Plan(int at, int gap, int run) {}

    /** Evicts the span if that makes the cache a longer prefix of {@code prompt}; returns tokens evicted. */
    static int reuseAfterEviction(Session s, int[] prompt, int keep) {
        Plan p = plan(s.tokens(), prompt, keep);
        if (p == null) return 0;
        s.evict(p.at, p.at + p.gap);
        return p.gap;
    }

    /**
     * The gap to evict after the common prefix of {@code cached} and {@code prompt} so that the
     * longest run of cached tokens lines up with the prompt right after the prefix; null when plain
     * prefix reuse is as good (no run of {@link #MIN_RUN} tokens, or the prefix ends inside the
     * pinned {@code keep} tokens).
     */
    public static Plan plan(int[] cached, int[] prompt, int keep) {
        int n = cached.length;
        int p = ReusePlan.commonPrefix(cached, n, prompt);
        if (p == n || p < keep || p == prompt.length) return null;
        boolean nearPinned = p <= keep + MAX_GAP_START;
        // A caller that names no pinned part (a server's client) may still have one: a gap whose run lines
        // up to the end is a shift when it starts in the first half. Further in it is where parts at depth
        // moved, and a repetitive tail (a model looping) can line up by chance: recompute instead.
        boolean frontHalf = p < prompt.length / 2;
        int probe = Math.min(MIN_RUN, prompt.length - p);
        if (probe < MIN_RUN) return null;
        int bestGap = 0, bestRun = 0;
        for (int x = 1; p + x + probe <= n; x++) {
            if (cached[p + x] != prompt[p] || !matches(cached, p + x, prompt, p, probe)) continue;
            int run = probe;
            while (p + x + run < n && p + run < prompt.length && cached[p + x + run] == prompt[p + run]) run++;
            boolean toTheEnd = p + x + run == n || p + run == prompt.length;
            if (!nearPinned && !(toTheEnd && frontHalf)) continue;
            if (run > bestRun) {
                bestRun = run;
                bestGap = x;
            }
            if (toTheEnd) break; // it lines up to the end: nothing longer exists
        }
        return bestRun == 0 ? null : new Plan(p, bestGap, bestRun);
    }

    /** Tokens of {@code prompt} the cache can keep: the common prefix plus the run a shift lines up. */
    public static int reusable(int[] cached, int[] prompt, int keep) {
        int n = cached.length, p = ReusePlan.commonPrefix(cached, n, prompt);
        Plan plan = plan(cached, prompt, keep);
        int reuse = plan == null ? p : p + plan.run;
        return Math.min(reuse, prompt.length - 1); // the last token is always fed again for fresh logits
    }

    private static boolean matches(int[] a, int ao, int[] b, int bo, int len) {
        for (int i = 0; i < len; i++) if (a[ao + i] != b[bo + i]) return false;
        return true;
    }
}
