package org.longform.hub;

import java.util.List;

/**
 * MPT repositories on the Hugging Face hub the download dialog offers; any other owner/name can
 * be typed in. Sizes are what {@code longform download} fetches (PyTorch weights, bf16), so the
 * dialog can warn before asking the hub.
 */
public final class SuggestedModels {
    private SuggestedModels() {}

    public record Suggestion(String repo, String title, String why, long approxBytes) {}

    public static final List<Suggestion> ALL = List.of(
            new Suggestion(
                    "mosaicml/mpt-7b-storywriter",
                    "MPT-7B-StoryWriter-65k+",
                    "made for fiction: trained on 65k-token book excerpts; the model Longform is built for",
                    13_300_000_000L),
            new Suggestion(
                    "mosaicml/mpt-7b", "MPT-7B (base)", "general text, 2k-token training window", 13_300_000_000L),
            new Suggestion(
                    "mosaicml/mpt-7b-instruct", "MPT-7B-Instruct", "follows short instructions", 13_300_000_000L));

    public static Suggestion defaultModel() {
        return ALL.getFirst();
    }
}
