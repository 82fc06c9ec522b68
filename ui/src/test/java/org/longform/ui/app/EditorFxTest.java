package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.Test;
import org.longform.ui.TestSupport;
import org.longform.ui.editor.StoryEditor;
import org.longform.ui.story.Span;
import org.longform.ui.story.WorldInfoEntry;

/** Writing, generating, stopping, retrying, undo/redo and branch flips, through keys and buttons. */
class EditorFxTest extends FxTestBase {
    static final String A = " The wolves came down from the hills.";
    static final String B = " Snow fell on the empty road.";

    @Test
    void typeThenGenerateAppendsStyledGeneratedText() {
        waitForModel();
        clickOn(".story-editor");
        write("It was winter.");
        assertEquals("It was winter.", text());
        push(KeyCode.CONTROL, KeyCode.ENTER);
        waitFor(
                "generation ends",
                () -> !window.generation().generatingProperty().get() && text().length() > 14);
        assertEquals("It was winter." + A, text());
        assertEquals(
                List.of(new Span(14, 14 + A.length())),
                fx(() -> story().editor().generatedSpans()),
                "only the new text is styled as generated");
        assertEquals(
                "It was winter.",
                TestSupport.tokenizer().decode(fake.lastPrompt()),
                "the prompt is the story (no memory set)");
        // the status line is filled by the update that follows the end of generation
        waitFor(
                "generation status shown",
                () -> window.scene().lookup("#gen-status") instanceof Label l
                        && !l.getText().isEmpty());
        // Typing right after a generation is plain text, not generated style.
        write(" Yes.");
        assertEquals(
                List.of(new Span(14, 14 + A.length())),
                fx(() -> story().editor().generatedSpans()));
    }

    @Test
    void undoRedoWalkAcrossTypingAndGenerations() {
        waitForModel();
        clickOn(".story-editor");
        write("Start.");
        push(KeyCode.CONTROL, KeyCode.ENTER);
        waitFor("first generation", () -> text().equals("Start." + A));
        sleep(1600); // a pause: the next typing is a separate undo step
        write(" Then.");
        push(KeyCode.CONTROL, KeyCode.ENTER);
        waitFor("second generation", () -> text().equals("Start." + A + " Then." + B));
        push(KeyCode.CONTROL, KeyCode.Z);
        assertEquals("Start." + A + " Then.", text());
        push(KeyCode.CONTROL, KeyCode.Z);
        assertEquals("Start." + A, text());
        push(KeyCode.CONTROL, KeyCode.Z);
        assertEquals("Start.", text());
        push(KeyCode.CONTROL, KeyCode.SHIFT, KeyCode.Z);
        assertEquals("Start." + A, text());
        assertEquals(
                List.of(new Span(6, 6 + A.length())),
                fx(() -> story().editor().generatedSpans()),
                "redone generation is styled again");
        push(KeyCode.CONTROL, KeyCode.Y);
        push(KeyCode.CONTROL, KeyCode.Y);
        assertEquals("Start." + A + " Then." + B, text());
    }

    @Test
    void retryKeepsTheOldGenerationAsABranchToFlipTo() {
        waitForModel();
        clickOn(".story-editor");
        write("Night.");
        push(KeyCode.CONTROL, KeyCode.ENTER);
        waitFor("generation", () -> text().equals("Night." + A));
        clickOn("#btn-retry");
        waitFor(
                "retry",
                () -> text().equals("Night." + B)
                        && !window.generation().generatingProperty().get());
        assertEquals(2, fx(() -> story().editor().alternativesProperty().get()));
        assertEquals("Alternative 2 of 2", fx(() -> ((Label) window.scene().lookup("#branch-label")).getText()));
        push(KeyCode.ALT, KeyCode.LEFT);
        assertEquals("Night." + A, text());
        assertEquals("Alternative 1 of 2", fx(() -> ((Label) window.scene().lookup("#branch-label")).getText()));
        clickOn("#btn-next-branch");
        assertEquals("Night." + B, text());
        push(KeyCode.CONTROL, KeyCode.Z);
        assertEquals("Night.", text());
        push(KeyCode.CONTROL, KeyCode.SHIFT, KeyCode.Z);
        assertEquals("Night." + B, text(), "redo returns to the branch last shown");
        assertEquals(2, fake.prompts.size());
        assertArrayEquals(fake.prompts.get(0), fake.prompts.get(1), "retry sends the same prompt");
    }

    @Test
    void memoryWorldInfoAndAuthorsNoteAreInTheAssembledPrompt() {
        waitForModel();
        interact(() -> {
            StorySession s = window.active();
            s.memoryProperty().set("Russia, 1812.");
            s.noteTextProperty().set("Grim.");
            s.worldInfo().add(WorldInfoEntry.of("Natasha", "Natasha Rostova is young and impulsive."));
            s.worldInfo().add(WorldInfoEntry.of("Napoleon", "Napoleon leads the Grande Armée."));
            s.editor().area().replaceText("Natasha ran down the stairs to the ballroom.");
        });
        clickOn("#btn-generate");
        waitFor("generation", () -> !window.generation().generatingProperty().get() && text().endsWith(A));
        String prompt = TestSupport.tokenizer().decode(fake.lastPrompt());
        // Memory at the top; world info and the note at depth (this story is shorter than the depth, so before it).
        assertTrue(prompt.startsWith("Russia, 1812.\n"), prompt);
        assertTrue(prompt.contains("\nNatasha Rostova is young and impulsive.\n"), prompt);
        assertTrue(
                prompt.indexOf("Natasha Rostova is") < prompt.indexOf("[Author's note"),
                "world info before the note: " + prompt);
        assertFalse(prompt.contains("Napoleon"), "untriggered entry stays out");
        assertTrue(prompt.contains("[Author's note: Grim.]"), prompt);
        assertTrue(prompt.endsWith("to the ballroom."), prompt);
        // The world info panel shows why the entry is in.
        waitFor("status", () -> story().promptProperty().get() != null);
        var st = fx(() -> story().promptProperty().get().worldInfo());
        assertEquals(
                "in prompt: key \"Natasha\", "
                        + TestSupport.tokenizer().encode("Natasha Rostova is young and impulsive.\n").length
                        + " tokens",
                st.get(0).describe());
    }

    @Test
    void contextBarNumbersAreTheTokenizersCounts() {
        waitForModel();
        String memory = "Tone: melancholy. Setting: a Volga steamer.";
        String storyText = "The steamer pulled away from the pier while the band played a waltz that nobody danced to.";
        interact(() -> {
            StorySession s = window.active();
            s.memoryProperty().set(memory);
            s.noteTextProperty().set("Slow down.");
            s.worldInfo().add(WorldInfoEntry.of("steamer", "The steamer is called the Sirin."));
            s.editor().area().replaceText(storyText);
        });
        var tok = TestSupport.tokenizer();
        int mem = tok.encode(memory + "\n").length;
        int wi = tok.encode("\nThe steamer is called the Sirin.\n").length; // at depth, on its own line
        int note = tok.encode("\n[Author's note: Slow down.]\n").length;
        int st = tok.encode(storyText).length;
        String expected = String.format(
                "Memory %d · World info %d · Author's note %d · Story %d · Free %d",
                mem, wi, note, st, 4096 - mem - wi - note - st);
        waitFor(
                "context bar shows " + expected,
                () -> window.contextBar().legendText().startsWith(expected));
        var p = fx(() -> window.contextBar().shown());
        assertEquals(mem + wi + note + st, p.total());
    }

    @Test
    void longStoryOutOfViewIsShaded() {
        waitForModel();
        interact(() -> window.model().get());
        String longText = "The river flowed past the old mill and the miller watched it.\n\n".repeat(1500);
        interact(() -> window.active().editor().area().replaceText(longText));
        waitFor(
                "cut computed",
                () -> story().promptProperty().get() != null
                        && story().promptProperty().get().storyCut() > 0);
        int cut = fx(() -> story().promptProperty().get().storyCut());
        waitFor("shaded", () -> story().editor().shadedUpTo() == cut);
        assertTrue(fx(() -> story().editor().area().getStyleOfChar(cut - 1).contains(StoryEditor.OUT_OF_VIEW)));
        assertFalse(fx(() -> story().editor().area().getStyleOfChar(cut + 1).contains(StoryEditor.OUT_OF_VIEW)));
        // Text typed into the out-of-view part is shaded as well.
        interact(() -> story().editor().area().insertText(10, "INSERTED"));
        waitFor(
                "typed text shaded",
                () -> story().editor().area().getStyleOfChar(12).contains(StoryEditor.OUT_OF_VIEW));
        interact(() -> story().editor().undo());
        int storyTokens = fx(() -> story().promptProperty().get().storyTokens());
        assertEquals(TestSupport.tokenizer().encode(longText.substring(cut)).length, storyTokens);
    }
}
