package org.longform.ui.story;

import java.util.ArrayList;
import java.util.List;

/**
 * The "story so far": a summary of what left the model's view, placed right after memory in the
 * prompt's pinned prefix. It changes rarely (once per chapter that leaves the window) because in
 * exact mode a change recomputes the window after it; so what the writer or the model proposes is a
 * {@link Draft}, outside the prompt until it is applied.
 *
 * <p>{@code text} is what the prompt holds; {@code covered} the chapters it covers, in story order
 * (one entry per chapter, appended as the story grows); {@code draft} the proposed next version, or
 * null; {@code offer} whether the editor offers a summary when chapters leave the model's view.
 */
public record StorySummary(String text, List<Covered> covered, Draft draft, boolean offer) {
    /** A manuscript without headings: text before the view counts once this many characters left it. */
    public static final int UNHEADED_MIN_CHARS = 2_000;

    /** A chapter the summary covers: its heading and where it ended in the story when it was summarised. */
    public record Covered(String title, int end) {}

    /** A proposed summary: its text and the chapters it would cover. */
    public record Draft(String text, List<Covered> covered) {
        public Draft {
            text = text == null ? "" : text;
            covered = covered == null ? List.of() : List.copyOf(covered);
        }
    }

    public StorySummary {
        text = text == null ? "" : text;
        covered = covered == null ? List.of() : List.copyOf(covered);
    }

    public static StorySummary empty() {
        return new StorySummary("", List.of(), null, true);
    }

    public boolean isEmpty() {
        return text.isBlank() && covered.isEmpty() && draft == null;
    }

    public StorySummary withDraft(Draft d) {
        return new StorySummary(text, covered, d, offer);
    }

    public StorySummary withOffer(boolean o) {
        return new StorySummary(text, covered, draft, o);
    }

    /** The draft becomes the summary the prompt holds. */
    public StorySummary applied() {
        return draft == null ? this : new StorySummary(draft.text(), draft.covered(), null, offer);
    }

    /** The draft, or a copy of the summary as it is when there is none (what the editor's text area edits). */
    public Draft draftOrCurrent() {
        return draft != null ? draft : new Draft(text, covered);
    }

    /**
     * The chapters that have wholly left the view (they end at or before {@code viewStart}) and that
     * {@code covered} does not hold yet, in story order. Chapters are matched to covered entries by
     * heading, in order, so a book whose every part restarts at "CHAPTER I" still counts right. A
     * manuscript without headings has one pseudo-chapter: the text from the last covered end to the
     * view start, once it is {@link #UNHEADED_MIN_CHARS} long.
     */
    public static List<Chapters.Chapter> pending(String story, int viewStart, List<Covered> covered) {
        List<Chapters.Chapter> out = new ArrayList<>();
        if (viewStart <= 0) return out;
        List<Chapters.Chapter> chapters = Chapters.of(story);
        if (chapters.isEmpty()) {
            int from = 0;
            for (Covered c : covered) from = Math.max(from, c.end());
            from = Math.min(from, story.length());
            if (viewStart - from >= UNHEADED_MIN_CHARS)
                out.add(new Chapters.Chapter(
                        from == 0 ? "The opening" : "Text to character " + viewStart, from, viewStart, 2));
            return out;
        }
        int j = 0;
        for (Chapters.Chapter ch : chapters) {
            if (j < covered.size() && covered.get(j).title().equals(ch.title())) {
                j++;
                continue;
            }
            if (ch.end() <= viewStart) out.add(ch);
        }
        return out;
    }

    /** A summary's text with one more chapter's entry ("Title: what happened") on its own line. */
    public static String append(String text, String title, String entry) {
        String line = title + ": " + entry.strip();
        if (text.isBlank()) return line;
        return text.endsWith("\n") ? text + line : text + "\n" + line;
    }

    /** {@code covered} plus the chapters given. */
    public static List<Covered> plus(List<Covered> covered, List<Chapters.Chapter> chapters) {
        List<Covered> out = new ArrayList<>(covered);
        for (Chapters.Chapter c : chapters) out.add(new Covered(c.title(), c.end()));
        return out;
    }
}
