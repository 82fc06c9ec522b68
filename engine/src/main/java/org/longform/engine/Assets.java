package org.longform.engine;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds Longform's bundled assets (demo model, tokenizer, presets): {@code -Dlongform.home=DIR}
 * (set by bin/longform and the installers) or the nearest folder above the running jar that has
 * an {@code assets/} folder.
 */
public final class Assets {
    private Assets() {}

    public static Path home() {
        Path h = SystemOptions.home();
        if (h != null) return h.toAbsolutePath().normalize();
        try {
            Path p = Path.of(Assets.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toAbsolutePath();
            for (; p != null; p = p.getParent()) if (Files.isDirectory(p.resolve("assets"))) return p;
        } catch (URISyntaxException | SecurityException | NullPointerException ignored) {
            // fall through to the working directory
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("assets").resolve("models"))) return p;
        }
        return Path.of("").toAbsolutePath();
    }

    public static Path dir() {
        return home().resolve("assets");
    }

    /** The embedded demo model (small, trained on public-domain novels). */
    public static Path demoModel() {
        return dir().resolve("models").resolve("mpt-demo");
    }

    /** GPT-NeoX-20B's tokenizer.json, which StoryWriter uses. */
    public static Path tokenizer() {
        return dir().resolve("tokenizer").resolve("tokenizer.json");
    }
}
