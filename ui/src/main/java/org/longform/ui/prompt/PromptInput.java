package org.longform.ui.prompt;

import java.util.List;
import org.longform.ui.story.AuthorsNote;
import org.longform.ui.story.WorldInfoEntry;
import org.longform.ui.story.WorldInfoRules;

/**
 * What the prompt is built from. {@code storyEnd} is where generation continues (end of text, or
 * the cursor); {@code reserve} the tokens kept free for the generation; {@code previousCut} the
 * story offset the last prompt started at (-1 if none), reused while it still fits so the cached
 * prefix stays valid; {@code align} the engine's KV block size: when the view must move, it moves
 * by a whole number of blocks where it can, so the cache relinks pages instead of moving every
 * later slot (and a saved cache rewrites one page, not all). {@code summary} is the applied "story
 * so far", placed right after memory in the pinned prefix (its tokens come out of the story's view).
 */
public record PromptInput(
        String story,
        int storyEnd,
        String memory,
        String summary,
        AuthorsNote note,
        List<WorldInfoEntry> worldInfo,
        WorldInfoRules rules,
        int contextSize,
        int reserve,
        int previousCut,
        int align) {
    public PromptInput {
        summary = summary == null ? "" : summary;
        align = Math.max(1, align);
    }

    /** Without a "story so far". */
    public PromptInput(
            String story,
            int storyEnd,
            String memory,
            AuthorsNote note,
            List<WorldInfoEntry> worldInfo,
            WorldInfoRules rules,
            int contextSize,
            int reserve,
            int previousCut,
            int align) {
        this(story, storyEnd, memory, "", note, worldInfo, rules, contextSize, reserve, previousCut, align);
    }

    public PromptInput(
            String story,
            int storyEnd,
            String memory,
            AuthorsNote note,
            List<WorldInfoEntry> worldInfo,
            WorldInfoRules rules,
            int contextSize,
            int reserve,
            int previousCut) {
        this(story, storyEnd, memory, "", note, worldInfo, rules, contextSize, reserve, previousCut, 1);
    }

    public PromptInput withPreviousCut(int cut) {
        return new PromptInput(
                story, storyEnd, memory, summary, note, worldInfo, rules, contextSize, reserve, cut, align);
    }

    public PromptInput withSummary(String s) {
        return new PromptInput(
                story, storyEnd, memory, s, note, worldInfo, rules, contextSize, reserve, previousCut, align);
    }
}
