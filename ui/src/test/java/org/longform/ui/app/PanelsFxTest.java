package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.TabPane;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.Test;
import org.longform.ui.TestSupport;
import org.longform.ui.prompt.WorldInfoStatus;

/** The side panels drive the story: presets and sampler fields, world info entries, memory. */
class PanelsFxTest extends FxTestBase {
    @Test
    void presetAndSamplerFieldsReachTheGenerator() {
        waitForModel();
        interact(() ->
                ((TabPane) window.scene().lookup("#side")).getSelectionModel().select(2));
        ComboBox<Presets.Preset> presets =
                fx(() -> (ComboBox<Presets.Preset>) window.scene().lookup("#presets"));
        interact(() -> presets.getSelectionModel()
                .select(presets.getItems().stream()
                        .filter(p -> p.name().equals("Deterministic"))
                        .findFirst()
                        .orElseThrow()));
        assertEquals(0.0, fx(() -> story().samplingProperty().get().temperature()));
        assertEquals(
                0.0,
                fx(() -> ((Spinner<Double>) window.scene().lookup("#temperature")).getValue()),
                "the panel shows the preset");
        interact(() -> ((Spinner<Integer>) window.scene().lookup("#max-tokens"))
                .getValueFactory()
                .setValue(3));
        clickOn("#seed").write("42");
        assertEquals(42L, fx(() -> story().samplingProperty().get().seed()));
        clickOn("#btn-generate");
        waitFor(
                "generation",
                () -> !window.generation().generatingProperty().get()
                        && fake.lastRequest != null
                        && text().length() > 0);
        assertEquals(3, fake.lastRequest.sampler().maxTokens());
        assertEquals(0.0, fake.lastRequest.sampler().temperature());
        assertEquals(42L, fake.lastRequest.sampler().seed());
        assertEquals(" The wolves came", text(), "max tokens honoured");
    }

    @Test
    void worldInfoEntryTypedInThePanelFiresOnItsKey() {
        waitForModel();
        interact(() -> story().editor().area().replaceText("Natasha opened the window."));
        interact(() ->
                ((TabPane) window.scene().lookup("#side")).getSelectionModel().select(1));
        clickOn("#wi-add");
        clickOn("#wi-keys").write("natasha");
        clickOn("#wi-content").write("Natasha is sixteen.");
        waitFor("entry in the prompt", () -> {
            var p = story().promptProperty().get();
            return p != null
                    && !p.worldInfo().isEmpty()
                    && p.worldInfo().getFirst().state() == WorldInfoStatus.State.ACTIVE;
        });
        int tokens = TestSupport.tokenizer().encode("Natasha is sixteen.\n").length;
        waitFor(
                "status label",
                () -> ((Label) window.scene().lookup("#wi-status"))
                        .getText()
                        .equals("Status: in prompt: key \"natasha\", " + tokens + " tokens"));
        // At depth the world info starts on its own line.
        int placed = TestSupport.tokenizer().encode("\nNatasha is sixteen.\n").length;
        assertEquals(placed, fx(() -> story().promptProperty().get().worldInfoTokens()));
    }

    @Test
    void memoryTypedInThePanelIsCountedInTheBar() {
        waitForModel();
        clickOn("#memory").write("A gothic tale.");
        int tokens = TestSupport.tokenizer().encode("A gothic tale.\n").length;
        waitFor("bar counts memory", () -> window.contextBar().legendText().startsWith("Memory " + tokens + " "));
        assertEquals("A gothic tale.", fx(() -> story().memoryProperty().get()));
    }

    @Test
    void undoKeysInAPanelFieldStayWithTheField() {
        waitForModel();
        clickOn(".story-editor").write("Story text.");
        clickOn("#memory").write("Memo");
        push(KeyCode.CONTROL, KeyCode.Z);
        assertEquals("Story text.", text(), "Ctrl+Z in the memory field does not undo the story");
        assertNotEquals("Memo", fx(() -> story().memoryProperty().get()), "the field's own undo ran");
        clickOn(".story-editor");
        push(KeyCode.CONTROL, KeyCode.Z);
        assertEquals("", text(), "in the editor, Ctrl+Z undoes the story");
    }
}
