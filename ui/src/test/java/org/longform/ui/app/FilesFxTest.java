package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.Test;
import org.longform.ui.panels.ModelPanel;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.StoryFile;

/** Autosave, reopening, importing and bad files, through the running app. */
class FilesFxTest extends FxTestBase {
    @Test
    void autosaveWritesTheStoryAndReopeningRestoresItWithHistory() throws Exception {
        waitForModel();
        Path file = fx(() -> story().fileProperty().get());
        clickOn(".story-editor");
        write("A quiet morning.");
        interact(() -> story().memoryProperty().set("Village life."));
        push(KeyCode.CONTROL, KeyCode.ENTER);
        waitFor("generation", () -> text().endsWith("hills."));
        String expected = text();
        waitFor("autosaved to " + file, () -> {
            try {
                return Files.exists(file) && StoryFile.read(file).text().equals(expected);
            } catch (Exception e) {
                return false;
            }
        });
        StoryData saved = StoryFile.read(file);
        assertEquals("Village life.", saved.memory());
        assertEquals(1, saved.generated().size());
        assertFalse(fx(() -> window.store().versions(saved.id()).isEmpty()), "a history version was kept");

        // Close the tab and open the file again: same text, and undo still works across the reopen.
        closeAndReopen(file);
        assertEquals(expected, text());
        assertEquals("Village life.", fx(() -> story().memoryProperty().get()));
        clickOn(".story-editor");
        push(KeyCode.CONTROL, KeyCode.Z);
        assertEquals("A quiet morning.", text(), "the generation is undoable after reopening");
    }

    @Test
    void importsAKoboldAiStoryIntoANewTab() throws Exception {
        waitForModel();
        Path json = config.resolve("lighthouse.json");
        try (var in = getClass().getResourceAsStream("/kobold-story.json")) {
            Files.copy(in, json);
        }
        interact(() -> window.files().open(json));
        waitFor(
                "imported",
                () -> window.stories().size() == 2
                        && window.active().titleProperty().get().equals("lighthouse"));
        StorySession s = story();
        assertTrue(text().startsWith("The lighthouse keeper had not spoken"));
        assertEquals(
                "Setting: a storm-battered island off the coast of Maine, 1890s.",
                fx(() -> s.memoryProperty().get()));
        assertEquals("Mood: lonely, eerie.", fx(() -> s.noteTextProperty().get()));
        assertEquals(2, fx(() -> s.worldInfo().size()));
        Path saved = fx(() -> s.fileProperty().get());
        assertTrue(
                saved.getFileName().toString().endsWith(".longform"),
                "imported as a new story with its own file, the JSON untouched");
        waitFor("saved", () -> Files.exists(saved));
        // The import drives the prompt: its world info fires on "keeper".
        waitFor(
                "prompt",
                () -> s.promptProperty().get() != null
                        && s.promptProperty().get().worldInfoTokens() > 0);
    }

    @Test
    void aBrokenFileGetsAClearMessageAndNothingIsLost() throws Exception {
        waitForModel();
        clickOn(".story-editor");
        write("Precious words.");
        Path bad = config.resolve("broken.longform");
        Files.writeString(bad, "{\"format\": \"longform-story\", \"version\": 1, \"text\": ");
        interact(() -> window.files().open(bad));
        waitFor("notice", () -> window.notice().message().contains("broken.longform"));
        String msg = fx(() -> window.notice().message());
        assertTrue(msg.contains(bad.toString()) && msg.contains("not valid JSON"), msg);
        assertEquals(1, fx(() -> window.stories().size()));
        assertEquals("Precious words.", text());
    }

    @Test
    void theDemoModelIsLabelledPlainly() {
        waitForModel();
        interact(() -> {
            fake.demo = true;
            window.model().set(fake);
        });
        var notice = fx(() -> window.scene().lookup("#demo-notice"));
        assertTrue(fx(notice::isVisible));
        assertEquals(ModelPanel.DEMO_NOTICE, fx(() -> ((Label) notice).getText()));
        assertTrue(ModelPanel.DEMO_NOTICE.contains("mosaicml/mpt-7b-storywriter"));
    }
}
