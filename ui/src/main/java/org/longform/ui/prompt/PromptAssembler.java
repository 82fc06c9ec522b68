package org.longform.ui.prompt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.longform.ui.gen.TokenCounter;
import org.longform.ui.story.WorldInfoEntry;

/**
 * Builds the prompt from memory, world info, author's note and story within the context size.
 * Stable parts come first so the engine's KV cache (which recomputes from the first differing
 * token) stays reusable: memory, then world info, then the story, with the author's note near the
 * end. The story's start only moves when it must, and then by a stride, for the same reason.
 */
public final class PromptAssembler {
    /** When the story must be cut, fill this share of its budget, leaving room for several generations before the next cut. */
    static final double CUT_FILL = 0.8;

    private final TokenCounter tokens;
    private final StoryTokens story;

    /** An assembler that tokenizes the story afresh each time (one-off prompts, tests). */
    public PromptAssembler(TokenCounter tokens) {
        this(new StoryTokens(tokens));
    }

    /** An assembler over a story's own {@link StoryTokens}, so its ids stay the same between requests. */
    public PromptAssembler(StoryTokens story) {
        this.tokens = story.counter();
        this.story = story;
    }

    /**
     * Layout, in the order that makes the common changes cheap for the KV cache (which keeps the
     * longest common prefix, and shifts past an evicted span of the story):
     * memory (pinned at the top), the story so far (pinned after it: it changes once per chapter that
     * leaves the view), the story from its cut, then world info and the author's note at depth, then
     * the story's last tokens. Typing or generating at the end costs the new tokens plus
     * what sits at depth; a world-info or note change costs only what sits at depth; a window move
     * evicts the oldest story tokens and keeps the rest (the story's ids are stable, see
     * {@link StoryTokens}).
     */
    public AssembledPrompt assemble(PromptInput in) {
        story.update(in.story());
        int end = Math.min(in.storyEnd(), in.story().length());
        String text = in.story();
        String memoryText = pinnedText(in.memory());
        int[] memory = tokens.encode(memoryText);
        String summaryText = pinnedText(in.summary());
        int[] summary = tokens.encode(summaryText);

        String recent =
                text.substring(Math.max(0, end - in.rules().scanChars()), end).toLowerCase(Locale.ROOT);
        List<WorldInfoStatus> statuses = new ArrayList<>();
        StringBuilder wiText = new StringBuilder();
        int[] wi = new int[0];
        int wiBudget = in.rules().budgetTokens();
        for (int i = 0; i < in.worldInfo().size(); i++) {
            WorldInfoEntry e = in.worldInfo().get(i);
            WorldInfoScanner.Match m = WorldInfoScanner.match(e, in.rules(), recent);
            if (!m.triggered() || e.content().isBlank()) {
                WorldInfoStatus.State why = m.triggered() ? WorldInfoStatus.State.NOT_TRIGGERED : m.state();
                statuses.add(new WorldInfoStatus(i, why, m.triggered() ? null : m.key(), 0));
                continue;
            }
            String key = m.key();
            String entry = withNewline(e.content());
            int[] ids = tokens.encode(entry);
            if (wi.length + ids.length > wiBudget) {
                statuses.add(new WorldInfoStatus(i, WorldInfoStatus.State.OVER_BUDGET, key, ids.length));
                continue;
            }
            wi = concat(wi, ids);
            wiText.append(entry);
            statuses.add(new WorldInfoStatus(i, WorldInfoStatus.State.ACTIVE, key, ids.length));
        }
        // World info at depth starts on its own line, like the note does.
        if (!wiText.isEmpty()) {
            wiText.insert(0, '\n');
            wi = tokens.encode(wiText.toString());
        }

        String noteText = in.note().rendered();
        int[] note = tokens.encode(noteText);

        // The summary's tokens come out of the story's view, never out of memory (both are pinned).
        int storyBudget =
                Math.max(0, in.contextSize() - in.reserve() - memory.length - summary.length - wi.length - note.length);
        int cut = cut(end, storyBudget, in.previousCut(), in.align());
        int[] storyIds = cut >= end ? new int[0] : story.ids(cut, end);

        // World info and the note go depth tokens before the end, moved back to a token that starts a word so it never
        // splits one.
        int at = storyIds.length;
        if (note.length + wi.length > 0)
            at = wordStart(storyIds, Math.max(0, storyIds.length - in.note().depth()));
        int[] ids = concat(
                memory,
                summary,
                Arrays.copyOfRange(storyIds, 0, at),
                wi,
                note,
                Arrays.copyOfRange(storyIds, at, storyIds.length));
        return new AssembledPrompt(
                ids,
                memoryText,
                memory.length,
                summaryText,
                summary.length,
                wiText.toString(),
                wi.length,
                noteText,
                note.length,
                storyIds.length,
                cut,
                end,
                in.contextSize(),
                in.reserve(),
                statuses,
                memory.length + summary.length + at);
    }

    /**
     * The story's first character in view: a segment start of {@link StoryTokens} (so the ids after
     * it are the cached ones). The previous cut is kept while the story fits and the view is not
     * mostly empty; otherwise the view starts where the story fills {@link #CUT_FILL} of the budget.
     */
    private int cut(int end, int budget, int previous, int align) {
        if (budget <= 0 || end == 0) return end;
        int target = Math.max(1, (int) (budget * CUT_FILL));
        if (previous >= 0 && previous <= end) {
            boolean exact = previous == 0 || story.isViewStart(previous);
            int c = exact ? previous : story.segmentStartAtOrAfter(previous);
            int n = c >= end ? 0 : story.ids(c, end).length;
            if (n <= budget && (c == 0 || n >= budget / 2)) return c;
            // Move by whole KV blocks from the previous start, to a word start (almost always within a few tries).
            if (align > 1 && exact && n > budget) {
                for (int skip = Math.ceilDiv(n - target, align) * align, tries = 0;
                        tries < 16 && skip < n;
                        tries++, skip += align) {
                    // The ids after it are the last n - skip of those after c: no more than target, so it fits.
                    int next = story.viewStartAfter(c, skip);
                    if (next >= 0 && next < end) return next;
                }
            }
        }
        if (story.startForBudget(end, budget) == 0) return 0; // the whole story fits
        int c = story.startForBudget(end, target);
        // Even the segment holding the end is over the target (a small window, a long summary): a view inside it.
        if (c >= end) return wordCut(end, budget, story.segmentStartBefore(end));
        while (c < end && story.ids(c, end).length > budget) {
            int next = story.segmentStartAtOrAfter(c + 1);
            if (next >= end) return wordCut(end, budget, c);
            c = next;
        }
        return c;
    }

    /** A view inside one segment longer than the budget (a tiny window): the first word start whose tail fits. */
    private int wordCut(int end, int budget, int from) {
        String text = story.text();
        int c = from;
        while (c < end) {
            c = afterWhitespace(text, Math.min(end, c + 1));
            if (c >= end || tokens.encode(text.substring(c, end)).length <= budget) return c;
        }
        return end;
    }

    /** Moves forward to the start of the next word (so the view never begins mid-word). */
    static int afterWhitespace(String s, int i) {
        if (i == 0 || i >= s.length() || Character.isWhitespace(s.charAt(i - 1))) return i;
        int j = i;
        while (j < s.length() && !Character.isWhitespace(s.charAt(j))) j++;
        while (j < s.length() && Character.isWhitespace(s.charAt(j))) j++;
        return j;
    }

    private int wordStart(int[] ids, int at) {
        for (int i = at, tries = 0; i > 0 && i < ids.length && tries < 32; i--, tries++) {
            String t = tokens.decode(new int[] {ids[i]});
            if (!t.isEmpty() && Character.isWhitespace(t.charAt(0))) return i;
        }
        return at;
    }

    /**
     * Where the story's view starts after an edit that replaced {@code removed} characters at
     * {@code pos} with {@code inserted}: text changed before the start moves it, an edit across it
     * pulls it back to the edit, one after it leaves it (the editor, replay and soak all follow this).
     */
    public static int cutAfterEdit(int cut, int pos, int removed, int inserted) {
        return cut > pos ? Math.max(pos, cut - removed + inserted) : cut;
    }

    /** A pinned part (memory, the story so far) as the prompt holds it: nothing when blank, else its own lines. */
    public static String pinnedText(String s) {
        return s.isBlank() ? "" : withNewline(s);
    }

    private static String withNewline(String s) {
        return s.endsWith("\n") ? s : s + "\n";
    }

    /** The parts' ids one after another (prompt pieces, token segments). */
    public static int[] concat(int[]... parts) {
        int n = 0;
        for (int[] p : parts) n += p.length;
        int[] out = new int[n];
        int o = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }
}
