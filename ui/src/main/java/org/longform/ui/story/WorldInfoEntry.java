package org.longform.ui.story;

import java.util.Arrays;
import java.util.List;

/**
 * A lorebook entry: when a key (case-insensitive) appears in the recent story text its content goes
 * into the prompt. {@code selective} also needs one of the secondary keys; {@code constant} is
 * always inserted. Entries are tried in list order (top = highest priority) within the budget.
 */
public record WorldInfoEntry(
        List<String> keys,
        List<String> secondaryKeys,
        String content,
        String comment,
        boolean constant,
        boolean selective,
        boolean enabled) {
    public WorldInfoEntry {
        keys = keys == null ? List.of() : List.copyOf(keys);
        secondaryKeys = secondaryKeys == null ? List.of() : List.copyOf(secondaryKeys);
        content = content == null ? "" : content;
        comment = comment == null ? "" : comment;
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
        return new WorldInfoEntry(keys, secondaryKeys, c, comment, constant, selective, enabled);
    }

    public WorldInfoEntry withEnabled(boolean b) {
        return new WorldInfoEntry(keys, secondaryKeys, content, comment, constant, selective, b);
    }
}
