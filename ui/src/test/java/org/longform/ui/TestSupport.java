package org.longform.ui;

import org.longform.engine.token.Tokenizer;
import org.longform.ui.gen.TokenCounter;

import java.nio.file.Path;

/** Shared fixtures: the bundled GPT-NeoX tokenizer (loaded once) and project paths. */
public final class TestSupport {
    private static TokenCounter tokenizer;

    private TestSupport() {}

    public static Path home() {
        String h = System.getProperty("longform.home");
        return h != null ? Path.of(h) : Path.of("..").toAbsolutePath().normalize();
    }

    /** The engine's tokenizer on the bundled GPT-NeoX-20B tokenizer.json (what the models use). */
    public static synchronized TokenCounter tokenizer() {
        if (tokenizer == null) {
            Tokenizer t = Tokenizer.load(home().resolve("assets/tokenizer/tokenizer.json"));
            tokenizer = new TokenCounter() {
                @Override public int[] encode(String text) { return t.encode(text); }
                @Override public String decode(int[] ids) { return t.decode(ids); }
            };
        }
        return tokenizer;
    }

    public static Path tinyModel() {
        return home().resolve("engine/src/test/resources/fixtures/tiny-mpt-6h");
    }
}
