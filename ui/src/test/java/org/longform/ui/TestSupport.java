package org.longform.ui;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import org.longform.engine.token.Tokenizer;
import org.longform.ui.gen.TokenCounter;
import org.testfx.util.WaitForAsyncUtils;

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
                @Override
                public int[] encode(String text) {
                    return t.encode(text);
                }

                @Override
                public String decode(int[] ids) {
                    return t.decode(ids);
                }
            };
        }
        return tokenizer;
    }

    /** Runs c on the FX thread and returns its result; a failure becomes an AssertionError. */
    public static <T> T onFx(Callable<T> c) {
        try {
            return WaitForAsyncUtils.asyncFx(c).get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Waits (off the FX thread) until the condition, evaluated on the FX thread, holds; fails after the timeout. */
    public static void waitOnFx(String what, BooleanSupplier condition, long timeoutSeconds) {
        long end = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            if (onFx(condition::getAsBoolean)) return;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what);
            }
        }
        throw new AssertionError("timed out waiting for: " + what);
    }

    public static Path tinyModel() {
        return home().resolve("engine/src/test/resources/fixtures/tiny-mpt-6h");
    }
}
