package org.longform.ui.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.longform.engine.sample.SamplerSettings;
import org.longform.ui.story.AtomicFiles;
import org.longform.ui.story.StoryFile;

/** Named sampler presets: JSON files {"name": ..., "description": ..., "sampler": {...}} in assets/presets and CONFIG/presets. */
public final class Presets {
    public record Preset(String name, String description, SamplerSettings sampling, Path file) {
        @Override
        public String toString() {
            return name;
        }
    }

    private Presets() {}

    /** Loads every preset in the folders; broken files are reported in {@code problems} and skipped. */
    public static List<Preset> load(List<Path> dirs, List<String> problems) {
        List<Preset> out = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (Path dir : dirs) {
            if (dir == null || !Files.isDirectory(dir)) continue;
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
                List<Path> sorted = new ArrayList<>();
                files.forEach(sorted::add);
                sorted.sort(null);
                for (Path f : sorted) {
                    try {
                        JsonNode o = json.readTree(f.toFile());
                        String name = o.path("name").asText(StoryFile.titleOf(f));
                        out.add(new Preset(
                                name,
                                o.path("description").asText(""),
                                StoryFile.samplingFrom(o.get("sampler"), "sampler"),
                                f));
                    } catch (IOException | IllegalArgumentException e) {
                        problems.add(f + ": " + e.getMessage());
                    }
                }
            } catch (IOException e) {
                problems.add(dir + ": " + e.getMessage());
            }
        }
        return out;
    }

    public static void save(Path file, String name, String description, SamplerSettings s) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        var o = json.createObjectNode();
        o.put("name", name);
        o.put("description", description);
        o.set("sampler", StoryFile.samplingJson(s));
        AtomicFiles.write(file, json.writeValueAsBytes(o));
    }
}
