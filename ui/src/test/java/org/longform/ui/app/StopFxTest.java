package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.Test;

/** Stop (Esc) ends the generation at once, keeps what arrived, and drops late tokens. */
class StopFxTest extends FxTestBase {
    @Override
    String[] scripts() {
        return new String[] {
            " one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty"
        };
    }

    @Override
    long tokenDelayMs() {
        return 60;
    }

    @Test
    void escapeStopsMidStream() {
        waitForModel();
        clickOn(".story-editor");
        write("Count:");
        push(KeyCode.CONTROL, KeyCode.ENTER);
        waitFor("some tokens streamed", () -> text().length() > "Count: one two".length());
        push(KeyCode.ESCAPE);
        assertFalse(fx(() -> window.generation().generatingProperty().get()), "stopped at once");
        String stopped = text();
        assertTrue(
                stopped.startsWith("Count: one two") && stopped.length() < "Count:".length() + scripts()[0].length(),
                stopped);
        sleep(400);
        assertEquals(stopped, text(), "no tokens arrive after Stop");
        assertTrue(fx(() -> story().editor().area().isEditable()), "editor is editable again");
        push(KeyCode.CONTROL, KeyCode.Z);
        assertEquals("Count:", text(), "the partial generation is one undo step");
    }

    @Test
    void streamingBatchesTokensIntoFewUpdates() {
        waitForModel();
        fake.delayMs = 0;
        clickOn(".story-editor");
        write("Count:");
        push(KeyCode.CONTROL, KeyCode.ENTER);
        waitFor("done", () -> !window.generation().generatingProperty().get() && text().endsWith("twenty"));
        assertEquals("Count:" + scripts()[0], text());
    }
}
