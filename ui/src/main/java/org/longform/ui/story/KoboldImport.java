package org.longform.ui.story;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Imports a KoboldAI / KoboldCpp saved story: {@code prompt} + {@code actions} (a list of strings,
 * or KoboldAI United's {"0": {...}} action map) become the text; {@code memory},
 * {@code authorsnote}, {@code anotetemplate} and {@code worldinfo} map to ours.
 */
public final class KoboldImport {
    private KoboldImport() {}

    public static StoryData read(Path file) throws StoryFileException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new StoryFileException(file, "file not found");
        } catch (JacksonException e) {
            throw new StoryFileException(file, "not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new StoryFileException(file, "cannot read: " + StoryFile.describe(e), e);
        }
        if (root != null && "longform-story".equals(root.path("format").asText())) return StoryFile.read(file);
        return fromJson(file, root);
    }

    static StoryData fromJson(Path file, JsonNode root) throws StoryFileException {
        if (root == null || !root.isObject()) throw new StoryFileException(file, "not a KoboldAI story (expected a JSON object)");
        if (!root.has("actions") && !root.has("prompt")) throw new StoryFileException(file, "not a KoboldAI story (no \"prompt\" or \"actions\")");
        StringBuilder text = new StringBuilder(root.path("prompt").asText(""));
        JsonNode actions = root.get("actions");
        if (actions != null && actions.isArray()) {
            for (JsonNode a : actions) text.append(a.asText(""));
        } else if (actions != null && actions.isObject()) {
            // KoboldAI United: {"0": {"Selected Text": "...", "Options": [...]}, ...}, in numeric key order
            List<String> keys = new ArrayList<>();
            actions.fieldNames().forEachRemaining(keys::add);
            keys.sort((a, b) -> Integer.compare(parseIntOr(a), parseIntOr(b)));
            for (String k : keys) {
                JsonNode a = actions.get(k);
                text.append(a.isTextual() ? a.asText() : a.path("Selected Text").asText(""));
            }
        } else if (actions != null && !actions.isNull()) {
            throw new StoryFileException(file, "\"actions\" must be a list of strings");
        }
        String template = root.path("anotetemplate").asText("");
        if (template.isBlank()) template = AuthorsNote.DEFAULT_TEMPLATE;
        AuthorsNote note = new AuthorsNote(root.path("authorsnote").asText(""), template, AuthorsNote.DEFAULT_DEPTH);
        List<WorldInfoEntry> wi = new ArrayList<>();
        JsonNode w = root.get("worldinfo");
        if (w != null && w.isArray()) {
            for (JsonNode e : w) {
                String content = e.path("content").asText("");
                String key = e.path("key").asText("");
                if (content.isBlank() && key.isBlank()) continue;   // Kobold saves a trailing empty "folder" entry
                wi.add(new WorldInfoEntry(WorldInfoEntry.splitKeys(key), WorldInfoEntry.splitKeys(e.path("keysecondary").asText("")),
                        content, e.path("comment").asText(""), e.path("constant").asBoolean(false),
                        e.path("selective").asBoolean(false), true));
            }
        }
        long now = System.currentTimeMillis();
        StoryData blank = StoryData.blank(StoryFile.titleOf(file));
        return new StoryData(null, blank.title(), text.toString(), List.of(), root.path("memory").asText(""), note, wi,
                WorldInfoRules.defaults(), blank.sampling(), null, false, HistoryData.empty(), now, now);
    }

    private static int parseIntOr(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }
}
