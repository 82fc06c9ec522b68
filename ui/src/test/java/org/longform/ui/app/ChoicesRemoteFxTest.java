package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import javafx.scene.control.Label;
import org.junit.jupiter.api.Test;

/**
 * A generator that reports no alternatives (a remote server; here the scripted fake): the pop-up says so
 * instead of listing anything, and retrying the span still works.
 */
class ChoicesRemoteFxTest extends FxTestBase {
    String message() {
        return fx(() ->
                ((Label) window.choices().popup().getContent().getFirst().lookup("#alternatives-message")).getText());
    }

    @Test
    void thePopUpSaysTheServerGaveNoAlternatives() {
        waitForModel();
        interact(() -> story().editor().area().replaceText("The night was cold."));
        interact(() -> window.generation().generate(story()));
        waitFor("generated", () -> !window.generation().generatingProperty().get() && text().length() > 19);
        String first = text();
        interact(() -> {
            story().editor().area().moveTo(25);
            window.choices().showAtCaret(story());
        });
        waitFor("pop-up", () -> window.choices().popup().isShowing());
        assertTrue(message().contains("did not report alternatives"), message());
        interact(() -> window.choices().popup().hide());

        // Retry this span: the fake's next script replaces it; one undo brings the first back.
        interact(() -> window.actions().get("retry-span").run());
        waitFor("retried", () -> !window.generation().generatingProperty().get() && !text().equals(first));
        assertEquals("The night was cold. Snow fell on the empty road.", text());
        interact(() -> story().editor().undo());
        assertEquals(first, text());
    }
}
