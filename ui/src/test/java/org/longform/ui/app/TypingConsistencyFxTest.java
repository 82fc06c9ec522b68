package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import javafx.scene.input.KeyCode;
import org.fxmisc.richtext.model.StyleSpan;
import org.junit.jupiter.api.Test;
import org.longform.ui.editor.StoryEditor;
import org.longform.ui.story.Span;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.StoryFile;
import org.longform.ui.structure.ChapterNavigator;
import org.longform.ui.tools.TextCounts;

/**
 * What the window shows about the story stays right while the writer types anywhere in it: the
 * counts, the chapter navigator, the out-of-view shading, the generated marks and the autosaved
 * copy all follow edits made through the keyboard (the editor keeps its text from change events
 * and autosave walks the styles off the FX thread, so both must agree with the area).
 */
class TypingConsistencyFxTest extends FxTestBase {
    static final String A = " The wolves came down from the hills.";

    @Test
    void countsNavigatorShadingMarksAndAutosaveFollowTyping() throws Exception {
        waitForModel();
        StorySession s =
                fx(() -> window.addStory(StoryData.blank("Snow").withText(StructureFxTest.manuscript()), null));
        fx(() -> {
            window.setPrefs(window.prefs().withPromptCap(300));
            window.monitor().schedule();
            return null;
        });
        waitFor("the story outgrows the window", () -> s.promptProperty().get() != null && s.storyCut() > 0);
        // a generation at the end, then typing after it, before it, and deep in the shaded part
        clickOn(".story-editor");
        interact(() -> s.editor().area().moveTo(s.editor().length()));
        push(KeyCode.CONTROL, KeyCode.ENTER);
        waitFor("generated", () -> !window.generation().generatingProperty().get() && text().endsWith(A));
        int genStart = fx(() -> s.editor().length()) - A.length();
        write(" Night fell.");
        interact(() -> s.editor().area().moveTo(genStart));
        write("\n\nCHAPTER 7\n\nNew words");
        int typedBefore = "\n\nCHAPTER 7\n\nNew words".length();
        int inShade = fx(() -> s.editor().text().indexOf("the snow kept falling")); // in chapter 1, out of view
        assertTrue(inShade < fx(s::storyCut));
        interact(() -> s.editor().area().moveTo(inShade));
        write("Early snow. ");
        push(KeyCode.BACK_SPACE);
        push(KeyCode.BACK_SPACE);
        int early = "Early snow. ".length() - 2;

        String text = text();
        assertTrue(text.endsWith(A + " Night fell."));
        Span gen = new Span(genStart + typedBefore + early, genStart + typedBefore + early + A.length());
        assertEquals(List.of(gen), fx(() -> s.editor().generatedSpans()), "the generated mark moved with the edits");
        assertEquals(A, text.substring(gen.start(), gen.end()));

        // counts
        waitFor(
                "counts of the edited text",
                () -> window.tools().stats().storyWordsProperty().get() == TextCounts.words(text)
                        && window.tools().stats().storyCharsProperty().get() == TextCounts.characters(text));

        // shading and navigator, once the context map has caught up with the last edit
        waitFor(
                "shading at the current cut",
                () -> s.storyCut() > 0 && s.editor().shadedUpTo() == s.storyCut() && shadedExactlyBefore(s));
        fx(() -> {
            window.chapters().refresh();
            return null;
        });
        waitFor(
                "navigator rows of the edited text",
                () -> window.chapters()
                        .list()
                        .getItems()
                        .equals(ChapterNavigator.rows(s.editor().text(), s.storyCut())));
        assertEquals(8, fx(() -> window.chapters().list().getItems().size()), "the typed CHAPTER 7 is listed");

        // the autosaved copy (styles walked on the I/O worker) has the same text and marks
        Path saved = window.store().sessionDir().resolve(s.id() + StoryFile.EXTENSION);
        waitFor(
                "autosaved",
                () -> Files.isRegularFile(saved)
                        && readQuietly(saved) != null
                        && readQuietly(saved).text().equals(text));
        StoryData d = readQuietly(saved);
        assertEquals(List.of(gen), d.generated());
    }

    private static StoryData readQuietly(Path f) {
        try {
            return StoryFile.read(f);
        } catch (Exception e) {
            return null; // being replaced right now; asked again
        }
    }

    /** Every character before the shading edge is out-of-view styled and none after it. */
    private static boolean shadedExactlyBefore(StorySession s) {
        var area = s.editor().area();
        int pos = 0, edge = s.editor().shadedUpTo();
        for (StyleSpan<Collection<String>> span : area.getStyleSpans(0, area.getLength())) {
            boolean shaded = span.getStyle().contains(StoryEditor.OUT_OF_VIEW);
            int end = pos + span.getLength();
            if (span.getLength() > 0 && (pos < edge && end > edge || shaded != end <= edge)) return false;
            pos = end;
        }
        return true;
    }
}
