package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Locale;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.input.KeyCode;
import javafx.scene.text.Text;
import javafx.scene.text.TextFlow;
import org.junit.jupiter.api.Test;
import org.longform.ui.TestSupport;
import org.longform.ui.story.Span;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.WorldInfoEntry;
import org.longform.ui.tools.EditorPrefs;
import org.longform.ui.tools.FindReplaceBar;
import org.longform.ui.tools.TextSearch;
import org.longform.ui.tools.WritingStats;

/** Find / replace, live counts, zoom, font and layout, and the distraction-free view in the real window. */
class WritingToolsFxTest extends FxTestBase {
    static final String TEXT = "The cat sat on the mat.\nThe Cathedral cat was black.\nA cat, a cat!";

    StorySession open(String text) {
        StorySession s = fx(() -> window.addStory(StoryData.blank("Cats").withText(text), null));
        waitFor("story active", () -> window.active() == s);
        return s;
    }

    FindReplaceBar bar() {
        return fx(() -> window.tools().findBar());
    }

    /** Searches run on a worker thread: waits until the last one has been applied. */
    void settle() {
        waitFor(
                "search done",
                () -> !window.tools().findBar().searchingProperty().get());
    }

    @Test
    void findReplaceWholeWordIsOneUndoStep() {
        waitForModel();
        StorySession s = open(TEXT);
        clickOn(".story-editor");
        push(KeyCode.CONTROL, KeyCode.F);
        assertTrue(fx(() -> bar().isVisible()));
        assertTrue(fx(() -> bar().findField().isFocused()), "Ctrl+F puts the cursor in the find field");
        write("cat");
        waitFor("counted", () -> bar().status().getText().equals("5 matches in the story"));
        clickOn("#find-word");
        waitFor("whole words only", () -> bar().status().getText().equals("4 matches in the story"));
        clickOn("#find-field");
        push(KeyCode.ENTER);
        settle();
        assertEquals("cat", fx(() -> s.editor().area().getSelectedText()));
        assertEquals(4, fx(() -> s.editor().area().getSelection().getStart()));
        push(KeyCode.ENTER);
        settle();
        assertEquals(38, fx(() -> s.editor().area().getSelection().getStart()), "skips Cathedral");
        assertTrue(fx(() -> bar().status().getText().equals("Match 2 of 4")));
        clickOn("#replace-field");
        write("dog");
        clickOn("#replace-all");
        settle();
        String replaced = "The dog sat on the mat.\nThe Cathedral dog was black.\nA dog, a dog!";
        assertEquals(replaced, text());
        assertEquals("Replaced 4 matches in the story", fx(() -> bar().status().getText()));
        // The whole Replace all is one step back in the editor's own history.
        fx(() -> {
            window.actions().get("undo").run();
            return null;
        });
        assertEquals(TEXT, text());
        fx(() -> {
            window.actions().get("redo").run();
            return null;
        });
        assertEquals(replaced, text());
        push(KeyCode.ESCAPE);
        assertFalse(fx(() -> bar().isVisible()));
    }

    @Test
    void replaceAllKeepsTheGeneratedMarkOnTheTextAroundTheMatches() {
        waitForModel();
        clickOn(".story-editor");
        write("It was winter in the north.");
        push(KeyCode.CONTROL, KeyCode.ENTER);
        String gen = " The wolves came down from the hills.";
        waitFor("generated", () -> text().equals("It was winter in the north." + gen));
        int g0 = "It was winter in the north.".length();
        assertEquals(
                List.of(new Span(g0, g0 + gen.length())),
                fx(() -> story().editor().generatedSpans()));
        fx(() -> {
            window.tools().findBar().open(true);
            window.tools().findBar().setOptions(new TextSearch.Options(false, true, false), false);
            bar().findField().setText("the");
            bar().replaceField().setText("those");
            return null;
        });
        clickOn("#replace-all");
        settle();
        String now = "It was winter in those north. those wolves came down from those hills.";
        assertEquals(now, text());
        // Generated stays generated except the replaced words (the writer's edit, plain as typing is).
        int a = now.indexOf(" those wolves"), b = now.indexOf("those hills");
        assertEquals(
                List.of(new Span(a, a + 1), new Span(a + 6, b), new Span(b + 5, now.length())),
                fx(() -> story().editor().generatedSpans()));
        fx(() -> {
            window.actions().get("undo").run();
            return null;
        });
        assertEquals("It was winter in the north." + gen, text(), "still one undo step");
    }

    @Test
    void replaceOneAtATimeWithRegexGroupsAndBadPatterns() {
        waitForModel();
        StorySession s = open("Anna ran home. Boris ran away.");
        fx(() -> {
            window.tools().findBar().open(true);
            window.tools().findBar().setOptions(new TextSearch.Options(true, false, true), false);
            return null;
        });
        fx(() -> {
            bar().findField().setText("(\\w+) ran");
            bar().replaceField().setText("$1 walked");
            return null;
        });
        clickOn("#replace-one"); // nothing selected yet: selects the first match
        settle();
        assertEquals("Anna ran", fx(() -> s.editor().area().getSelectedText()));
        clickOn("#replace-one");
        settle();
        assertEquals("Anna walked home. Boris ran away.", text());
        assertEquals("Boris ran", fx(() -> s.editor().area().getSelectedText()), "moves on to the next match");
        fx(() -> {
            bar().findField().setText("(broken");
            bar().updateCount();
            return null;
        });
        assertTrue(fx(() -> bar().status().getText().startsWith("Bad regular expression")));
        clickOn("#replace-all");
        settle();
        assertEquals("Anna walked home. Boris ran away.", text(), "a bad pattern changes nothing");
    }

    @Test
    void replaceAllInAllPanels() {
        waitForModel();
        StorySession s = open("Anna met Vronsky.");
        fx(() -> {
            s.memoryProperty().set("Anna is married to Karenin.");
            s.noteTextProperty().set("Keep Anna sad.");
            s.worldInfo()
                    .setAll(
                            WorldInfoEntry.of("Anna", "Anna Karenina, a princess."),
                            WorldInfoEntry.of("Kitty", "Kitty Shcherbatskaya."));
            window.tools().findBar().open(true);
            window.tools().findBar().setOptions(new TextSearch.Options(true, true, false), true);
            bar().findField().setText("Anna");
            bar().replaceField().setText("Anya");
            bar().updateCount();
            return null;
        });
        settle();
        assertEquals(
                "1 match in the story, 3 matches in the panels",
                fx(() -> bar().status().getText()));
        clickOn("#replace-all");
        settle();
        assertEquals("Anya met Vronsky.", text());
        assertEquals("Anya is married to Karenin.", fx(() -> s.memoryProperty().get()));
        assertEquals("Keep Anya sad.", fx(() -> s.noteTextProperty().get()));
        assertEquals(
                List.of("Anya Karenina, a princess.", "Kitty Shcherbatskaya."),
                fx(() -> s.worldInfo().stream().map(WorldInfoEntry::content).toList()));
        // The story changed, so the bar counts again; the replace's message stays in front of the new count.
        waitFor(
                "replaced, then counted again",
                () -> bar().status()
                        .getText()
                        .equals(
                                "Replaced 1 match in the story, 3 matches in the panels · now no match in the story, no match in the panels"));
    }

    @Test
    void liveCountsForStorySelectionSessionAndGoal() {
        waitForModel();
        StorySession s = open(TEXT);
        WritingStats st = fx(() -> window.tools().stats());
        waitFor("story counted", () -> st.storyWordsProperty().get() == 15);
        assertEquals(TEXT.length(), fx(() -> st.storyCharsProperty().get()));
        int tokens = TestSupport.tokenizer().encode(TEXT).length;
        waitFor(
                "story tokens counted with the model's tokenizer",
                () -> st.storyTokensProperty().get() == tokens);
        assertEquals(0, fx(() -> st.sessionWordsProperty().get()));
        fx(() -> {
            s.editor().area().selectRange(0, 11);
            return null;
        });
        waitFor(
                "selection counted",
                () -> st.selectionWordsProperty().get() == 3
                        && st.selectionTokensProperty().get()
                                == TestSupport.tokenizer().encode("The cat sat").length);
        clickOn(".story-editor");
        fx(() -> {
            s.editor().area().moveTo(s.editor().length());
            return null;
        });
        write(" Two more.");
        waitFor(
                "session words",
                () -> st.sessionWordsProperty().get() == 2
                        && st.storyWordsProperty().get() == 17);
        assertEquals(2, fx(() -> st.todayWordsProperty().get()));
        assertTrue(fx(() -> ((Label) window.scene().lookup("#stats-session")).getText())
                .equals("Session: +2 words"));
        // A daily goal shows today's words against it, and is remembered with today's count.
        fx(() -> {
            window.tools().setPrefs(window.tools().prefs().withGoal(1000));
            st.count();
            return null;
        });
        waitFor(
                "goal shown",
                () -> ((Label) window.scene().lookup("#stats-today")).getText().equals("Today: 2 of 1,000 words"));
        waitFor(
                "goal saved",
                () -> EditorPrefs.load(config.resolve("editor.json")).dailyGoal() == 1000
                        && EditorPrefs.load(config.resolve("editor.json")).writtenToday() == 2);
    }

    @Test
    void zoomKeysChangeTheSizeAndItIsRemembered() {
        waitForModel();
        StorySession s = open(TEXT);
        clickOn(".story-editor");
        push(KeyCode.CONTROL, KeyCode.EQUALS);
        push(KeyCode.CONTROL, KeyCode.EQUALS);
        assertEquals(17.0, fx(() -> window.tools().prefs().fontSize()));
        assertTrue(fx(() -> s.editor().area().getStyle()).contains("-fx-font-size: 17.0px"));
        push(KeyCode.CONTROL, KeyCode.MINUS);
        assertEquals(16.0, fx(() -> window.tools().prefs().fontSize()));
        waitFor(
                "size remembered",
                () -> EditorPrefs.load(config.resolve("editor.json")).fontSize() == 16.0);
        push(KeyCode.CONTROL, KeyCode.DIGIT0);
        assertEquals(EditorPrefs.DEFAULT_SIZE, fx(() -> window.tools().prefs().fontSize()));
        // Font size reaches the drawn text, not only the style string.
        waitFor(
                "text drawn at 15px",
                () -> s.editor().area().lookupAll(".text").stream()
                        .anyMatch(n -> n instanceof Text t && t.getFont().getSize() == 15.0));
    }

    @Test
    void fontAndLayoutDialogSetsWidthAndSpacing() {
        waitForModel();
        StorySession s = open(TEXT);
        var dialog = fx(() -> window.tools().showLayoutDialog(window.stage, sc -> {}));
        fx(() -> {
            @SuppressWarnings("unchecked")
            var width = (Spinner<Integer>) dialog.getScene().lookup("#look-width");
            width.getValueFactory().setValue(600);
            @SuppressWarnings("unchecked")
            var spacing = (Spinner<Double>) dialog.getScene().lookup("#look-spacing");
            spacing.getValueFactory().setValue(2.0);
            return null;
        });
        EditorPrefs p = fx(() -> window.tools().prefs());
        assertEquals(600, p.textWidth());
        assertEquals(2.0, p.lineSpacing());
        double w = fx(() -> s.editor().area().getWidth());
        double side = Math.max(28, (w - 600) / 2);
        assertTrue(
                fx(() -> s.editor().area().getStyle())
                        .contains(String.format(Locale.ROOT, "-fx-padding: 16 %.1f 16 %.1f", side, side)),
                fx(() -> s.editor().area().getStyle()));
        waitFor(
                "paragraphs spaced",
                () -> s.editor().area().lookupAll(".paragraph-text").stream()
                        .anyMatch(n -> n instanceof TextFlow f && Math.abs(f.getLineSpacing() - 18.0) < 0.01));
        fx(() -> {
            dialog.close();
            return null;
        });
        waitFor(
                "layout remembered",
                () -> EditorPrefs.load(config.resolve("editor.json")).textWidth() == 600);
    }

    @Test
    void f11HidesEverythingButTheStoryAndComesBack() {
        waitForModel();
        open(TEXT);
        clickOn(".story-editor");
        Node toolbar = fx(() -> window.scene().lookup("#toolbar"));
        Node side = fx(() -> window.scene().lookup("#side"));
        push(KeyCode.F11);
        assertTrue(fx(() -> window.tools().distractionFreeProperty().get()));
        assertFalse(fx(toolbar::isVisible));
        assertNull(fx(() -> side.getScene()), "the side panels leave the window");
        assertTrue(fx(() -> window.stage.isFullScreen()));
        push(KeyCode.F11);
        assertFalse(fx(() -> window.tools().distractionFreeProperty().get()));
        assertTrue(fx(toolbar::isVisible));
        assertNotNull(fx(() -> side.getScene()));
        assertFalse(fx(() -> window.stage.isFullScreen()));
        // Leaving full screen another way (Esc, the window manager) brings the window back too.
        push(KeyCode.F11);
        assertFalse(fx(toolbar::isVisible));
        fx(() -> {
            window.stage.setFullScreen(false);
            return null;
        });
        assertFalse(fx(() -> window.tools().distractionFreeProperty().get()));
        assertTrue(fx(toolbar::isVisible));
        assertNotNull(fx(() -> side.getScene()));
    }
}
