package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.longform.ui.story.WorldInfoEntry;

/** Opening KoboldAI United and KoboldAI Lite saves in the window: text, memory, note and world info arrive, disabled
 * stays disabled. */
class KoboldImportFxTest extends FxTestBase {
    static Path resource(String name) throws Exception {
        return Path.of(KoboldImportFxTest.class.getResource("/kobold/" + name).toURI());
    }

    @Test
    void unitedSaveOpensWithEverything() throws Exception {
        waitForModel();
        Path f = resource("united.json");
        fx(() -> {
            window.files().open(f);
            return null;
        });
        waitFor(
                "imported",
                () -> window.active() != null
                        && window.active().titleProperty().get().equals("The Salt Road"));
        StorySession s = story();
        assertTrue(text().endsWith("The wind, as usual, said nothing."));
        assertEquals("Dry humour.", fx(() -> s.noteTextProperty().get()));
        assertEquals(3, fx(() -> s.worldInfo().size()));
        // The world-info panel lists them, and the prompt uses the constant one.
        waitFor("prompt assembled", () -> s.promptProperty().get() != null);
        assertTrue(fx(() -> s.promptProperty().get().worldInfoText()).contains("The narrator is one of the camels."));
        assertTrue(fx(() -> s.fileProperty().get().toString().endsWith(".longform")), "saved as a new Longform story");
    }

    @Test
    void liteSaveKeepsItsDisabledEntryOutOfThePrompt() throws Exception {
        waitForModel();
        fx(() -> {
            window.files().open(resource("lite.json"));
            return null;
        });
        waitFor(
                "imported",
                () -> window.active() != null
                        && window.active().titleProperty().get().equals("lite"));
        StorySession s = story();
        assertEquals(
                List.of(true, true, true, false),
                fx(() -> s.worldInfo().stream().map(WorldInfoEntry::enabled).toList()));
        fx(() -> {
            s.editor().area().appendText(" The Guild would want it.");
            return null;
        });
        waitFor(
                "prompt reassembled",
                () -> s.promptProperty().get() != null
                        && s.promptProperty().get().worldInfoText().contains("Mira, 19"));
        assertFalse(
                fx(() -> s.promptProperty().get().worldInfoText()).contains("Couriers' Guild"),
                "the disabled entry stays out though its key is in the story");
    }
}
