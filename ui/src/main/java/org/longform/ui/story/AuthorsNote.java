package org.longform.ui.story;

/**
 * Author's note: {@code template} with "<|>" replaced by {@code text}, inserted {@code depth} tokens
 * before the end of the story in the prompt (close to the end, so it steers strongly, but after the
 * stable parts, so the KV cache before it stays reusable).
 */
public record AuthorsNote(String text, String template, int depth) {
    public static final String DEFAULT_TEMPLATE = "[Author's note: <|>]";
    public static final int DEFAULT_DEPTH = 100;

    public AuthorsNote {
        text = text == null ? "" : text;
        template = template == null || template.isBlank() ? DEFAULT_TEMPLATE : template;
        if (depth < 0) throw new IllegalArgumentException("author's note depth must be >= 0 tokens, got " + depth);
    }

    public static AuthorsNote empty() {
        return new AuthorsNote("", DEFAULT_TEMPLATE, DEFAULT_DEPTH);
    }

    /** The note as it goes into the prompt, or "" if there is no note. */
    public String rendered() {
        if (text.isBlank()) return "";
        String body = template.contains("<|>") ? template.replace("<|>", text.strip()) : template + " " + text.strip();
        return "\n" + body + "\n";
    }
}
