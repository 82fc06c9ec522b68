package org.longform.ui.story;

import java.util.ArrayList;
import java.util.List;

/**
 * How world info is chosen: keys are searched in the last {@code scanChars} characters; entries
 * fill at most {@code budgetTokens}; the entries of a folder named in {@code disabledFolders} stay
 * out (their own enabled flags are kept, so switching the folder back on restores each of them).
 */
public record WorldInfoRules(int scanChars, int budgetTokens, List<String> disabledFolders) {
    public WorldInfoRules {
        if (scanChars < 0) throw new IllegalArgumentException("scan range must be >= 0 characters");
        if (budgetTokens < 0) throw new IllegalArgumentException("world info budget must be >= 0 tokens");
        disabledFolders = disabledFolders == null
                ? List.of()
                : disabledFolders.stream()
                        .map(String::strip)
                        .filter(f -> !f.isEmpty())
                        .distinct()
                        .toList();
    }

    /** All folders on. */
    public WorldInfoRules(int scanChars, int budgetTokens) {
        this(scanChars, budgetTokens, List.of());
    }

    public static WorldInfoRules defaults() {
        return new WorldInfoRules(3000, 512);
    }

    public boolean folderEnabled(String folder) {
        return folder == null || folder.isBlank() || !disabledFolders.contains(folder.strip());
    }

    public WorldInfoRules withScan(int chars, int tokens) {
        return new WorldInfoRules(chars, tokens, disabledFolders);
    }

    /** These rules with {@code folder} switched on or off. */
    public WorldInfoRules withFolder(String folder, boolean on) {
        if (folder == null || folder.isBlank() || folderEnabled(folder) == on) return this;
        List<String> next = new ArrayList<>(disabledFolders);
        if (on) next.remove(folder.strip());
        else next.add(folder.strip());
        return new WorldInfoRules(scanChars, budgetTokens, next);
    }
}
