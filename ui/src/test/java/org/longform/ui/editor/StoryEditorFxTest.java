package org.longform.ui.editor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.longform.ui.TestSupport;
import org.longform.ui.story.HistoryData;
import org.longform.ui.story.Span;
import org.testfx.framework.junit5.ApplicationTest;

/**
 * The editor's own copy of its text ({@link StoryEditor#text()}, kept from the change events so
 * readers need not rebuild a novel per keystroke) always equals the area's text, whatever changed it.
 */
class StoryEditorFxTest extends ApplicationTest {
    private StoryEditor editor;

    @Override
    public void start(Stage stage) {
        editor = new StoryEditor();
        stage.setScene(new Scene(editor.view(), 600, 400));
        stage.show();
    }

    private void same(String when) {
        TestSupport.onFx(() -> {
            assertEquals(editor.area().getText(), editor.text(), "text() after " + when);
            assertEquals(editor.area().getLength(), editor.text().length(), "length after " + when);
            return null;
        });
    }

    @Test
    void textFollowsTypingEditsStreamingUndoAndLoads() {
        Random r = new Random(7);
        String[] pieces = {"x", " ", "\n", "word ", "caf\u00e9", "\u201cquoted\u201d", "\n\nChapter 2\n\n", "\u0416"};
        TestSupport.onFx(() -> {
            editor.load("It was winter.\nThe wolves came.", List.of(new Span(0, 6)), HistoryData.empty());
            return null;
        });
        same("load");
        for (int i = 0; i < 300; i++) {
            int op = r.nextInt(5);
            String piece = pieces[r.nextInt(pieces.length)];
            TestSupport.onFx(() -> {
                var a = editor.area();
                int len = a.getLength(), at = r.nextInt(len + 1);
                switch (op) {
                    case 0 -> a.insertText(at, piece);
                    case 1 -> a.deleteText(at, Math.min(len, at + r.nextInt(8)));
                    case 2 -> a.replaceText(at, Math.min(len, at + r.nextInt(5)), piece);
                    case 3 -> {
                        a.moveTo(at);
                        a.replaceSelection(piece);
                    }
                    default -> editor.shadeBefore(r.nextInt(len + 1));
                }
                return null;
            });
            same("edit " + i + " (op " + op + ")");
        }
        TestSupport.onFx(() -> {
            editor.beginGeneration(editor.length() / 2);
            for (String t : new String[] {" The", " snow", ".\n", " It"}) editor.appendGenerated(t);
            String inserted = editor.endGeneration();
            assertEquals(" The snow.\n It", inserted);
            return null;
        });
        same("a generation");
        for (int i = 0; i < 40; i++) {
            TestSupport.onFx(() -> {
                editor.undo();
                return null;
            });
            same("undo " + i);
        }
        for (int i = 0; i < 40; i++) {
            TestSupport.onFx(() -> {
                editor.redo();
                return null;
            });
            same("redo " + i);
        }
        TestSupport.onFx(() -> {
            editor.acceptGenerated();
            editor.load("Another story.", List.of(), HistoryData.empty());
            return null;
        });
        same("a second load");
        assertEquals("Another story.", TestSupport.onFx(() -> editor.text()));
    }
}
