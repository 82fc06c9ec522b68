package org.longform.ui.prompt;

import java.util.List;

/**
 * The prompt in token ids, with the exact token count of every part (each part is tokenized on its
 * own and the ids concatenated, so the counts are exactly what the model gets). Layout: memory,
 * the story so far (summary), story head, world info, author's note, last {@code noteDepth} story
 * tokens ({@link PromptAssembler} says why). {@code storyCut} is the first story character in the
 * model's view; {@code depthStart} the prompt index where the parts at depth (world info, note)
 * begin: a change to them recomputes from there.
 */
public record AssembledPrompt(
        int[] ids,
        String memoryText,
        int memoryTokens,
        String summaryText,
        int summaryTokens,
        String worldInfoText,
        int worldInfoTokens,
        String noteText,
        int noteTokens,
        int storyTokens,
        int storyCut,
        int storyEnd,
        int contextSize,
        int reserve,
        List<WorldInfoStatus> worldInfo,
        int depthStart) {
    public int total() {
        return ids.length;
    }

    public int free() {
        return Math.max(0, contextSize - ids.length);
    }

    /** Tokens kept in place on a context shift: the pinned prefix, memory and the story so far. */
    public int keep() {
        return memoryTokens + summaryTokens;
    }
}
