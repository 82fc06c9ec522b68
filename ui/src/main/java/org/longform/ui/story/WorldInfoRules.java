package org.longform.ui.story;

/** How world info is chosen: keys are searched in the last {@code scanChars} characters; entries fill at most {@code budgetTokens}. */
public record WorldInfoRules(int scanChars, int budgetTokens) {
    public WorldInfoRules {
        if (scanChars < 0) throw new IllegalArgumentException("scan range must be >= 0 characters");
        if (budgetTokens < 0) throw new IllegalArgumentException("world info budget must be >= 0 tokens");
    }

    public static WorldInfoRules defaults() {
        return new WorldInfoRules(3000, 512);
    }
}
