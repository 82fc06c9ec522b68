package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.longform.ui.story.EpubExportTest;
import org.longform.ui.story.StoryData;
import org.w3c.dom.Document;

/** File ▸ Export as EPUB… writes the open story (as edited, not as last saved) through the same writer as the CLI. */
class ExportEpubFxTest extends FxTestBase {
    @Test
    void menuExportWritesAValidEpubOfTheEditorText() throws Exception {
        waitForModel();
        StorySession s = fx(() -> window.addStory(
                StoryData.blank("Winter").withText("Chapter 1\n\nSnow fell.\n\nChapter 2\n\nIt melted."), null));
        fx(() -> {
            s.editor().area().appendText("\n\nChapter 3\n\nSpring & <rain>.");
            return null;
        });
        assertTrue(
                fx(() -> !window.actions().get("export-epub").disabledProperty().get()));
        assertEquals(
                "Export as EPUB…", fx(() -> window.actions().get("export-epub").text()));
        Path out = config.resolve("winter.epub");
        fx(() -> {
            window.files().exportEpub(s, out, "Ann Author");
            return null;
        });
        // The file appears whole (written to a temporary name, then moved); the status line may already show a later
        // autosave.
        waitFor("exported", () -> Files.exists(out));
        List<Document> spine = EpubExportTest.checkStructure(Files.readAllBytes(out));
        assertEquals(
                List.of("Chapter 1", "Chapter 2", "Chapter 3"),
                spine.stream().map(d -> EpubExportTest.text(d, "h2")).toList());
        assertEquals("Spring & <rain>.", EpubExportTest.text(spine.get(2), "p"));
    }
}
