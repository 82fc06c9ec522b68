package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.control.CheckBox;
import org.junit.jupiter.api.Test;
import org.longform.engine.runtime.Session;
import org.longform.ui.TestSupport;

/** bin/longform --open FILE with a .txt: imported as a new story; plus the app's other startup/preferences paths. */
class OpenArgsFxTest extends FxTestBase {
    static Path txt;

    @Override
    List<String> args() {
        try {
            txt = Files.createTempFile("chapter", ".txt");
            Files.writeString(txt, "CHAPTER I\n\nThe carriage stopped at the gate.");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return List.of("--open", txt.toString());
    }

    @Test
    void openArgumentImportsTextAsANewStory() {
        waitFor(
                "opened",
                () -> window.active() != null && window.active().editor().text().startsWith("CHAPTER I"));
        assertEquals(1, fx(() -> window.stories().size()), "no extra blank story when a file is given");
        Path file = fx(() -> story().fileProperty().get());
        assertTrue(file.startsWith(config.resolve("stories")), "the import gets a library file: " + file);
        assertTrue(fx(() -> window.prefs()
                .recent()
                .contains(txt.toAbsolutePath().normalize().toString())));
    }

    @Test
    void generateAtTheCursorInsertsThere() {
        waitForModel();
        waitFor("opened", () -> window.active().editor().text().startsWith("CHAPTER I"));
        interact(() -> {
            story().generateAtCursorProperty().set(true);
            story().editor().area().moveTo("CHAPTER I\n\n".length());
        });
        clickOn("#btn-generate");
        waitFor("generated", () -> !window.generation().generatingProperty().get() && text().contains("hills."));
        assertEquals("CHAPTER I\n\n The wolves came down from the hills.The carriage stopped at the gate.", text());
        assertEquals(
                "CHAPTER I\n\n",
                TestSupport.tokenizer().decode(fake.lastPrompt()),
                "only the text before the cursor is the prompt");
    }

    @Test
    void themeAndReuseModePersistAndThePromptIsTheModelsWindow() throws Exception {
        waitForModel();
        clickOn("View").clickOn("Dark theme");
        assertTrue(fx(() -> window.scene().getStylesheets().stream().anyMatch(s -> s.endsWith("dark.css"))));
        // One setting for the window: the engine's (the fake model's), not a second prompt size in the UI.
        assertNull(fx(() -> window.scene().lookup("#context-size")), "no second context-size setting");
        int w = fx(() -> window.model().get().info().contextWindow());
        waitFor(
                "bar uses the model's window",
                () -> window.contextBar().legendText().contains(String.format("of %d tokens", w)));
        interact(() -> ((CheckBox) window.scene().lookup("#approx-reuse")).setSelected(true));
        waitFor("prefs saved", () -> {
            Prefs p = Prefs.load(config.resolve("prefs.json"));
            return p.theme().equals("dark") && p.approximateReuse();
        });
        assertEquals(Session.Reuse.APPROXIMATE, fx(() -> window.generation().reuse()));
    }

    @Test
    void aModelThatCannotBeLoadedIsReportedPlainly() throws Exception {
        waitForModel();
        Path bad = config.resolve("broken-model");
        Files.createDirectories(bad);
        Files.writeString(bad.resolve("config.json"), "{\"d_model\": ");
        interact(() -> window.loadModel(bad));
        waitFor("error shown", () -> window.notice().message().contains("config.json"));
        String msg = fx(() -> window.notice().message());
        assertTrue(msg.startsWith("Cannot load the model in " + bad), msg);
        assertEquals("fake", fx(() -> window.model().infoProperty().get().name()), "the working model stays loaded");
        assertNotNull(fx(() -> window.model().get()));
    }
}
