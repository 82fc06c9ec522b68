package org.longform.ui.story;

import java.util.Arrays;
import java.util.List;

/**
 * A lorebook entry: when a key (case-insensitive) appears in the recent story text its content goes
 * into the prompt. A {@code selective} entry also applies its other two lists, as KoboldAI Lite
 * does: it needs one of the secondary keys too (when it has any), and it stays out when any of its
 * anti-keys appears. {@code constant} is always inserted. {@code folder} groups entries ("" = none);
 * a folder switched off in {@link WorldInfoRules} switches its entries off. Entries are tried in
 * list order (top = highest priority) within the budget.
 */
public record WorldInfoEntry(
        List<String> keys,
        List<String> secondaryKeys,
        List<String> antiKeys,
        String content,
        String comment,
        String folder,
        boolean constant,
        boolean selective,
        boolean enabled) {
    public WorldInfoEntry {
        keys = keys == null ? List.of() : List.copyOf(keys);
        secondaryKeys = secondaryKeys == null ? List.of() : List.copyOf(secondaryKeys);
        antiKeys = antiKeys == null ? List.of() : List.copyOf(antiKeys);
        content = content == null ? "" : content;
        comment = comment == null ? "" : comment;
        folder = folder == null ? "" : folder.strip();
    }

    /** An entry with no anti-keys, in no folder. */
    public WorldInfoEntry(
            List<String> keys,
            List<String> secondaryKeys,
            String content,
            String comment,
            boolean constant,
            boolean selective,
            boolean enabled) {
        this(keys, secondaryKeys, List.of(), content, comment, "", constant, selective, enabled);
    }

    public static WorldInfoEntry of(String keysCsv, String content) {
        return new WorldInfoEntry(splitKeys(keysCsv), List.of(), content, "", false, false, true);
    }

    /** "Anna, Karenina ,, x" -> [Anna, Karenina, x] */
    public static List<String> splitKeys(String csv) {
        if (csv == null) return List.of();
        return Arrays.stream(csv.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    public WorldInfoEntry withContent(String c) {
        return new WorldInfoEntry(keys, secondaryKeys, antiKeys, c, comment, folder, constant, selective, enabled);
    }

    public WorldInfoEntry withEnabled(boolean b) {
        return new WorldInfoEntry(keys, secondaryKeys, antiKeys, content, comment, folder, constant, selective, b);
    }

    public WorldInfoEntry withFolder(String f) {
        return new WorldInfoEntry(keys, secondaryKeys, antiKeys, content, comment, f, constant, selective, enabled);
    }
}
