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
 * Imports a KoboldAI saved story in each of its layouts: the original KoboldAI client and KoboldAI
 * Lite / KoboldCpp ({@code actions} a list of strings, {@code worldinfo} a flat list, Lite's
 * {@code widisabled} and {@code keyanti}), and KoboldAI United's ({@code actions} the story
 * register {"action_count", "actions": {"0": {"Selected Text", "Options", ...}}}, {@code
 * worldinfo_v2} with folders, {@code authornote}, {@code story_name}). {@code prompt} + the
 * actions become the text; memory, author's note and world info map to ours; disabled entries
 * stay disabled.
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
        if (root == null || !root.isObject())
            throw new StoryFileException(file, "not a KoboldAI story (expected a JSON object)");
        if (!root.has("actions") && !root.has("prompt"))
            throw new StoryFileException(file, "not a KoboldAI story (no \"prompt\" or \"actions\")");
        StringBuilder text = new StringBuilder(root.path("prompt").asText(""));
        JsonNode actions = root.get("actions");
        if (actions != null
                && actions.isObject()
                && actions.has("actions")
                && actions.get("actions").isObject()) {
            // KoboldAI United's story register: {"action_count": N, "actions": {"0": {"Selected Text": ...}, ...}}
            appendActionMap(text, actions.get("actions"), file);
        } else if (actions != null && actions.isObject()) {
            appendActionMap(text, actions, file); // an action map without the register around it
        } else if (actions != null && actions.isArray()) {
            for (JsonNode a : actions)
                text.append(a.isObject() ? a.path("Selected Text").asText("") : a.asText(""));
        } else if (actions != null && !actions.isNull()) {
            throw new StoryFileException(
                    file, "\"actions\" must be a list of strings or KoboldAI United's action register");
        }
        // KoboldAI and KoboldAI Lite say "authorsnote"/"anotetemplate"; United says "authornote"/"authornotetemplate".
        String noteText = root.hasNonNull("authorsnote")
                ? root.get("authorsnote").asText("")
                : root.path("authornote").asText("");
        String template = root.hasNonNull("anotetemplate")
                ? root.get("anotetemplate").asText("")
                : root.path("authornotetemplate").asText("");
        if (template.isBlank()) template = AuthorsNote.DEFAULT_TEMPLATE;
        AuthorsNote note = new AuthorsNote(noteText, template, AuthorsNote.DEFAULT_DEPTH);
        JsonNode v2 = root.get("worldinfo_v2");
        List<WorldInfoEntry> wi = v2 != null
                        && v2.isObject()
                        && v2.path("entries").isObject()
                        && !v2.path("entries").isEmpty()
                ? worldInfoV2(v2)
                : worldInfoV1(root);
        long now = System.currentTimeMillis();
        StoryData blank = StoryData.blank(StoryFile.titleOf(file));
        String title = root.path("story_name").asText("");
        if (title.isBlank() || title.equals("New Game")) title = blank.title();
        return new StoryData(
                null,
                title,
                text.toString(),
                List.of(),
                root.path("memory").asText(""),
                note,
                wi,
                WorldInfoRules.defaults(),
                blank.sampling(),
                null,
                false,
                HistoryData.empty(),
                now,
                now,
                StorySummary.empty(),
                StoryChoices.empty());
    }

    /** Actions {"0": {...}, "1": ...} in numeric key order; each is its "Selected Text" (or a plain string). */
    private static void appendActionMap(StringBuilder text, JsonNode map, Path file) throws StoryFileException {
        List<String> keys = new ArrayList<>();
        map.fieldNames().forEachRemaining(keys::add);
        keys.sort((a, b) -> Integer.compare(parseIntOr(a), parseIntOr(b)));
        for (String k : keys) {
            JsonNode a = map.get(k);
            if (a.isTextual()) text.append(a.asText());
            else if (a.isObject()) text.append(a.path("Selected Text").asText(""));
            else
                throw new StoryFileException(
                        file, "action " + k + " is neither text nor an object with \"Selected Text\"");
        }
    }

    /**
     * The flat list of KoboldAI, KoboldAI Lite and KoboldCpp: key / keysecondary / keyanti as "a, b"
     * text; the folder is Lite's {@code wigroup} name, or the client's {@code folder} uid named in
     * {@code wifolders_d}; Lite's {@code widisabled} keeps an entry disabled. Lite applies
     * keysecondary and keyanti only to a selective entry, and so does Longform: the anti-keys of a
     * non-selective entry are kept, inactive, as Lite keeps them.
     */
    private static List<WorldInfoEntry> worldInfoV1(JsonNode root) {
        List<WorldInfoEntry> wi = new ArrayList<>();
        JsonNode w = root.get("worldinfo");
        if (w == null || !w.isArray()) return wi;
        JsonNode folders = root.path("wifolders_d");
        for (JsonNode e : w) {
            String content = e.path("content").asText("");
            String key = keysText(e.get("key"));
            if (content.isBlank() && key.isBlank()) continue; // Kobold saves a trailing empty "folder" entry
            String folder = e.path("wigroup").asText("");
            if (folder.isBlank() && e.hasNonNull("folder")) {
                String uid = e.get("folder").asText();
                folder = folders.path(uid).path("name").asText(uid);
            }
            boolean disabled = e.path("widisabled").asBoolean(false)
                    || e.has("enabled") && !e.path("enabled").asBoolean(true);
            wi.add(new WorldInfoEntry(
                    WorldInfoEntry.splitKeys(key),
                    WorldInfoEntry.splitKeys(keysText(e.get("keysecondary"))),
                    WorldInfoEntry.splitKeys(keysText(e.get("keyanti"))),
                    content,
                    e.path("comment").asText("").strip(),
                    folder,
                    e.path("constant").asBoolean(false),
                    e.path("selective").asBoolean(false),
                    !disabled));
        }
        return wi;
    }

    /**
     * KoboldAI United's {@code worldinfo_v2}: {"folders": {"root": [uid, ...], "Name": [...]},
     * "entries": {"uid": {"key": [...], "keysecondary": [...], "content", "title", "comment",
     * "folder", "constant", "selective", "type"}}}, in folder order, then any entry no folder lists.
     * United's "root" is no folder; its title goes before the comment. United is selective whenever
     * an entry has secondary keys; it has no anti-keys, but Lite reads a {@code keyanti} list here,
     * so it is read too.
     */
    private static List<WorldInfoEntry> worldInfoV2(JsonNode v2) {
        JsonNode entries = v2.get("entries");
        List<String> order = new ArrayList<>();
        JsonNode folders = v2.path("folders");
        folders.fieldNames().forEachRemaining(f -> {
            for (JsonNode uid : folders.get(f)) {
                if (entries.has(uid.asText()) && !order.contains(uid.asText())) order.add(uid.asText());
            }
        });
        List<String> rest = new ArrayList<>();
        entries.fieldNames().forEachRemaining(k -> {
            if (!order.contains(k)) rest.add(k);
        });
        rest.sort((a, b) -> Integer.compare(parseIntOr(a), parseIntOr(b)));
        order.addAll(rest);
        List<WorldInfoEntry> wi = new ArrayList<>();
        for (String uid : order) {
            JsonNode e = entries.get(uid);
            String content = e.path("content").asText("");
            if (content.isBlank()) content = e.path("manual_text").asText("");
            String folder = e.path("folder").asText("root");
            boolean constant = e.path("constant").asBoolean(false)
                    || "constant".equals(e.path("type").asText(""));
            boolean disabled = e.path("disabled").asBoolean(false)
                    || e.has("enabled") && !e.path("enabled").asBoolean(true);
            wi.add(new WorldInfoEntry(
                    WorldInfoEntry.splitKeys(keysText(e.get("key"))),
                    WorldInfoEntry.splitKeys(keysText(e.get("keysecondary"))),
                    WorldInfoEntry.splitKeys(keysText(e.get("keyanti"))),
                    content,
                    comment(e.path("comment").asText(""), e.path("title").asText("")),
                    "root".equals(folder) ? "" : folder,
                    constant,
                    e.path("selective").asBoolean(false)
                            || !keysText(e.get("keysecondary")).isBlank(),
                    !disabled));
        }
        return wi;
    }

    /** Keys as "a, b" whether saved as text or as a list. */
    private static String keysText(JsonNode k) {
        if (k == null || k.isNull()) return "";
        if (!k.isArray()) return k.asText("");
        List<String> out = new ArrayList<>();
        for (JsonNode s : k) out.add(s.asText());
        return String.join(", ", out);
    }

    private static String comment(String comment, String title) {
        List<String> parts = new ArrayList<>();
        if (!title.isBlank() && !title.equals(comment)) parts.add(title.strip());
        if (!comment.isBlank()) parts.add(comment.strip());
        return String.join(" ", parts);
    }

    private static int parseIntOr(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }
}
