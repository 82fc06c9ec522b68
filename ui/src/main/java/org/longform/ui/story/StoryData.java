package org.longform.ui.story;

import java.util.List;
import java.util.UUID;
import org.longform.engine.sample.SamplerSettings;

/**
 * Everything a story file holds, as an immutable snapshot (taken on the FX thread, written on the
 * I/O worker). {@code id} is stable for the story's life and names its autosave/recovery files.
 * {@code summary} is the "story so far" placed after memory ({@link StorySummary}); {@code choices} the
 * model's alternatives for the newest generated tokens ({@link StoryChoices}).
 */
public record StoryData(
        String id,
        String title,
        String text,
        List<Span> generated,
        String memory,
        AuthorsNote authorsNote,
        List<WorldInfoEntry> worldInfo,
        WorldInfoRules worldInfoRules,
        SamplerSettings sampling,
        String model,
        boolean generateAtCursor,
        HistoryData history,
        long created,
        long modified,
        StorySummary summary,
        StoryChoices choices) {
    /**
     * The editor's sampler preset, what a new story starts with and what a story file's missing
     * fields read as: the engine's defaults with continuations of 80 tokens (a paragraph the writer
     * reviews before asking for more, not the API's 256) and min-p off (the editor never used it;
     * keeping it off makes stories saved before this preset existed sample exactly as they did).
     */
    public static final SamplerSettings EDITOR_SAMPLER =
            SamplerSettings.defaults().withMaxTokens(80).withMinP(0);

    public StoryData {
        id = id == null || id.isBlank() ? UUID.randomUUID().toString() : id;
        title = title == null ? "" : title;
        text = text == null ? "" : text;
        generated = generated == null ? List.of() : List.copyOf(generated);
        memory = memory == null ? "" : memory;
        authorsNote = authorsNote == null ? AuthorsNote.empty() : authorsNote;
        worldInfo = worldInfo == null ? List.of() : List.copyOf(worldInfo);
        worldInfoRules = worldInfoRules == null ? WorldInfoRules.defaults() : worldInfoRules;
        sampling = sampling == null ? StoryData.EDITOR_SAMPLER : sampling;
        history = history == null ? HistoryData.empty() : history;
        summary = summary == null ? StorySummary.empty() : summary;
        choices = choices == null ? StoryChoices.empty() : choices;
    }

    public StoryData withSummary(StorySummary s) {
        return new StoryData(
                id,
                title,
                text,
                generated,
                memory,
                authorsNote,
                worldInfo,
                worldInfoRules,
                sampling,
                model,
                generateAtCursor,
                history,
                created,
                modified,
                s,
                choices);
    }

    public StoryData withChoices(StoryChoices c) {
        return new StoryData(
                id,
                title,
                text,
                generated,
                memory,
                authorsNote,
                worldInfo,
                worldInfoRules,
                sampling,
                model,
                generateAtCursor,
                history,
                created,
                modified,
                summary,
                c);
    }

    public static StoryData blank(String title) {
        long now = System.currentTimeMillis();
        return new StoryData(
                null,
                title,
                "",
                List.of(),
                "",
                AuthorsNote.empty(),
                List.of(),
                WorldInfoRules.defaults(),
                StoryData.EDITOR_SAMPLER,
                null,
                false,
                HistoryData.empty(),
                now,
                now,
                StorySummary.empty(),
                StoryChoices.empty());
    }

    public StoryData withText(String t) {
        return new StoryData(
                id,
                title,
                t,
                List.of(),
                memory,
                authorsNote,
                worldInfo,
                worldInfoRules,
                sampling,
                model,
                generateAtCursor,
                HistoryData.empty(),
                created,
                modified,
                summary,
                StoryChoices.empty()); // no generated spans left to hold choices
    }
}
