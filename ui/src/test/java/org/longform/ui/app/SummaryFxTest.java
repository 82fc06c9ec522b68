package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextArea;
import org.junit.jupiter.api.Test;
import org.longform.ui.TestSupport;
import org.longform.ui.gen.TokenCounter;
import org.longform.ui.story.StorySummary;

/**
 * The story so far in the editor, with the scripted model (a 4,096-token window): when chapters
 * leave the view the notice bar offers a summary; the model's draft, or the writer's, stays out of
 * the prompt until applied, with its cost said first; applied, it sits right after memory.
 */
class SummaryFxTest extends FxTestBase {
    @Override
    String[] scripts() {
        return new String[] {" The wolves came down from the hills.", " Snow fell on the empty road."};
    }

    /** Chapters of ~1,000, ~1,000 and ~3,700 tokens: the first two leave a 4,096-token window. */
    static String threeChapters() {
        StringBuilder b = new StringBuilder();
        String[] chapters = {"CHAPTER I. The Road", "CHAPTER II. The Inn", "CHAPTER III. The Snow"};
        int[] sentences = {60, 60, 220};
        for (int c = 0; c < 3; c++) {
            b.append(chapters[c]).append("\n\n");
            for (int i = 0; i < sentences[c]; i++)
                b.append("The travellers walked on through the cold valley, and nobody spoke of the night before. ")
                        .append(i % 5 == 4 ? "\n\n" : "");
            b.append("\n\n");
        }
        return b.toString().strip();
    }

    void openStory() {
        waitForModel();
        interact(() -> story().memoryProperty().set("A winter journey."));
        interact(() -> story().editor().area().replaceText(threeChapters()));
        waitFor("the view starts in chapter III", () -> {
            var p = story().promptProperty().get();
            return p != null && p.storyCut() > threeChapters().indexOf("CHAPTER III");
        });
    }

    @Test
    void theModelsSummaryIsADraftUntilAppliedThenSitsAfterMemory() {
        openStory();
        waitFor(
                "offer",
                () -> window.notice().message().startsWith("2 chapters left the model's view - summarise them?"));
        int before = fake.prompts.size();
        // The scripted model reports no prefill time: say the last prompt was read at 500 tokens/s.
        interact(() -> window.generation().measuredPrefill(1000, 2_000_000_000L));
        var shown = fx(() -> story().promptProperty().get());
        clickOn("#notice-summarise");
        waitFor("the model's draft", () -> window.notice().message().startsWith("The model summarised 2 chapters"));
        assertEquals(before + 2, fake.prompts.size(), "one generation per chapter");
        int[] ask = fake.prompts.get(before);
        TokenCounter tok = TestSupport.tokenizer();
        assertTrue(
                tok.decode(ask).startsWith("A winter journey.\n\nCHAPTER I. The Road")
                        && tok.decode(ask).endsWith("[Summary of CHAPTER I. The Road:"),
                "memory, the chapter, then the request: " + tok.decode(ask));
        String draft = "CHAPTER I. The Road: The wolves came down from the hills.\n"
                + "CHAPTER II. The Inn: Snow fell on the empty road.";
        assertEquals(draft, fx(() -> story().summaryDraftProperty().get()));
        assertEquals(draft, fx(() -> ((TextArea) window.scene().lookup("#summary")).getText()), "shown in the panel");
        assertEquals(0, fx(() -> story().promptProperty().get().summaryTokens()), "not in the prompt yet");
        assertTrue(
                window.notice().message().contains("Applying recomputes ~"),
                window.notice().message());
        assertTrue(
                window.notice().message().contains("at the measured rate"),
                window.notice().message());

        // The writer edits the draft: still nothing is recomputed or sent.
        interact(() ->
                ((TabPane) window.scene().lookup("#side")).getSelectionModel().select(0));
        clickOn("#summary");
        interact(() -> {
            TextArea area = (TextArea) window.scene().lookup("#summary");
            area.positionCaret(area.getLength());
        });
        write(" They rest.");
        assertEquals(
                draft + " They rest.", fx(() -> story().summaryDraftProperty().get()));
        int sent = fake.prompts.size();
        int[] ids = fx(() -> story().promptProperty().get().ids());
        sleep(500); // past the recount's debounce
        assertArrayEquals(ids, fx(() -> story().promptProperty().get().ids()), "the prompt is unchanged while typing");
        assertEquals(sent, fake.prompts.size());
        waitFor(
                "cost shown in the panel",
                () -> ((Label) window.scene().lookup("#summary-cost")).getText().startsWith("Applying recomputes ~"));
        assertFalse(fx(() -> ((Button) window.scene().lookup("#summary-apply")).isDisabled()));

        clickOn("#summary-apply");
        String applied = draft + " They rest.";
        int summaryTokens = tok.encode(applied + "\n").length;
        waitFor("applied", () -> story().promptProperty().get().summaryTokens() == summaryTokens);
        assertEquals(applied, fx(() -> story().summaryProperty().get().text()));
        assertEquals(2, fx(() -> story().summaryProperty().get().covered().size()), "CHAPTER I and II are covered");
        assertTrue(fx(() -> ((Button) window.scene().lookup("#summary-apply")).isDisabled()));
        assertTrue(
                window.contextBar().legendText().contains("Story so far " + summaryTokens),
                window.contextBar().legendText());
        assertFalse(window.notice().message().contains("left the model's view"), "covered: not offered again");

        clickOn("#btn-generate");
        waitFor("generated", () -> !window.generation().generatingProperty().get() && fake.prompts.size() > sent);
        int[] memory = tok.encode("A winter journey.\n"), summary = tok.encode(applied + "\n");
        int[] prompt = fake.lastPrompt();
        assertArrayEquals(memory, Arrays.copyOfRange(prompt, 0, memory.length), "memory first");
        assertArrayEquals(
                summary,
                Arrays.copyOfRange(prompt, memory.length, memory.length + summary.length),
                "the story so far right after it");
        assertEquals(memory.length + summary.length, fake.lastRequest.keep(), "both pinned");
        StorySummary saved = fx(() -> story().snapshot().summary());
        assertEquals(applied, saved.text());
        assertNull(saved.draft(), "nothing left unapplied");
    }

    @Test
    void theWriterCanWriteItAndTheOfferCanBeSwitchedOff() {
        openStory();
        waitFor("offer", () -> window.notice().message().contains("left the model's view"));
        clickOn("#notice-summary-write");
        waitFor(
                "draft lines",
                () -> story().summaryDraftProperty().get().equals("CHAPTER I. The Road: \n" + "CHAPTER II. The Inn: "));
        assertEquals(0, fx(() -> story().summaryProperty().get().text().length()), "the writer's draft is not applied");
        assertTrue(fx(() -> ((TextArea) window.scene().lookup("#summary")).isFocused()), "the caret is there");
        clickOn("#summary-discard");
        assertEquals("", fx(() -> story().summaryDraftProperty().get()));

        // Switched off: no offer, and the choice is saved with the story.
        clickOn("#summary-offer");
        assertFalse(fx(() -> ((CheckBox) window.scene().lookup("#summary-offer")).isSelected()));
        interact(() -> story().editor().area().appendText(" More snow."));
        sleep(600);
        assertFalse(
                window.notice().message().contains("left the model's view"),
                window.notice().message());
        assertFalse(fx(() -> story().snapshot().summary().offer()));
    }
}
