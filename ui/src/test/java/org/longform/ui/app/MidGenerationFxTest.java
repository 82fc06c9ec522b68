package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import javafx.scene.control.TabPane;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import org.junit.jupiter.api.Test;
import org.longform.ui.story.StoryFile;

/**
 * What the writer does while tokens stream: types in another story, closes the streaming story,
 * switches the model. The stream lands only in its own story at its anchor; nothing is lost, no
 * thread is left behind.
 */
class MidGenerationFxTest extends FxTestBase {
    static final String SCRIPT =
            " one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen";

    @Override
    String[] scripts() {
        return new String[] {SCRIPT};
    }

    /** Per token once a test's stream starts: the first token shows, the rest wait, even on a loaded box. */
    static final long SLOW = 3000;

    @Override
    long tokenDelayMs() {
        return 0;
    }

    @Test
    void typingInAnotherStoryWhileTokensStreamKeepsBoth() {
        waitForModel();
        clickOn(".story-editor");
        write("Count:");
        StorySession streaming = story();
        fake.delayMs = SLOW; // each token waits: whatever the test does next lands mid-stream
        push(KeyCode.CONTROL, KeyCode.ENTER);
        waitFor("streaming", () -> streaming.editor().text().length() >= "Count: one".length());
        push(KeyCode.CONTROL, KeyCode.N); // a new story while the first one streams
        waitFor("new tab", () -> window.active() != streaming);
        clickOn(".story-editor");
        assertTrue(typeWhileStreaming(story(), 0, "Elsewhere."), "typed while the other story streams");
        fake.delayMs = 0;
        waitFor("done", () -> !window.generation().generatingProperty().get());
        assertEquals("Count:" + SCRIPT, fx(() -> streaming.editor().text()), "the stream landed at its anchor");
        assertEquals("Elsewhere.", text(), "what was typed elsewhere is kept");
    }

    @Test
    void typingIntoTheStreamingStoryNeverCorruptsTheStream() {
        waitForModel();
        clickOn(".story-editor");
        write("Count:");
        fake.delayMs = SLOW; // each token waits: whatever the test does next lands mid-stream
        push(KeyCode.CONTROL, KeyCode.ENTER);
        waitFor("streaming", () -> text().length() >= "Count: one".length());
        assertTrue(typeWhileStreaming(story(), 0, "xyz"), "typed while streaming");
        fake.delayMs = 0;
        waitFor("done", () -> !window.generation().generatingProperty().get());
        assertEquals("Count:" + SCRIPT, text(), "keys typed while streaming are refused, not mixed in");
        assertTrue(fx(() -> story().editor().area().isEditable()), "editable again after the stream");
        typeWhileStreaming(story(), 0, "xyz"); // the same keys after the stream: they land (the check can fail)
        assertEquals("xyzCount:" + SCRIPT, text());
    }

    /**
     * Types {@code keys} at {@code pos} in {@code s} as key events, in one FX pulse, so that
     * "mid-stream" is certain on a slow machine. Returns whether a generation was streaming then.
     */
    private boolean typeWhileStreaming(StorySession s, int pos, String keys) {
        return fx(() -> {
            boolean streaming = window.generation().generatingProperty().get();
            var area = s.editor().area();
            area.moveTo(pos);
            for (char c : keys.toCharArray())
                area.fireEvent(new KeyEvent(
                        KeyEvent.KEY_TYPED, String.valueOf(c), "", KeyCode.UNDEFINED, false, false, false, false));
            return streaming;
        });
    }

    @Test
    void closingTheStreamingStoryCancelsItAndWritesNothingElsewhere() throws Exception {
        waitForModel();
        clickOn(".story-editor");
        write("First:");
        StorySession first = story();
        Path firstFile = fx(() -> first.fileProperty().get());
        interact(() -> window.newStory());
        StorySession second = story();
        interact(() -> selectTab(first));
        fake.delayMs = SLOW; // each token waits: whatever the test does next lands mid-stream
        push(KeyCode.CONTROL, KeyCode.ENTER);
        waitFor("streaming", () -> first.editor().text().length() >= "First: one".length());
        push(KeyCode.CONTROL, KeyCode.W); // close the streaming story
        assertFalse(fx(() -> window.generation().generatingProperty().get()), "cancelled at once");
        assertSame(second, story());
        String partial = fx(() -> first.editor().text());
        assertTrue(partial.startsWith("First: one") && partial.length() < ("First:" + SCRIPT).length(), partial);
        sleep(SLOW + 500); // a late token would have arrived by now
        assertEquals("", text(), "nothing streamed into the other tab");
        assertEquals(partial, fx(() -> first.editor().text()));
        waitFor("saved on close", () -> {
            try {
                return StoryFile.read(firstFile).text().equals(partial);
            } catch (Exception e) {
                return false;
            }
        });
        // the engine is free: the other story generates
        fake.delayMs = 0;
        clickOn(".story-editor");
        push(KeyCode.CONTROL, KeyCode.ENTER);
        waitFor("generated", () -> !window.generation().generatingProperty().get() && text().equals(SCRIPT));
    }

    @Test
    void switchingModelsMidGenerationCancelsThenSwitches() {
        waitForModel();
        int before = modelThreads();
        var firstModel = fx(() -> window.model().get());
        clickOn(".story-editor");
        write("Count:");
        fake.delayMs = SLOW; // each token waits: whatever the test does next lands mid-stream
        push(KeyCode.CONTROL, KeyCode.ENTER);
        waitFor("streaming", () -> text().length() >= "Count: one".length());
        interact(() -> window.loadModel(Path.of("fake-model")));
        assertFalse(fx(() -> window.generation().generatingProperty().get()), "stopped before the switch");
        String partial = text();
        waitFor(
                "switched",
                () -> !window.model().loadingProperty().get() && window.model().get() != null);
        assertSame(firstModel, fx(() -> window.model().get()), "the test loader hands out one fake");
        sleep(SLOW + 500); // a late token would have arrived by now
        assertEquals(partial, text(), "no token after the switch");
        assertTrue(partial.length() < ("Count:" + SCRIPT).length(), "the switch did not wait for the whole stream");
        assertEquals(before, modelThreads(), "no model thread leaked");
        fake.delayMs = 0;
        push(KeyCode.CONTROL, KeyCode.ENTER); // and the next generation works
        waitFor(
                "generated again",
                () -> !window.generation().generatingProperty().get() && text().endsWith("sixteen"));
    }

    private static int modelThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("test-model") && t.isAlive())
                .count();
    }

    private void selectTab(StorySession s) {
        TabPane tabs = (TabPane) window.scene().lookup("#stories");
        tabs.getTabs().stream()
                .filter(t -> window.stories().indexOf(s) == tabs.getTabs().indexOf(t))
                .findFirst()
                .ifPresent(t -> tabs.getSelectionModel().select(t));
    }
}
