package org.longform.engine.context;

import java.util.ArrayList;
import java.util.List;

/**
 * Which token ranges of a request are in the model's view: the pinned prefix (the story's memory),
 * the evicted middle (out of view, shaded by the editor) and the recent text in view. Ranges are in
 * prompt-token space ([start, end) indices of the request's token ids, generated ids appended);
 * {@link #toChars} maps them to characters with offsets from {@link TokenOffsets}.
 */
public record ContextMap(int length, List<Span> spans) {
    public enum Kind {
        PINNED,
        EVICTED,
        IN_VIEW
    }

    public record Span(int start, int end, Kind kind) {
        public int length() {
            return end - start;
        }
    }

    public ContextMap {
        spans = List.copyOf(spans);
    }

    /** A sequence of {@code length} tokens whose first {@code keep} are pinned and [keep, keep + evicted) are out of view. */
    public static ContextMap of(int length, int keep, int evicted) {
        if (keep < 0 || evicted < 0 || keep + evicted > length) {
            throw new IllegalArgumentException("pinned " + keep + " + evicted " + evicted + " tokens of " + length);
        }
        List<Span> s = new ArrayList<>(3);
        if (keep > 0) s.add(new Span(0, keep, Kind.PINNED));
        if (evicted > 0) s.add(new Span(keep, keep + evicted, Kind.EVICTED));
        if (keep + evicted < length) s.add(new Span(keep + evicted, length, Kind.IN_VIEW));
        return new ContextMap(length, s);
    }

    /** Tokens the model sees (pinned and in view). */
    public int inView() {
        int n = 0;
        for (Span s : spans) if (s.kind != Kind.EVICTED) n += s.length();
        return n;
    }

    public int evicted() {
        int n = 0;
        for (Span s : spans) if (s.kind == Kind.EVICTED) n += s.length();
        return n;
    }

    /** The same spans in characters, given {@code offsets[i]} = char offset of token i (length + 1 entries). */
    public List<Span> toChars(int[] offsets) {
        if (offsets.length < length + 1)
            throw new IllegalArgumentException(offsets.length + " offsets for " + length + " tokens");
        List<Span> out = new ArrayList<>(spans.size());
        for (Span s : spans) out.add(new Span(offsets[s.start], offsets[s.end], s.kind));
        return out;
    }
}
