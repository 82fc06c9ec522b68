package org.longform.ui.prompt;

/**
 * Why a world-info entry is or is not in the prompt, for the panel. {@code key} is the word that
 * decided: the key that fired (ACTIVE, OVER_BUDGET, NO_SECONDARY), the anti-key found (EXCLUDED) or
 * the folder switched off (FOLDER_OFF); null otherwise.
 */
public record WorldInfoStatus(int index, State state, String key, int tokens) {
    public enum State {
        ACTIVE,
        DISABLED,
        FOLDER_OFF,
        NOT_TRIGGERED,
        NO_SECONDARY,
        EXCLUDED,
        OVER_BUDGET
    }

    public String describe() {
        return switch (state) {
            case ACTIVE ->
                "in prompt: " + (key.equals(WorldInfoScanner.CONSTANT) ? "constant" : "key \"" + key + "\"") + ", "
                        + tokens + " tokens";
            case DISABLED -> "disabled";
            case FOLDER_OFF -> "off: its folder \"" + key + "\" is switched off";
            case NOT_TRIGGERED -> "not triggered (no key in the recent text)";
            case NO_SECONDARY -> "not triggered: key \"" + key + "\" found, but no secondary key";
            case EXCLUDED -> "excluded: anti-key \"" + key + "\" is in the recent text";
            case OVER_BUDGET -> "skipped: over the world info budget (" + tokens + " tokens)";
        };
    }
}
