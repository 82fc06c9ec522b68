package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.Test;
import org.longform.ui.panels.WorldInfoPanel.FolderFilter;
import org.longform.ui.prompt.WorldInfoStatus;
import org.longform.ui.story.WorldInfoEntry;

/** Anti-keys and folders typed in the World info panel decide what reaches the prompt. */
class WorldInfoFoldersFxTest extends FxTestBase {
    private WorldInfoStatus.State state(int i) {
        return fx(() -> {
            var p = story().promptProperty().get();
            return p == null || p.worldInfo().size() <= i
                    ? null
                    : p.worldInfo().get(i).state();
        });
    }

    private String status() {
        return fx(() -> ((Label) window.scene().lookup("#wi-status")).getText());
    }

    @Test
    void antiKeyExcludesAndAFolderSwitchesItsEntriesOff() {
        waitForModel();
        interact(
                () -> story().editor().area().replaceText("The letter came in a grey envelope. Skerry Rock was dark."));
        interact(() ->
                ((TabPane) window.scene().lookup("#side")).getSelectionModel().select(1));

        clickOn("#wi-add");
        clickOn("#wi-keys").write("letter");
        clickOn("#wi-content").write("Letters write themselves.");
        waitFor("in the prompt on its key", () -> state(0) == WorldInfoStatus.State.ACTIVE);
        CheckBox selective = fx(() -> (CheckBox) window.scene().lookup("#wi-selective"));
        TextField anti = fx(() -> (TextField) window.scene().lookup("#wi-anti"));
        assertTrue(fx(anti::isDisabled), "anti-keys count only for a selective entry");
        interact(selective::fire);
        assertFalse(fx(anti::isDisabled));
        clickOn("#wi-anti").write("envelope");
        waitFor("excluded by its anti-key", () -> state(0) == WorldInfoStatus.State.EXCLUDED);
        assertEquals("Status: excluded: anti-key \"envelope\" is in the recent text", status());
        assertEquals(List.of("envelope"), fx(() -> story().worldInfo().get(0).antiKeys()));

        clickOn("#wi-add");
        clickOn("#wi-keys").write("Skerry");
        clickOn("#wi-content").write("Skerry Rock floods in winter.");
        clickOn("#wi-folder").write("Places").push(KeyCode.ENTER);
        waitFor("in its folder", () -> story().worldInfo().get(1).folder().equals("Places"));
        waitFor("in the prompt", () -> state(1) == WorldInfoStatus.State.ACTIVE);

        ComboBox<FolderFilter> filter =
                fx(() -> (ComboBox<FolderFilter>) window.scene().lookup("#wi-filter"));
        assertEquals(
                List.of("All folders", "(no folder)", "Places"),
                fx(() -> filter.getItems().stream().map(FolderFilter::toString).toList()));
        interact(() -> filter.setValue(new FolderFilter("Places")));
        ListView<WorldInfoEntry> list =
                fx(() -> (ListView<WorldInfoEntry>) window.scene().lookup("#wi-list"));
        assertEquals(
                List.of("Skerry Rock floods in winter."),
                fx(() -> list.getItems().stream().map(WorldInfoEntry::content).toList()));

        CheckBox on = fx(() -> (CheckBox) window.scene().lookup("#wi-folder-on"));
        assertTrue(fx(on::isSelected));
        clickOn("#wi-folder-on");
        waitFor("folder off", () -> state(1) == WorldInfoStatus.State.FOLDER_OFF);
        assertEquals(
                List.of("Places"),
                fx(() -> story().worldInfoRulesProperty().get().disabledFolders()));
        assertFalse(fx(() -> story().promptProperty().get().worldInfoText()).contains("Skerry"));
        assertTrue(fx(() -> story().worldInfo().get(1).enabled()), "the entry's own switch is untouched");
        interact(() -> list.getSelectionModel().select(0));
        assertEquals("Status: off: its folder \"Places\" is switched off", status());

        clickOn("#wi-folder-on");
        waitFor("folder on again", () -> state(1) == WorldInfoStatus.State.ACTIVE);
        assertEquals(List.of(), fx(() -> story().worldInfoRulesProperty().get().disabledFolders()));

        clickOn("#wi-add");
        assertEquals("Places", fx(() -> story().worldInfo().get(2).folder()), "added to the folder shown");
        assertEquals(2, fx(() -> list.getItems().size()));
        interact(() -> filter.setValue(new FolderFilter("")));
        assertEquals(
                List.of("Letters write themselves."),
                fx(() -> list.getItems().stream().map(WorldInfoEntry::content).toList()));
    }
}
