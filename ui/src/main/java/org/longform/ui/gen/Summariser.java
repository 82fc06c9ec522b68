package org.longform.ui.gen;

import java.util.Arrays;
import java.util.List;
import org.longform.engine.gen.CancelToken;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.StopReason;
import org.longform.engine.gen.TokenListener;
import org.longform.engine.runtime.Session;
import org.longform.engine.sample.SamplerSettings;
import org.longform.ui.prompt.PromptAssembler;
import org.longform.ui.story.Chapters;
import org.longform.ui.story.StorySummary;

/**
 * Has the model write "story so far" entries: one generation per chapter that left the view, over
 * memory, the summary so far and the chapter's text, through the story's own {@link TextGenerator}
 * (the editor's model worker, or {@code longform replay}). The prompt starts with memory and the
 * summary so far, the story prompt's pinned prefix, so the cache keeps that much of it. What comes
 * back is a {@link StorySummary.Draft}: nothing reaches the story's prompt until it is applied.
 */
public final class Summariser {
    /** Tokens the model may write for one chapter's entry. */
    public static final int ENTRY_TOKENS = 80;

    /** The draft, and what the generations cost (summed over the chapters). */
    public record Result(
            StorySummary.Draft draft,
            int chapters,
            int promptTokens,
            int recomputed,
            int generated,
            long prefillNanos,
            long decodeNanos,
            boolean cancelled) {}

    private Summariser() {}

    /**
     * Appends one entry per chapter to {@code from} (in order, each written with the entries before
     * it in view). A cancel keeps the entries written so far.
     */
    public static Result summarise(
            TextGenerator g,
            String memory,
            StorySummary.Draft from,
            String story,
            List<Chapters.Chapter> chapters,
            int window,
            SamplerSettings sampler,
            TokenListener listener,
            CancelToken cancel) {
        SamplerSettings s = sampler.withMaxTokens(ENTRY_TOKENS).withStopSequences(List.of("]", "\n"));
        String text = from.text();
        List<StorySummary.Covered> covered = from.covered();
        int prompt = 0, recomputed = 0, generated = 0, done = 0;
        long prefill = 0, decode = 0;
        boolean cancelled = false;
        for (Chapters.Chapter ch : chapters) {
            if (cancel.isCancelled()) {
                cancelled = true;
                break;
            }
            int[] ids = prompt(g, memory, text, ch.title(), story.substring(ch.start(), ch.end()), window);
            int keep = pinned(g, memory, text).length;
            GenerationResult r = g.generate(
                    new GenerationRequest(g.promptOrStart(ids), s, window, keep, Session.Reuse.EXACT),
                    listener != null ? listener : TokenListener.NONE,
                    cancel);
            prompt += r.promptTokens();
            recomputed += r.recomputedTokens();
            generated += r.ids().length;
            prefill += r.prefillNanos();
            decode += r.decodeNanos();
            if (r.reason() == StopReason.CANCELLED) {
                cancelled = true;
                break;
            }
            text = StorySummary.append(text, ch.title(), r.text());
            covered = StorySummary.plus(covered, List.of(ch));
            done++;
        }
        return new Result(
                new StorySummary.Draft(text, covered), done, prompt, recomputed, generated, prefill, decode, cancelled);
    }

    /** Memory and the summary as the story's prompt pins them: each on its own lines, tokenized alone. */
    static int[] pinned(TextGenerator g, String memory, String summary) {
        return PromptAssembler.concat(
                g.encode(PromptAssembler.pinnedText(memory)), g.encode(PromptAssembler.pinnedText(summary)));
    }

    /**
     * Memory, the summary so far, the chapter, then "[Summary of TITLE:" for the model to complete.
     * A chapter longer than the window keeps its first and last parts (where a chapter sets up and
     * ends), joined by an ellipsis.
     */
    static int[] prompt(TextGenerator g, String memory, String summary, String title, String chapter, int window) {
        int[] head = pinned(g, memory, summary);
        int[] ask = g.encode("\n\n[Summary of " + title.strip() + ":");
        int[] body = g.encode("\n" + chapter.strip());
        int budget = Math.max(16, window - ENTRY_TOKENS - head.length - ask.length - 8);
        if (body.length > budget) {
            int[] gap = g.encode(" … ");
            int half = Math.max(1, (budget - gap.length) / 2);
            body = PromptAssembler.concat(
                    Arrays.copyOfRange(body, 0, half), gap, Arrays.copyOfRange(body, body.length - half, body.length));
        }
        return PromptAssembler.concat(head, body, ask);
    }
}
