package org.longform.ui.prompt;

/** Why a world-info entry is or is not in the prompt, for the panel. */
public record WorldInfoStatus(int index, State state, String key, int tokens) {
    public enum State {
        ACTIVE,
        DISABLED,
        NOT_TRIGGERED,
        OVER_BUDGET
    }

    public String describe() {
        return switch (state) {
            case ACTIVE ->
                "in prompt: " + (key.equals("(constant)") ? "constant" : "key \"" + key + "\"") + ", " + tokens
                        + " tokens";
            case DISABLED -> "disabled";
            case NOT_TRIGGERED -> "not triggered (no key in the recent text)";
            case OVER_BUDGET -> "skipped: over the world info budget (" + tokens + " tokens)";
        };
    }
}
