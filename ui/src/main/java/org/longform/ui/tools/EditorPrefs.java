package org.longform.ui.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.longform.ui.story.AtomicFiles;

/**
 * How the manuscript looks and the writer's daily goal, in CONFIG/editor.json (its own file, so
 * the window preferences and these never overwrite each other). A damaged file gives the defaults.
 *
 * @param fontFamily  null: the theme's serif
 * @param fontSize    px, {@value #MIN_SIZE} to {@value #MAX_SIZE}
 * @param lineSpacing 1.0 = single, 2.0 = double
 * @param textWidth   px of the text column, 0 = the whole window
 * @param dailyGoal   words a day, 0 = no goal
 * @param goalDay     the day (yyyy-mm-dd) {@code writtenToday} counts
 */
public record EditorPrefs(
        String fontFamily,
        double fontSize,
        double lineSpacing,
        int textWidth,
        int dailyGoal,
        String goalDay,
        int writtenToday) {
    public static final double DEFAULT_SIZE = 15, MIN_SIZE = 8, MAX_SIZE = 48;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public EditorPrefs {
        fontFamily = fontFamily == null || fontFamily.isBlank() ? null : fontFamily;
        fontSize = Double.isFinite(fontSize) ? Math.max(MIN_SIZE, Math.min(MAX_SIZE, fontSize)) : DEFAULT_SIZE;
        lineSpacing = Double.isFinite(lineSpacing) ? Math.max(1.0, Math.min(3.0, lineSpacing)) : 1.0;
        textWidth = Math.max(0, Math.min(4000, textWidth));
        dailyGoal = Math.max(0, dailyGoal);
        goalDay = goalDay == null ? "" : goalDay;
    }

    public static EditorPrefs defaults() {
        return new EditorPrefs(null, DEFAULT_SIZE, 1.0, 0, 0, "", 0);
    }

    public static EditorPrefs load(Path file) {
        EditorPrefs d = defaults();
        if (!Files.isRegularFile(file)) return d;
        try {
            JsonNode o = JSON.readTree(file.toFile());
            return new EditorPrefs(
                    o.hasNonNull("fontFamily") ? o.get("fontFamily").asText() : null,
                    o.path("fontSize").asDouble(d.fontSize()),
                    o.path("lineSpacing").asDouble(d.lineSpacing()),
                    o.path("textWidth").asInt(0),
                    o.path("dailyGoal").asInt(0),
                    o.path("goalDay").asText(""),
                    o.path("writtenToday").asInt(0));
        } catch (IOException | RuntimeException e) {
            return d;
        }
    }

    public void save(Path file) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        if (fontFamily != null) o.put("fontFamily", fontFamily);
        o.put("fontSize", fontSize);
        o.put("lineSpacing", lineSpacing);
        o.put("textWidth", textWidth);
        o.put("dailyGoal", dailyGoal);
        o.put("goalDay", goalDay);
        o.put("writtenToday", writtenToday);
        AtomicFiles.write(file, JSON.writeValueAsBytes(o));
    }

    public EditorPrefs withFont(String family, double size) {
        return new EditorPrefs(family, size, lineSpacing, textWidth, dailyGoal, goalDay, writtenToday);
    }

    public EditorPrefs withFontSize(double size) {
        return withFont(fontFamily, size);
    }

    public EditorPrefs withLayout(double spacing, int width) {
        return new EditorPrefs(fontFamily, fontSize, spacing, width, dailyGoal, goalDay, writtenToday);
    }

    public EditorPrefs withGoal(int goal) {
        return new EditorPrefs(fontFamily, fontSize, lineSpacing, textWidth, goal, goalDay, writtenToday);
    }

    public EditorPrefs withWritten(String day, int words) {
        return new EditorPrefs(fontFamily, fontSize, lineSpacing, textWidth, dailyGoal, day, words);
    }
}
