package org.longform.ui.prompt;

import org.longform.ui.gen.TokenCounter;
import org.longform.ui.story.WorldInfoEntry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

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

    public PromptAssembler(TokenCounter tokens) {
        this.tokens = tokens;
    }

    public AssembledPrompt assemble(PromptInput in) {
        String story = in.story().substring(0, Math.min(in.storyEnd(), in.story().length()));
        String memoryText = in.memory().isBlank() ? "" : withNewline(in.memory());
        int[] memory = tokens.encode(memoryText);

        String recent = story.substring(Math.max(0, story.length() - in.rules().scanChars())).toLowerCase(Locale.ROOT);
        List<WorldInfoStatus> statuses = new ArrayList<>();
        StringBuilder wiText = new StringBuilder();
        int[] wi = new int[0];
        int wiBudget = in.rules().budgetTokens();
        for (int i = 0; i < in.worldInfo().size(); i++) {
            WorldInfoEntry e = in.worldInfo().get(i);
            if (!e.enabled()) { statuses.add(new WorldInfoStatus(i, WorldInfoStatus.State.DISABLED, null, 0)); continue; }
            String key = WorldInfoScanner.trigger(e, recent);
            if (key == null || e.content().isBlank()) { statuses.add(new WorldInfoStatus(i, WorldInfoStatus.State.NOT_TRIGGERED, null, 0)); continue; }
            String text = withNewline(e.content());
            int[] ids = tokens.encode(text);
            if (wi.length + ids.length > wiBudget) {
                statuses.add(new WorldInfoStatus(i, WorldInfoStatus.State.OVER_BUDGET, key, ids.length));
                continue;
            }
            wi = concat(wi, ids);
            wiText.append(text);
            statuses.add(new WorldInfoStatus(i, WorldInfoStatus.State.ACTIVE, key, ids.length));
        }

        String noteText = in.note().rendered();
        int[] note = tokens.encode(noteText);

        int storyBudget = Math.max(0, in.contextSize() - in.reserve() - memory.length - wi.length - note.length);
        Cut cut = cut(story, storyBudget, in.previousCut());
        int[] storyIds = cut.ids;

        // Author's note goes noteDepth tokens before the end, moved back to a token that starts a word so it never splits one.
        int at = Math.max(0, storyIds.length - in.note().depth());
        if (note.length > 0) at = wordStart(storyIds, at);
        int[] ids = concat(memory, wi, Arrays.copyOfRange(storyIds, 0, at), note, Arrays.copyOfRange(storyIds, at, storyIds.length));
        return new AssembledPrompt(ids, memoryText, memory.length, wiText.toString(), wi.length, noteText, note.length,
                storyIds.length, cut.start, story.length(), in.contextSize(), in.reserve(), statuses);
    }

    private record Cut(int start, int[] ids) {}

    /** Picks the story's first character in view and tokenizes story[start..]; the result never exceeds {@code budget}. */
    private Cut cut(String story, int budget, int previous) {
        if (budget <= 0 || story.isEmpty()) return new Cut(story.length(), new int[0]);
        if (previous >= 0 && previous <= story.length()) {
            int[] ids = tokens.encode(story.substring(previous));
            // Keep the old start while it fits and the view is not mostly empty (e.g. after deleting a lot).
            if (ids.length <= budget && (previous == 0 || ids.length >= budget / 2)) return new Cut(previous, ids);
        }
        int target = Math.max(1, (int) (budget * CUT_FILL));
        int from = Math.max(0, story.length() - target * 6);
        int[] ids = tokens.encode(story.substring(from));
        while (from > 0 && ids.length < target) {   // too few chars for the target: look further back
            from = Math.max(0, story.length() - (story.length() - from) * 2);
            ids = tokens.encode(story.substring(from));
        }
        if (ids.length <= budget && from == 0) return new Cut(0, ids);
        // Drop the tokens beyond the target from the front, then move to the next word start; repeat until it fits.
        int limit = Math.min(target, ids.length);
        do {
            int drop = ids.length - limit;
            int next = from + (drop > 0 ? Math.max(1, tokens.decode(Arrays.copyOf(ids, drop)).length()) : 0);
            from = afterWhitespace(story, Math.min(next, story.length()));
            ids = tokens.encode(story.substring(from));
            limit = budget;   // after the first cut only the hard budget matters
        } while (ids.length > budget);
        return new Cut(from, ids);
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
            String t = tokens.decode(new int[]{ids[i]});
            if (!t.isEmpty() && Character.isWhitespace(t.charAt(0))) return i;
        }
        return at;
    }

    private static String withNewline(String s) {
        return s.endsWith("\n") ? s : s + "\n";
    }

    static int[] concat(int[]... parts) {
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
