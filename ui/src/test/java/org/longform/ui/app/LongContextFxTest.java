package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import javafx.application.Platform;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.longform.engine.Assets;
import org.longform.ui.TestSupport;
import org.longform.ui.gen.EngineTextGenerator;
import org.longform.ui.story.StoryData;

/**
 * The editor's long-context machinery on the real engine and the demo model: the cache is warmed
 * in the background with its progress shown, the status bar says which mode the cache is in and what
 * the next generation recomputes, and a story reopened in a new app instance maps its saved cache
 * back and generates with nothing recomputed.
 */
class LongContextFxTest extends FxTestBase {
    @Override
    AppConfig appConfig() {
        return new AppConfig(
                config,
                AppConfig.daemon("test-model"),
                AppConfig.daemon("test-io"),
                Platform::runLater,
                dir -> EngineTextGenerator.open(dir, 0),
                Assets.demoModel(),
                Duration.ofMillis(200),
                Duration.ofMillis(50),
                ProcessHandle.current().pid());
    }

    static String opening() throws IOException {
        Path p = TestSupport.home().resolve("replay/stories/christmas-carol-opening.txt");
        return Files.readString(p).substring(0, 3000);
    }

    void waitLong(String what, BooleanSupplier c) {
        TestSupport.waitOnFx(what, c, 180);
    }

    String genStatus() {
        return fx(() -> window.generation().statusProperty().get());
    }

    String cacheLine() {
        return fx(() -> window.cacheStatusLabel().getText());
    }

    String legend() {
        return fx(() -> window.contextBar().legendText());
    }

    List<String> watch() {
        List<String> seen = new CopyOnWriteArrayList<>();
        interact(() -> window.cacheKeeper().statusProperty().addListener((o, a, v) -> seen.add(v)));
        return seen;
    }

    /** A new app instance on the same folders opening {@code file}; its cache status lines from the start. */
    List<String> reopen(Path file) {
        List<String> seen = new CopyOnWriteArrayList<>();
        interact(() -> {
            window = new MainWindow(appConfig(), new Stage());
            window.cacheKeeper().statusProperty().addListener((o, a, v) -> seen.add(v));
            window.start(List.of("--open", file.toString()));
        });
        return seen;
    }

    @Test
    void theCacheIsWarmedShownAndMappedBackInANewAppInstance() throws Exception {
        waitForModel();
        List<String> seen = watch();
        String text = opening();
        interact(() -> {
            story().samplingProperty()
                    .set(StoryData.EDITOR_SAMPLER.withTemperature(0).withMaxTokens(8));
            story().editor().area().replaceText(text);
        });
        // Warming while the writer reads: progress (tokens done / total, rate), then an exact cache saved with the
        // story.
        waitLong(
                "warmed and saved",
                () -> seen.stream()
                        .anyMatch(s -> s.matches("Cache: exact, [0-9,]{3,} tokens · saved with the story.*")));
        assertTrue(
                seen.stream()
                        .anyMatch(s -> s.matches("Cache: warming: [0-9,]+ / [0-9,]{3,} tokens · [0-9.]+ tokens/s.*")),
                seen.toString());
        waitLong(
                "status bar: exact, nothing to recompute",
                () -> cacheLine().contains("Cache: exact")
                        && legend().matches(".*next generation recomputes 0(\\s.*)?"));
        clickOn("#btn-generate");
        waitLong(
                "generation", () -> !window.generation().generatingProperty().get() && text().length() > text.length());
        assertTrue(genStatus().contains("(0 recomputed"), "the warmed prompt: " + genStatus());
        waitLong("warmed after the generation and saved", () -> seen.getLast().contains("saved with the story"));
        Path file = fx(() -> story().fileProperty().get());
        String written = text();
        assertNotNull(file);

        // A new app instance on the same folders opens the story and maps its cache back.
        interact(() -> window.quit());
        List<String> again = reopen(file);
        waitForModel();
        waitLong("story open", () -> text().equals(written));
        waitLong(
                "cache restored and warm",
                () -> again.stream().anyMatch(s -> s.contains("restored"))
                        && again.getLast().contains("saved with the story"));
        waitLong("nothing to recompute", () -> legend().matches(".*next generation recomputes 0(\\s.*)?"));
        clickOn("#btn-generate");
        waitLong(
                "generation in the new instance",
                () -> !window.generation().generatingProperty().get() && text().length() > written.length());
        assertTrue(genStatus().contains("(0 recomputed"), "reopened: " + genStatus());
        Label l = fx(() -> window.cacheStatusLabel());
        // waited for, not read at once: right after a generation the keeper may already be warming or saving
        waitLong("cache exact after the generation", () -> fx(l::getText).startsWith("Cache: exact"));

        // A damaged saved cache never breaks opening the story: it is not used, and the story is read again.
        waitLong("saved after the generation", () -> again.getLast().contains("saved with the story"));
        String second = text();
        interact(() -> window.quit());
        Path kv = config.resolve("kv-cache");
        try (var files = Files.walk(kv)) {
            for (Path p : files.filter(p -> p.getFileName().toString().startsWith("pages-"))
                    .toList()) {
                byte[] b = Files.readAllBytes(p);
                for (int i = 0; i < b.length; i += 97) b[i] ^= 0x5A;
                Files.write(p, b);
            }
        }
        List<String> third = reopen(file);
        waitForModel();
        waitLong("story open", () -> text().equals(second));
        waitLong(
                "damaged cache refused, read again",
                () -> third.stream().anyMatch(s -> s.contains("saved cache not used"))
                        && third.getLast().contains("saved with the story"));
        clickOn("#btn-generate");
        waitLong(
                "generation after the damaged cache",
                () -> !window.generation().generatingProperty().get() && text().length() > second.length());
    }
}
