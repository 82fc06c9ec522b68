package org.longform.ui.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code bin/longform} without a subcommand asks of the editor: {@code [--open] STORY} and
 * {@code --model PATH}. Parsed before JavaFX starts, so a typo ({@code longform frobnicate}) or a
 * missing model is one line on the terminal instead of an editor window that ignores it.
 * Plain Java: the launcher uses it without touching a JavaFX class.
 */
public record EditorArgs(Path story, Path model) {
    /** Thrown for arguments the editor does not take; the message is one line for the terminal. */
    public static final class BadArgs extends IllegalArgumentException {
        public BadArgs(String message) {
            super(message);
        }
    }

    /**
     * @param commands the headless subcommands, to name when the first word is none of them
     * @throws BadArgs for an unknown word or option, a missing value, or a --model that does not exist
     */
    public static EditorArgs parse(List<String> args, List<String> commands) {
        Path story = null, model = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--open", "--model" -> {
                    if (i + 1 >= args.size()) throw new BadArgs(a + " needs a path after it");
                    Path p = Path.of(args.get(++i));
                    if (a.equals("--open")) story = p;
                    else model = p;
                }
                default -> {
                    if (a.startsWith("-"))
                        throw new BadArgs("unknown option '" + a + "'; the editor takes --open STORY"
                                + " and --model PATH (run 'longform help' for the commands)");
                    if (!looksLikeFile(a)) {
                        throw new BadArgs("unknown command '" + a + "'; the commands are " + String.join(", ", commands)
                                + "; without one the editor starts (--open STORY, --model PATH)");
                    }
                    story = Path.of(a);
                }
            }
        }
        if (model != null && !Files.exists(model)) {
            throw new BadArgs("--model " + model + ": no such model folder or GGUF file");
        }
        return new EditorArgs(story, model);
    }

    /** A bare word opens a story only when it is one: an existing file, or a name with a folder or an extension. */
    static boolean looksLikeFile(String a) {
        return Files.exists(Path.of(a)) || a.contains("/") || a.contains("\\") || a.lastIndexOf('.') > 0;
    }

    /**
     * Why the editor cannot open a window here, or null when it can: on Linux and the BSDs a window
     * needs an X11 or Wayland display. macOS and Windows always have one; Monocle (tests) needs none.
     */
    public static String noDisplay(Map<String, String> env, String osName, String glassPlatform) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.contains("mac") || os.contains("win") || "monocle".equalsIgnoreCase(glassPlatform)) return null;
        boolean x11 = !env.getOrDefault("DISPLAY", "").isBlank();
        if (x11 || !env.getOrDefault("WAYLAND_DISPLAY", "").isBlank()) return null;
        return "no display (DISPLAY is not set)";
    }

    /**
     * Why JavaFX could not start its window system, from what it threw, or null when the failure is
     * something else: a display set but unusable (a closed ssh -X tunnel, a dead Xvfb), or, on Linux,
     * no GTK 3 to draw with (a minimal install).
     */
    public static String windowSystemFailure(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (m.contains("DISPLAY")) return m;
            if (m.contains("GTK")) return m + " (the editor needs GTK 3 on Linux: e.g. apt install libgtk-3-0)";
        }
        return null;
    }

    /** The one line the launcher prints when the editor cannot open a window. */
    public static String needsDisplay(String why, List<String> commands) {
        return "the editor needs a display: " + why + ". These commands run without one: "
                + String.join(", ", commands);
    }
}
