package org.longform.ui.prompt;

import org.longform.ui.gen.TokenCounter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The story as token ids that stay the same between requests: the text is split into segments at
 * word boundaries the tokenizer never merges across, each segment is tokenized on its own, and an
 * edit re-tokenizes only the segments it touches. The ids of unchanged text therefore never change,
 * which is what lets the engine keep (or shift) their K and V instead of recomputing them.
 *
 * <p>Why a split is safe: GPT-NeoX's byte-level pre-tokenizer (GPT-2's regex) starts a new piece
 * at a space that precedes a letter ({@code " ?\p{L}+"}) and no piece ends in such a space, so when
 * the character before the space is not whitespace, tokenizing the two sides apart gives exactly
 * the ids of tokenizing them together. The test checks this against whole-text tokenization.
 *
 * <p>A segment may also hold the ids a generation was written as ({@link #appendGenerated}); an
 * edit that touches it re-tokenizes it like any other.
 *
 * <p>Thread-safe (the context monitor and the model worker both assemble prompts).
 */
public final class StoryTokens {
    /** A segment ends at the first safe boundary after this many characters. */
    static final int TARGET_CHARS = 1024;

    /** One piece of the text: chars [start, start + length) and their ids. */
    public record Segment(int start, int length, int[] ids) {
        int end() { return start + length; }

        Segment moved(int by) { return by == 0 ? this : new Segment(start + by, length, ids); }
    }

    private final TokenCounter tokens;
    private String text = "";
    private List<Segment> segments = new ArrayList<>();
    private int retokenizedChars;
    /** Per segment (by identity): char offsets of its word-start tokens, -1 elsewhere (see {@link #wordStarts}). */
    private final Map<Segment, int[]> starts = new IdentityHashMap<>();

    public StoryTokens(TokenCounter tokens) {
        this.tokens = tokens;
    }

    public TokenCounter counter() { return tokens; }

    /** Characters tokenized by the last {@link #update} (for tests and statistics). */
    public synchronized int lastRetokenizedChars() { return retokenizedChars; }

    /** Brings the ids up to date with {@code newText}, re-tokenizing only around what changed. */
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
        // Keep segments whose end boundary (chars end-1, end, end+1) lies in the common prefix...
        List<Segment> head = new ArrayList<>();
        int i = 0;
        // (or that end where the new text ends, or before a safe boundary of it: typing after a word).
        while (i < segments.size() && keeps(segments.get(i).end(), p, newText)) head.add(segments.get(i++));
        int from = head.isEmpty() ? 0 : head.getLast().end();
        // ...and those whose start boundary lies in the common suffix, moved by the length change.
        int suffixStart = old.length() - s;
        int j = segments.size();
        while (j > i && segments.get(j - 1).start() - 1 >= suffixStart && segments.get(j - 1).start() + delta > from) j--;
        int to = j < segments.size() ? segments.get(j).start() + delta : newText.length();
        List<Segment> out = new ArrayList<>(head);
        out.addAll(split(newText, from, to));
        for (int k = j; k < segments.size(); k++) out.add(segments.get(k).moved(delta));
        text = newText;
        segments = out;
        prune();
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
        if (!text.equals(base) || generated.isEmpty() || ids.length == 0 || !tokens.decode(ids).equals(generated)) return false;
        int pos = text.length();
        segments.add(new Segment(pos, generated.length(), ids.clone()));
        text = text + generated;
        retokenizedChars = 0;
        return true;
    }

    private static boolean keeps(int end, int commonPrefix, String newText) {
        return end + 1 < commonPrefix
                || end <= commonPrefix && (end == newText.length() || safeBoundary(newText, end));
    }

    /** The segments from {@code from} on (where the model's view starts), to save with the story's cache. */
    public synchronized List<Segment> segmentsFrom(int from) {
        return segments.stream().filter(g -> g.start() >= from).toList();
    }

    /**
     * Takes the text with the saved segments of its view (see {@link #segmentsFrom}) so that the ids
     * are again those the saved cache holds; the text before them is tokenized afresh. Saved segments
     * that do not decode to the text at their place, or leave a gap, are not used (false): the text is
     * then tokenized as usual.
     */
    public synchronized boolean restore(String newText, List<Segment> saved) {
        boolean ok = !saved.isEmpty() && saved.getLast().end() == newText.length();
        for (int k = 0; ok && k < saved.size(); k++) {
            Segment g = saved.get(k);
            ok = g.start() >= 0 && g.end() <= newText.length() && (k == 0 || saved.get(k - 1).end() == g.start())
                    && tokens.decode(g.ids()).equals(newText.substring(g.start(), g.end()));
        }
        if (!ok) {
            update(newText);
            return false;
        }
        List<Segment> out = new ArrayList<>(split(newText, 0, saved.getFirst().start()));
        out.addAll(saved);
        text = newText;
        segments = out;
        prune();
        retokenizedChars = saved.getFirst().start();
        return true;
    }

    /** Tokenizes chars [from, to) of {@code t} as segments cut at safe boundaries. */
    private List<Segment> split(String t, int from, int to) {
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
            out.add(new Segment(start, end - start, tokens.encode(t.substring(start, end))));
            start = end;
        }
        return out;
    }

    /** True when tokenizing t[..i) and t[i..) apart gives the ids of tokenizing t whole. */
    static boolean safeBoundary(String t, int i) {
        return i > 0 && i + 1 < t.length() && t.charAt(i) == ' ' && !Character.isWhitespace(t.charAt(i - 1))
                && Character.isLetter(t.charAt(i + 1)) && !Character.isSurrogate(t.charAt(i - 1));
    }

    /** The text the ids are for. */
    public synchronized String text() { return text; }

    /**
     * The ids of text[from, to): whole segments as cached, the partial segments at either end
     * tokenized on the spot. {@code from} should be a {@link #segmentStartAtOrAfter} value so the ids
     * are the cached ones.
     */
    public synchronized int[] ids(int from, int to) {
        int n = 0;
        List<int[]> parts = new ArrayList<>();
        for (Segment g : segments) {
            if (g.end() <= from || g.start() >= to) continue;
            int k = g.start() < from && g.end() <= to ? tokenAt(g, from) : -1;   // a view starting at a word inside g
            int[] ids = g.start() >= from && g.end() <= to ? g.ids()
                    : k > 0 ? Arrays.copyOfRange(g.ids(), k, g.ids().length)
                    : tokens.encode(text.substring(Math.max(from, g.start()), Math.min(to, g.end())));
            parts.add(ids);
            n += ids.length;
        }
        int[] out = new int[n];
        int o = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    /**
     * Char offsets of the segment's tokens that start a word (their text begins with a space), -1 for
     * the others: a view may begin at such a token and keep the segment's ids after it (the bytes
     * before a space are whole characters, so the offset is exact).
     */
    private int[] wordStarts(Segment g) {
        return starts.computeIfAbsent(g, x -> {
            int[] ids = x.ids();
            int[] out = new int[ids.length];
            Arrays.fill(out, -1);
            out[0] = x.start();
            for (int k = 1; k < ids.length; k++) {
                String t = tokens.decode(new int[]{ids[k]});
                if (!t.startsWith(" ")) continue;
                out[k] = x.start() + tokens.decode(Arrays.copyOf(ids, k)).length();
            }
            return out;
        });
    }

    /** Forgets the word starts of segments no longer in the text (moved ones have new offsets). */
    private void prune() {
        Set<Segment> live = Collections.newSetFromMap(new IdentityHashMap<>());
        live.addAll(segments);
        starts.keySet().retainAll(live);
    }

    /** The index in g of the word-start token at char {@code c}, or -1. */
    private int tokenAt(Segment g, int c) {
        int[] w = wordStarts(g);
        for (int k = 0; k < w.length; k++) if (w[k] == c) return k;
        return -1;
    }

    /** Tokens of the text before char {@code c} when c is where a view may begin (a segment start or a word-start token), else -1. */
    public synchronized int tokenIndexOf(int c) {
        int n = 0;
        for (Segment g : segments) {
            if (g.start() == c) return n;
            if (g.start() < c && c < g.end()) {
                int k = tokenAt(g, c);
                return k < 0 ? -1 : n + k;
            }
            n += g.ids().length;
        }
        return c == text.length() ? n : -1;
    }

    /** The char where token {@code index} begins, if a view may begin there (a segment start or a word-start token), else -1. */
    public synchronized int viewStartAtToken(int index) {
        int n = 0;
        for (Segment g : segments) {
            if (index < n + g.ids().length) return wordStarts(g)[index - n];
            n += g.ids().length;
        }
        return -1;
    }

    /** The first segment start at or after {@code c} (the text's length if none): where a view may begin. */
    public synchronized int segmentStartAtOrAfter(int c) {
        for (Segment g : segments) if (g.start() >= c) return g.start();
        return text.length();
    }

    /**
     * The latest segment start s such that text[s, end) holds at most {@code budget} tokens (counting
     * whole segments before {@code end}, and the partial one containing it as cached); 0 if all fits.
     */
    public synchronized int startForBudget(int end, int budget) {
        int n = 0;
        for (int k = segments.size() - 1; k >= 0; k--) {
            Segment g = segments.get(k);
            if (g.start() >= end) continue;
            int count = g.end() <= end ? g.ids().length
                    : (int) Math.ceil(g.ids().length * (end - g.start()) / (double) g.length());
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

    @Override
    public synchronized String toString() {
        return segments.size() + " segments, " + Arrays.stream(starts()).count() + " starts over " + text.length() + " chars";
    }
}
