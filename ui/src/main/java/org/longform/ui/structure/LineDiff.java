package org.longform.ui.structure;

import java.util.ArrayList;
import java.util.List;

/**
 * A line diff for the history browser: common first and last lines are skipped, the middle is
 * compared by longest common subsequence (when it is small enough to do so quickly; a larger
 * middle is shown as removed then added), and long unchanged runs fold to a "…" line.
 */
public final class LineDiff {
    public enum Kind {
        SAME,
        REMOVED,
        ADDED,
        FOLDED
    }

    /** One line of the diff; for FOLDED, {@code text} says how many lines were skipped. */
    public record Line(Kind kind, String text) {}

    /** Middle sizes up to this many line pairs get a real LCS (a few MB of ints at most). */
    static final long MAX_CELLS = 4_000_000;

    private LineDiff() {}

    public static List<Line> diff(String before, String after, int context) {
        String[] a = before.split("\n", -1), b = after.split("\n", -1);
        int pre = 0;
        while (pre < a.length && pre < b.length && a[pre].equals(b[pre])) pre++;
        int suf = 0;
        while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf].equals(b[b.length - 1 - suf]))
            suf++;
        List<Line> raw = new ArrayList<>();
        for (int i = 0; i < pre; i++) raw.add(new Line(Kind.SAME, a[i]));
        int n = a.length - pre - suf, m = b.length - pre - suf;
        if ((long) n * m <= MAX_CELLS) lcs(a, pre, n, b, pre, m, raw);
        else {
            for (int i = 0; i < n; i++) raw.add(new Line(Kind.REMOVED, a[pre + i]));
            for (int j = 0; j < m; j++) raw.add(new Line(Kind.ADDED, b[pre + j]));
        }
        for (int i = a.length - suf; i < a.length; i++) raw.add(new Line(Kind.SAME, a[i]));
        return fold(raw, context);
    }

    private static void lcs(String[] a, int a0, int n, String[] b, int b0, int m, List<Line> out) {
        int[][] len = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                len[i][j] =
                        a[a0 + i].equals(b[b0 + j]) ? len[i + 1][j + 1] + 1 : Math.max(len[i + 1][j], len[i][j + 1]);
            }
        }
        int i = 0, j = 0;
        while (i < n && j < m) {
            if (a[a0 + i].equals(b[b0 + j])) {
                out.add(new Line(Kind.SAME, a[a0 + i]));
                i++;
                j++;
            } else if (len[i + 1][j] >= len[i][j + 1]) out.add(new Line(Kind.REMOVED, a[a0 + i++]));
            else out.add(new Line(Kind.ADDED, b[b0 + j++]));
        }
        while (i < n) out.add(new Line(Kind.REMOVED, a[a0 + i++]));
        while (j < m) out.add(new Line(Kind.ADDED, b[b0 + j++]));
    }

    /** Keeps {@code context} unchanged lines around each change; longer unchanged runs become one FOLDED line. */
    static List<Line> fold(List<Line> raw, int context) {
        List<Line> out = new ArrayList<>();
        int i = 0;
        while (i < raw.size()) {
            if (raw.get(i).kind() != Kind.SAME) {
                out.add(raw.get(i++));
                continue;
            }
            int j = i;
            while (j < raw.size() && raw.get(j).kind() == Kind.SAME) j++;
            int keepHead = i == 0 ? 0 : context, keepTail = j == raw.size() ? 0 : context;
            if (j - i <= keepHead + keepTail + 1) {
                out.addAll(raw.subList(i, j));
            } else {
                out.addAll(raw.subList(i, i + keepHead));
                int folded = j - i - keepHead - keepTail;
                out.add(new Line(Kind.FOLDED, String.format("… %,d unchanged lines …", folded)));
                out.addAll(raw.subList(j - keepTail, j));
            }
            i = j;
        }
        return out;
    }

    /** True when the diff has no change. */
    public static boolean same(List<Line> d) {
        return d.stream().allMatch(l -> l.kind() == Kind.SAME || l.kind() == Kind.FOLDED);
    }
}
