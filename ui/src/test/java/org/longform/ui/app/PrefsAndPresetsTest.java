package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.ui.TestSupport;
import org.longform.ui.story.StoryData;

class PrefsAndPresetsTest {
    @TempDir
    Path dir;

    @Test
    void prefsRoundTripAndToleratesDamage() throws Exception {
        Path f = dir.resolve("prefs.json");
        Prefs p = Prefs.defaults()
                .withGeometry(10, 20, 900, 700, true)
                .withTheme("dark")
                .withLastModel("/m/mpt")
                .withPromptCap(8192)
                .withApproximateReuse(true)
                .withSamplerDefaults(StoryData.EDITOR_SAMPLER.withTemperature(0.3))
                .withRecent(Path.of("/a.longform"))
                .withRecent(Path.of("/b.longform"))
                .withRecent(Path.of("/a.longform"));
        p.save(f);
        Prefs back = Prefs.load(f);
        assertEquals(p, back);
        assertEquals(List.of("/a.longform", "/b.longform"), back.recent(), "most recent first, no duplicates");
        Files.writeString(f, "{ this is not json");
        assertEquals(Prefs.defaults(), Prefs.load(f), "a damaged prefs file means defaults, not a crash");
    }

    @Test
    void shippedPresetsAllLoadAndBrokenOnesAreReported() throws Exception {
        List<String> problems = new ArrayList<>();
        List<Presets.Preset> shipped = Presets.load(List.of(TestSupport.home().resolve("assets/presets")), problems);
        assertEquals(List.of(), problems);
        assertTrue(shipped.size() >= 4, shipped.toString());
        assertTrue(shipped.stream()
                .anyMatch(p -> p.name().equals("Deterministic") && p.sampling().temperature() == 0));
        // the editor's own preset is the shipped "Balanced" one (80 tokens, min-p off), not a third set of defaults
        assertEquals(
                List.of(StoryData.EDITOR_SAMPLER),
                shipped.stream()
                        .filter(p -> p.name().equals("Balanced"))
                        .map(Presets.Preset::sampling)
                        .toList());

        Path mine = dir.resolve("presets");
        Files.createDirectories(mine);
        Presets.save(mine.resolve("slow.json"), "Slow", "mine", StoryData.EDITOR_SAMPLER.withMaxTokens(20));
        Files.writeString(mine.resolve("bad.json"), "{\"name\": \"Bad\", \"sampler\": {\"temperature\": -1}}");
        problems.clear();
        List<Presets.Preset> all = Presets.load(List.of(mine), problems);
        assertEquals(1, all.size());
        assertEquals(20, all.getFirst().sampling().maxTokens());
        assertEquals(1, problems.size());
        assertTrue(
                problems.getFirst().contains("bad.json") && problems.getFirst().contains("temperature"),
                problems.getFirst());
    }
}
