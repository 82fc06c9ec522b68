package org.longform.ui.prompt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.longform.ui.gen.TokenCounter;

/**
 * The story as token ids that stay the same between requests: the text is split into segments at
 * word boundaries the tokenizer never merges across, each segment is tokenized on its own (when
 * first needed: a whole novel is open, the model sees its end), and an edit re-splits only the
 * segments it touches. The ids of unchanged text therefore never change, which is what lets the
 * engine keep (or shift) their K and V instead of recomputing them.
 *
 * <p>Why a split is safe: GPT-NeoX's byte-level pre-tokenizer (GPT-2's regex) starts a new piece
 * at a space that precedes a letter ({@code " ?\p{L}+"}) and no piece ends in such a space, so when
 * the character before the space is not whitespace, tokenizing the two sides apart gives exactly
 * the ids of tokenizing them together. The test checks this against whole-text tokenization.
 *
 * <p>A segment may also hold the ids a generation was written as ({@link #appendGenerated}); an
 * edit that touches it re-tokenizes it like any other. A view (the first story token the model
 * sees) may start at a segment or at any token inside one that starts a word: the segment's ids
 * after it are kept.
 *
 * <p>Thread-safe (the context monitor and the model worker both assemble prompts).
 */
public final class StoryTokens {
    /** A segment ends at the first safe boundary after this many characters. */
    static final int TARGET_CHARS = 1024;

    /** One piece of the text: chars [start, start + length) and their ids (tokenized when first needed). */
    public static final class Segment {
        private final int start, length;
        private int[] ids; // null until needed
        private int[] wordStarts; // char offsets of tokens that start a word, -1 elsewhere; null until needed

        public Segment(int start, int length, int[] ids) {
            this.start = start;
            this.length = length;
            this.ids = ids;
        }

        public int start() {
            return start;
        }

        public int length() {
            return length;
        }

        int end() {
            return start + length;
        }

        /** The ids; segments handed out by {@link #segmentsFrom} always have them. */
        public int[] ids() {
            return ids;
        }

        Segment moved(int by) {
            return by == 0 ? this : new Segment(start + by, length, ids);
        }
    }

    private final TokenCounter tokens;
    private String text = "";
    private List<Segment> segments = new ArrayList<>();
    private int retokenizedChars;

    public StoryTokens(TokenCounter tokens) {
        this.tokens = tokens;
    }

    public TokenCounter counter() {
        return tokens;
    }

    /** Characters re-split by the last {@link #update} (tokenized when needed; for tests and statistics). */
    public synchronized int lastRetokenizedChars() {
        return retokenizedChars;
    }

    /** Brings the segments up to date with {@code newText}, re-splitting only around what changed. */
    public synchronized void update(String newText) {
        if (newText.equals(text)) {
            retokenizedChars = 0;
            return;
        }
        String old = text;
        int min = Math.min(old.length(), newText.length());
        int p = 0;
        while (p < min && old.charAt(p) == newText.charAt(p)) p++;
        int s = 0;
        while (s < min - p && old.charAt(old.length() - 1 - s) == newText.charAt(newText.length() - 1 - s)) s++;
        int delta = newText.length() - old.length();
        // Keep segments whose end boundary (chars end-1, end, end+1) lies in the common prefix
        // (or that end where the new text ends, or before a safe boundary of it: typing after a word).
        List<Segment> head = new ArrayList<>();
        int i = 0;
        while (i < segments.size() && keeps(segments.get(i).end(), p, newText)) head.add(segments.get(i++));
        int from = head.isEmpty() ? 0 : head.getLast().end();
        // ...and those whose start boundary lies in the common suffix, moved by the length change.
        int suffixStart = old.length() - s;
        int j = segments.size();
        while (j > i
                && segments.get(j - 1).start() - 1 >= suffixStart
                && segments.get(j - 1).start() + delta > from) j--;
        int to = j < segments.size() ? segments.get(j).start() + delta : newText.length();
        List<Segment> out = new ArrayList<>(head);
        out.addAll(split(newText, from, to));
        for (int k = j; k < segments.size(); k++) out.add(segments.get(k).moved(delta));
        text = newText;
        segments = out;
        retokenizedChars = to - from;
    }

    /**
     * Records a generation appended at the end of the text: {@code generated} is what the model
     * wrote and {@code ids} the tokens it wrote it as. They become a segment of their own, so the
     * next prompt holds exactly the ids the cache holds (a model's tokens are not always how the
     * tokenizer would split the same text; re-tokenizing them would recompute the generation).
     * Returns false (and changes nothing) when the ids do not decode to the text or the story is no
     * longer {@code base}, the text the generation continued; the caller then simply {@link #update}s.
     */
    public synchronized boolean appendGenerated(String base, String generated, int[] ids) {
        if (!text.equals(base)
                || generated.isEmpty()
                || ids.length == 0
                || !tokens.decode(ids).equals(generated)) return false;
        int pos = text.length();
        segments.add(new Segment(pos, generated.length(), ids.clone()));
        text = text + generated;
        retokenizedChars = 0;
        return true;
    }

    /**
     * Records that text[start, start + piece.length()) was written as {@code ids}: a generation the writer
     * regenerates from inside keeps the ids the model wrote before that point (and the cache holds), where
     * re-tokenizing the text could give other ids and recompute the generation. The segments over it are
     * replaced by one holding the ids; text cut off a segment at either end becomes a segment of its own.
     * False, and nothing changed, when the text there is not {@code piece} or the ids do not decode to it.
     */
    public synchronized boolean pin(int start, String piece, int[] ids) {
        int end = start + piece.length();
        if (start < 0
                || piece.isEmpty()
                || end > text.length()
                || !text.startsWith(piece, start)
                || !tokens.decode(ids).equals(piece)) return false;
        List<Segment> out = new ArrayList<>();
        boolean placed = false;
        for (Segment g : segments) {
            if (g.end() <= start || g.start() >= end) {
                if (g.start() >= end && !placed) {
                    out.add(new Segment(start, piece.length(), ids.clone()));
                    placed = true;
                }
                out.add(g);
                continue;
            }
            if (g.start() < start) out.add(new Segment(g.start(), start - g.start(), null));
            if (!placed) out.add(new Segment(start, piece.length(), ids.clone()));
            placed = true;
            if (g.end() > end) out.add(new Segment(end, g.end() - end, null));
        }
        segments = out;
        retokenizedChars = 0;
        return true;
    }

    private static boolean keeps(int end, int commonPrefix, String newText) {
        return end + 1 < commonPrefix || end <= commonPrefix && (end == newText.length() || safeBoundary(newText, end));
    }

    /** The segments from {@code from} on (where the model's view starts), with their ids, to save with the story's cache. */
    public synchronized List<Segment> segmentsFrom(int from) {
        List<Segment> out = new ArrayList<>();
        for (Segment g : segments) {
            if (g.start() < from) continue;
            idsOf(g);
            out.add(g);
        }
        return out;
    }

    /**
     * Takes the text with the saved segments of its view (see {@link #segmentsFrom}) so that the ids
     * are again those the saved cache holds; the text before them is split afresh. Saved segments
     * that do not decode to the text at their place, or leave a gap, are not used (false): the text is
     * then tokenized as usual.
     */
    public synchronized boolean restore(String newText, List<Segment> saved) {
        boolean ok = !saved.isEmpty() && saved.getLast().end() == newText.length();
        for (int k = 0; ok && k < saved.size(); k++) {
            Segment g = saved.get(k);
            ok = g.start() >= 0
                    && g.end() <= newText.length()
                    && g.ids() != null
                    && (k == 0 || saved.get(k - 1).end() == g.start())
                    && tokens.decode(g.ids()).equals(newText.substring(g.start(), g.end()));
        }
        if (!ok) {
            update(newText);
            return false;
        }
        List<Segment> out = new ArrayList<>(split(newText, 0, saved.getFirst().start()));
        for (Segment g : saved)
            out.add(new Segment(g.start(), g.length(), g.ids().clone()));
        text = newText;
        segments = out;
        retokenizedChars = saved.getFirst().start();
        return true;
    }

    /** Splits chars [from, to) of {@code t} into segments at safe boundaries (tokenized when needed). */
    private static List<Segment> split(String t, int from, int to) {
        List<Segment> out = new ArrayList<>();
        int start = from;
        while (start < to) {
            int end = to;
            for (int c = start + TARGET_CHARS; c < to; c++) {
                if (safeBoundary(t, c)) {
                    end = c;
                    break;
                }
            }
            out.add(new Segment(start, end - start, null));
            start = end;
        }
        return out;
    }

    private int[] idsOf(Segment g) {
        if (g.ids == null) g.ids = tokens.encode(text.substring(g.start(), g.end()));
        return g.ids;
    }

    /** True when tokenizing t[..i) and t[i..) apart gives the ids of tokenizing t whole. */
    static boolean safeBoundary(String t, int i) {
        return i > 0
                && i + 1 < t.length()
                && t.charAt(i) == ' '
                && !Character.isWhitespace(t.charAt(i - 1))
                && Character.isLetter(t.charAt(i + 1))
                && !Character.isSurrogate(t.charAt(i - 1));
    }

    /** The text the ids are for. */
    public synchronized String text() {
        return text;
    }

    /**
     * The ids of text[from, to): whole segments as cached, a view start inside a segment at a word
     * ({@link #isViewStart}) with the segment's ids after it, other partial segments at either end
     * tokenized on the spot.
     */
    public synchronized int[] ids(int from, int to) {
        List<int[]> parts = new ArrayList<>();
        for (Segment g : segments) {
            if (g.end() <= from || g.start() >= to) continue;
            int k = g.start() < from && g.end() <= to ? tokenAt(g, from) : -1;
            parts.add(
                    g.start() >= from && g.end() <= to
                            ? idsOf(g)
                            : k > 0
                                    ? Arrays.copyOfRange(idsOf(g), k, idsOf(g).length)
                                    : tokens.encode(text.substring(Math.max(from, g.start()), Math.min(to, g.end()))));
        }
        return PromptAssembler.concat(parts.toArray(int[][]::new));
    }

    /**
     * Char offsets of the segment's tokens that start a word (their text begins with a space), -1 for
     * the others: a view may begin at such a token and keep the segment's ids after it (the bytes
     * before a space are whole characters, so the offset is exact).
     */
    private int[] wordStarts(Segment g) {
        if (g.wordStarts != null) return g.wordStarts;
        int[] ids = idsOf(g);
        int[] out = new int[ids.length];
        Arrays.fill(out, -1);
        if (ids.length > 0) out[0] = g.start();
        for (int k = 1; k < ids.length; k++) {
            if (!tokens.decode(new int[] {ids[k]}).startsWith(" ")) continue;
            out[k] = g.start() + tokens.decode(Arrays.copyOf(ids, k)).length();
        }
        g.wordStarts = out;
        return out;
    }

    /** The index in g of the word-start token at char {@code c}, or -1. */
    private int tokenAt(Segment g, int c) {
        int[] w = wordStarts(g);
        for (int k = 0; k < w.length; k++) if (w[k] == c) return k;
        return -1;
    }

    private Segment segmentAt(int c) {
        for (Segment g : segments) if (g.start() <= c && c < g.end()) return g;
        return null;
    }

    /** Whether a view may begin at char {@code c}: a segment start or a word-start token inside one. */
    public synchronized boolean isViewStart(int c) {
        Segment g = segmentAt(c);
        return g != null && (g.start() == c || tokenAt(g, c) > 0);
    }

    /**
     * The char where the token {@code skip} tokens after the view start {@code from} begins, if a view
     * may begin there (a segment start or a word-start token), else -1.
     */
    public synchronized int viewStartAfter(int from, int skip) {
        Segment g = segmentAt(from);
        if (g == null) return -1;
        int k = g.start() == from ? 0 : tokenAt(g, from);
        if (k < 0) return -1;
        int idx = k + skip;
        int i = segments.indexOf(g);
        while (i < segments.size()) {
            Segment s = segments.get(i);
            int n = idsOf(s).length;
            if (idx < n) return wordStarts(s)[idx];
            idx -= n;
            i++;
        }
        return -1;
    }

    /** The last segment start before {@code c} (0 if none). */
    public synchronized int segmentStartBefore(int c) {
        int s = 0;
        for (Segment g : segments) {
            if (g.start() >= c) break;
            s = g.start();
        }
        return s;
    }

    /** The first segment start at or after {@code c} (the text's length if none): where a view may begin. */
    public synchronized int segmentStartAtOrAfter(int c) {
        for (Segment g : segments) if (g.start() >= c) return g.start();
        return text.length();
    }

    /**
     * The latest segment start s such that text[s, end) holds at most {@code budget} tokens (counting
     * whole segments before {@code end}, and the partial one containing it in proportion); 0 if all
     * fits. Only the segments it walks back over are tokenized.
     */
    public synchronized int startForBudget(int end, int budget) {
        int n = 0;
        for (int k = segments.size() - 1; k >= 0; k--) {
            Segment g = segments.get(k);
            if (g.start() >= end) continue;
            int count = g.end() <= end
                    ? idsOf(g).length
                    : (int) Math.ceil(idsOf(g).length * (end - g.start()) / (double) g.length());
            if (n + count > budget) return g.end() <= end ? g.end() : end;
            n += count;
        }
        return 0;
    }

    /** Segment starts, for tests. */
    synchronized int[] starts() {
        return segments.stream().mapToInt(Segment::start).toArray();
    }

    /** All ids, for tests. */
    synchronized int[] all() {
        return ids(0, text.length());
    }

    /** Segments tokenized so far, for tests. */
    synchronized int tokenized() {
        return (int) segments.stream().filter(g -> g.ids != null).count();
    }

    @Override
    public synchronized String toString() {
        return segments.size() + " segments over " + text.length() + " chars";
    }
}
