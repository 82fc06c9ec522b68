package org.longform.ui.editor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.fxmisc.richtext.model.StyleSpan;
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

    /** The generated spans as the area's merged style spans give them (the former, slower way). */
    private List<Span> spansFromArea() {
        List<Span> out = new ArrayList<>();
        int pos = 0, start = -1;
        for (StyleSpan<Collection<String>> s :
                editor.area().getStyleSpans(0, editor.area().getLength())) {
            boolean gen = s.getStyle().contains(StoryEditor.GENERATED);
            if (gen && start < 0) start = pos;
            if (!gen && start >= 0) {
                out.add(new Span(start, pos));
                start = -1;
            }
            pos += s.getLength();
        }
        if (start >= 0 && pos > start) out.add(new Span(start, pos));
        return out;
    }

    @Test
    void generatedSpansMatchTheAreaStylesAfterGenerationsEditsAndShading() {
        Random r = new Random(11);
        String[] pieces = {" word", ".\n", "\n\n", " The snow", "x", "\n"};
        TestSupport.onFx(() -> {
            editor.load("Once.\n\nIt was winter.", List.of(), HistoryData.empty());
            return null;
        });
        for (int step = 0; step < 150; step++) {
            int op = r.nextInt(6), i = step;
            TestSupport.onFx(() -> {
                var a = editor.area();
                int len = a.getLength(), at = r.nextInt(len + 1);
                switch (op) {
                    case 0, 1 -> {
                        editor.beginGeneration(at);
                        for (int k = r.nextInt(4); k >= 0; k--)
                            editor.appendGenerated(pieces[r.nextInt(pieces.length)]);
                        editor.endGeneration();
                    }
                    case 2 -> a.insertText(at, pieces[r.nextInt(pieces.length)]);
                    case 3 -> a.deleteText(at, Math.min(len, at + r.nextInt(6)));
                    case 4 -> editor.shadeBefore(r.nextInt(len + 1));
                    default -> {
                        if (r.nextInt(4) == 0) editor.undo();
                        else editor.redo();
                    }
                }
                assertEquals(spansFromArea(), editor.generatedSpans(), "generated spans after step " + i);
                return null;
            });
        }
    }
}
