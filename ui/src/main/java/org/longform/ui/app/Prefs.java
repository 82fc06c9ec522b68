package org.longform.ui.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.longform.engine.sample.SamplerSettings;
import org.longform.ui.story.AtomicFiles;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.StoryFile;

/**
 * Preferences in CONFIG/prefs.json: window geometry, theme, last model, recent files, sampler
 * defaults, and the cache's reuse mode after deep edits. The prompt's size is the engine's window
 * (Model ▸ Engine settings), the one setting; {@code promptCap} (prefs.json only, 0 = none) keeps
 * prompts below it. A damaged file is ignored (defaults), never fatal.
 */
public record Prefs(
        double x,
        double y,
        double width,
        double height,
        boolean maximized,
        String theme,
        String lastModel,
        int promptCap,
        List<String> recent,
        SamplerSettings samplerDefaults,
        boolean approximateReuse) {
    public static final int MAX_RECENT = 10;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public Prefs {
        recent = recent == null ? List.of() : List.copyOf(recent);
        samplerDefaults = samplerDefaults == null ? StoryData.EDITOR_SAMPLER : samplerDefaults;
        theme = "dark".equals(theme) ? "dark" : "light";
    }

    public static Prefs defaults() {
        return new Prefs(
                Double.NaN, Double.NaN, 1280, 820, false, "light", null, 0, List.of(), StoryData.EDITOR_SAMPLER, false);
    }

    public static Prefs load(Path file) {
        Prefs d = defaults();
        if (!Files.isRegularFile(file)) return d;
        try {
            JsonNode o = JSON.readTree(file.toFile());
            List<String> recent = new ArrayList<>();
            for (JsonNode r : o.path("recent")) recent.add(r.asText());
            SamplerSettings s;
            try {
                s = StoryFile.samplingFrom(o.get("samplerDefaults"), "samplerDefaults");
            } catch (IllegalArgumentException e) {
                s = d.samplerDefaults();
            }
            return new Prefs(
                    o.path("x").asDouble(Double.NaN),
                    o.path("y").asDouble(Double.NaN),
                    o.path("width").asDouble(d.width()),
                    o.path("height").asDouble(d.height()),
                    o.path("maximized").asBoolean(false),
                    o.path("theme").asText("light"),
                    o.hasNonNull("lastModel") ? o.get("lastModel").asText() : null,
                    Math.max(0, o.path("promptCap").asInt(0)),
                    recent,
                    s,
                    o.path("approximateReuse").asBoolean(false));
        } catch (IOException | RuntimeException e) {
            return d;
        }
    }

    public void save(Path file) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        if (!Double.isNaN(x)) o.put("x", x);
        if (!Double.isNaN(y)) o.put("y", y);
        o.put("width", width);
        o.put("height", height);
        o.put("maximized", maximized);
        o.put("theme", theme);
        if (lastModel != null) o.put("lastModel", lastModel);
        if (promptCap > 0) o.put("promptCap", promptCap);
        o.put("approximateReuse", approximateReuse);
        ArrayNode r = o.putArray("recent");
        recent.forEach(r::add);
        o.set("samplerDefaults", StoryFile.samplingJson(samplerDefaults));
        AtomicFiles.write(file, JSON.writeValueAsBytes(o));
    }

    public Prefs withGeometry(double x, double y, double w, double h, boolean max) {
        return new Prefs(x, y, w, h, max, theme, lastModel, promptCap, recent, samplerDefaults, approximateReuse);
    }

    public Prefs withTheme(String t) {
        return new Prefs(
                x, y, width, height, maximized, t, lastModel, promptCap, recent, samplerDefaults, approximateReuse);
    }

    public Prefs withLastModel(String m) {
        return new Prefs(
                x, y, width, height, maximized, theme, m, promptCap, recent, samplerDefaults, approximateReuse);
    }

    public Prefs withPromptCap(int c) {
        return new Prefs(
                x, y, width, height, maximized, theme, lastModel, c, recent, samplerDefaults, approximateReuse);
    }

    public Prefs withApproximateReuse(boolean a) {
        return new Prefs(x, y, width, height, maximized, theme, lastModel, promptCap, recent, samplerDefaults, a);
    }

    public Prefs withSamplerDefaults(SamplerSettings s) {
        return new Prefs(x, y, width, height, maximized, theme, lastModel, promptCap, recent, s, approximateReuse);
    }

    /** Moves {@code file} to the top of the recent list. */
    public Prefs withRecent(Path file) {
        List<String> r = new ArrayList<>(recent);
        String f = file.toAbsolutePath().normalize().toString();
        r.remove(f);
        r.addFirst(f);
        while (r.size() > MAX_RECENT) r.removeLast();
        return new Prefs(
                x, y, width, height, maximized, theme, lastModel, promptCap, r, samplerDefaults, approximateReuse);
    }
}
