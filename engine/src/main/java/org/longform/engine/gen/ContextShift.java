package org.longform.engine.gen;

import org.longform.engine.runtime.Session;

/**
 * Reuse of the cache across a context shift: when the new prompt equals the cached tokens with a
 * middle span removed (the pinned prefix kept, the oldest story tokens dropped), evict that span
 * from the KV cache instead of recomputing everything after it.
 */
final class ContextShift {
    private ContextShift() {}

    /** Evicts the span if that makes the cache a longer prefix of {@code prompt}; returns tokens evicted. */
    static int reuseAfterEviction(Session s, int[] prompt, int keep) {
        int[] cached = s.tokens();
        int n = cached.length;
        int p = 0;
        while (p < n && p < prompt.length && cached[p] == prompt[p]) p++;
        if (p == n || p < keep || p == prompt.length) return 0;   // plain prefix reuse covers it
        // find the smallest gap x so that cached[p + x ..] lines up with prompt[p ..]
        int probe = Math.min(16, prompt.length - p);
        for (int x = 1; p + x + probe <= n; x++) {
            if (!matches(cached, p + x, prompt, p, probe)) continue;
            int len = Math.min(n - p - x, prompt.length - p);
            if (matches(cached, p + x, prompt, p, len) && len >= 2 * probe) {
                s.evict(p, p + x);
                return x;
            }
        }
        return 0;
    }

    private static boolean matches(int[] a, int ao, int[] b, int bo, int len) {
        for (int i = 0; i < len; i++) if (a[ao + i] != b[bo + i]) return false;
        return true;
    }
}
