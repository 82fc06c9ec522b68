package org.longform.engine.context;

import java.util.HashMap;
import java.util.Map;

/**
 * How a new prompt lines up with what is cached after an edit in the middle: the cached tokens are
 * {@code A E B ...} and the prompt is {@code A E' B ...}. A ({@code prefix} tokens) is reused
 * exactly; B (cached slots [tailStart, tailEnd), prompt positions from {@code promptTailStart}) can
 * keep its K and V although E became E' — approximate, because B's keys and values were computed
 * with E in view. E' and whatever follows B in the prompt are recomputed.
 */
public record ReusePlan(int prefix, int tailStart, int tailEnd, int promptTailStart) {
    /** Anchor length: a run of this many equal tokens marks where the texts line up again. */
    static final int ANCHOR = 16;

    public int tailLength() {
        return tailEnd - tailStart;
    }

    /** Tokens of E' (recomputed before the tail). */
    public int editedLength() {
        return promptTailStart - prefix;
    }

    /** Where the prompt continues after the reused tail. */
    public int promptResume() {
        return promptTailStart + tailLength();
    }

    /**
     * The longest run of cached tokens after the common prefix that reappears, in order, after the
     * prefix of the prompt; null when none of at least {@code minTail} tokens exists or when plain
     * prefix reuse already covers the cache.
     */
    public static ReusePlan find(int[] cached, int cachedLength, int[] prompt, int minTail) {
        int n = cachedLength, m = prompt.length, p = commonPrefix(cached, n, prompt);
        if (p == n || p == m) return null;
        int k = Math.max(1, Math.min(ANCHOR, minTail));
        if (n - p < k || m - p < k) return null;
        Map<Long, Integer> firstAt = new HashMap<>();
        for (int q = p; q + k <= m; q++) firstAt.putIfAbsent(hash(prompt, q, k), q);
        int bestLen = 0, bestR = -1, bestQ = -1;
        for (int r = p; r + k <= n; ) {
            Integer q = firstAt.get(hash(cached, r, k));
            if (q == null || !same(cached, r, prompt, q, k)) {
                r++;
                continue;
            }
            int len = k;
            while (r + len < n && q + len < m && cached[r + len] == prompt[q + len]) len++;
            int back = 0;
            while (r - back - 1 >= p && q - back - 1 >= p && cached[r - back - 1] == prompt[q - back - 1]) back++;
            if (len + back > bestLen) {
                bestLen = len + back;
                bestR = r - back;
                bestQ = q - back;
            }
            r += len;
        }
        if (bestLen < minTail) return null;
        return new ReusePlan(p, bestR, bestR + bestLen, bestQ);
    }

    /** How many of {@code prompt}'s first tokens equal the first of {@code cached}'s {@code cachedLength}. */
    public static int commonPrefix(int[] cached, int cachedLength, int[] prompt) {
        int n = Math.min(cachedLength, prompt.length), p = 0;
        while (p < n && cached[p] == prompt[p]) p++;
        return p;
    }

    private static long hash(int[] a, int from, int k) {
        long h = 1125899906842597L;
        for (int i = 0; i < k; i++) h = 31 * h + a[from + i];
        return h;
    }

    private static boolean same(int[] a, int ao, int[] b, int bo, int k) {
        for (int i = 0; i < k; i++) if (a[ao + i] != b[bo + i]) return false;
        return true;
    }
}
