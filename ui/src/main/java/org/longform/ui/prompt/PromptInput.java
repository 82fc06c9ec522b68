package org.longform.ui.prompt;

import org.longform.ui.story.AuthorsNote;
import org.longform.ui.story.WorldInfoEntry;
import org.longform.ui.story.WorldInfoRules;

import java.util.List;

/**
 * What the prompt is built from. {@code storyEnd} is where generation continues (end of text, or
 * the cursor); {@code reserve} the tokens kept free for the generation; {@code previousCut} the
 * story offset the last prompt started at (-1 if none), reused while it still fits so the cached
 * prefix stays valid.
 */
public record PromptInput(String story, int storyEnd, String memory, AuthorsNote note, List<WorldInfoEntry> worldInfo,
                          WorldInfoRules rules, int contextSize, int reserve, int previousCut) {}
