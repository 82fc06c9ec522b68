package org.longform.ui;

import org.longform.ui.gen.HfTokenizer;

import java.nio.file.Path;

/** Shared fixtures: the bundled GPT-NeoX tokenizer (loaded once) and project paths. */
public final class TestSupport {
    private static HfTokenizer tokenizer;

    private TestSupport() {}

    public static Path home() {
        String h = System.getProperty("longform.home");
        return h != null ? Path.of(h) : Path.of("..").toAbsolutePath().normalize();
    }

    public static synchronized HfTokenizer tokenizer() {
        if (tokenizer == null) tokenizer = HfTokenizer.load(home().resolve("assets/tokenizer/tokenizer.json"));
        return tokenizer;
    }

    public static Path tinyModel() {
        return home().resolve("engine/src/test/resources/fixtures/tiny-mpt-6h");
    }
}
