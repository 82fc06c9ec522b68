package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javafx.application.Platform;
import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.Test;
import org.longform.engine.Assets;
import org.longform.engine.sample.Alternative;
import org.longform.ui.TestSupport;
import org.longform.ui.choices.ChoicePopup;
import org.longform.ui.choices.ChoiceStore;
import org.longform.ui.editor.StoryEditor;
import org.longform.ui.gen.EngineTextGenerator;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.StoryFile;

/**
 * The model's choices with the real engine and the demo model: the pop-up over a generated token lists
 * its alternatives; choosing one rewrites the rest of the generation from that token, recomputing only
 * that token (the cache holds everything before it), in one undo step; any generated span, not only the
 * last, can be retried in place with the text after it kept.
 */
class ChoicesFxTest extends FxTestBase {
    private static final Pattern STATUS =
            Pattern.compile("(\\d+) tokens in .* prompt (\\d+) tokens \\((\\d+) recomputed.*");

    @Override
    AppConfig appConfig() {
        return new AppConfig(
                config,
                AppConfig.daemon("test-model"),
                AppConfig.daemon("test-io"),
                Platform::runLater,
                dir -> EngineTextGenerator.open(dir, 0),
                Assets.demoModel(),
                Duration.ofMillis(200),
                Duration.ofMillis(50),
                ProcessHandle.current().pid());
    }

    static String opening() throws Exception {
        Path p = TestSupport.home().resolve("replay/stories/christmas-carol-opening.txt");
        return Files.readString(p).substring(0, 1200);
    }

    void waitLong(String what, BooleanSupplier c) {
        TestSupport.waitOnFx(what, c, 180);
    }

    void generateAndWait(Runnable start) {
        interact(start);
        waitLong("generation", () -> !window.generation().generatingProperty().get());
    }

    /** Generated tokens, recomputed prompt tokens of the last generation, from the status line. */
    int[] lastStatus() {
        String line = fx(() -> window.generation().statusProperty().get());
        Matcher m = STATUS.matcher(line);
        assertTrue(m.matches(), line);
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(3))};
    }

    List<Button> rows() {
        return fx(() -> window.choices().popup().getContent().getFirst().lookupAll(".button").stream()
                .filter(n -> n.getId() != null && n.getId().startsWith("alt-"))
                .map(n -> (Button) n)
                .toList());
    }

    @Test
    void chooseAnAlternativeRegeneratesFromThereReusingTheCacheAndUndoRestores() throws Exception {
        waitForModel();
        String text = opening();
        interact(() -> {
            story().samplingProperty().set(StoryData.EDITOR_SAMPLER.withSeed(3L).withMaxTokens(24));
            story().editor().area().replaceText(text);
        });
        generateAndWait(() -> window.generation().generate(story()));
        String first = text();
        assertTrue(first.length() > text.length() && first.startsWith(text));
        List<ChoiceStore.Run> runs = fx(() -> story().choices().runs());
        assertEquals(1, runs.size());
        ChoiceStore.Run run = runs.getFirst();
        assertEquals(text.length(), run.start());
        assertEquals(first.length(), run.end());
        // A token in the middle of the generation that begins a character.
        List<ChoiceStore.Token> tokens = run.tokens();
        int k = tokens.size() / 2;
        while (tokens.get(k).start() < 0) k++;
        ChoiceStore.Token token = tokens.get(k);
        int at = token.start();

        // Hovering the token shows its alternatives.
        Bounds chars = fx(() ->
                story().editor().area().getCharacterBoundsOnScreen(at, at + 1).orElseThrow());
        moveTo(new Point2D(chars.getMinX() + chars.getWidth() / 2, chars.getMinY() + chars.getHeight() / 2));
        waitFor("pop-up on hover", () -> window.choices().popup().isShowing());
        Label head = fx(
                () -> (Label) window.choices().popup().getContent().getFirst().lookup("#alternatives-token"));
        String chosenText = fx(() -> window.model().get().decode(new int[] {token.id()}));
        assertTrue(fx(head::getText).contains(chosenText.replace(" ", "␣")), fx(head::getText));
        List<Button> rows = rows();
        assertTrue(rows.size() >= ChoiceStore.TOP, "rows: " + rows.size());
        double sum = 0;
        Button other = null;
        boolean chosenListed = false;
        for (Button b : rows) {
            Alternative a = (Alternative) b.getUserData();
            sum += a.probability();
            if (a.id() == token.id()) {
                chosenListed = true;
                assertTrue(b.getStyleClass().contains(ChoicePopup.CHOSEN), "the chosen token is marked");
            } else if (other == null && !b.isDisabled()) other = b;
        }
        assertTrue(sum <= 1 + 1e-9, "probabilities sum to " + sum);
        assertTrue(chosenListed, "the chosen token is among the rows");
        assertNotNull(other, "an alternative to choose");
        Alternative alt = (Alternative) other.getUserData();
        String altText = fx(() -> window.model().get().decode(new int[] {alt.id()}));

        // Choosing it rewrites the rest of the generation from that token, reusing the cache up to it.
        clickOn(other);
        waitLong("regenerated", () -> !window.generation().generatingProperty().get() && !text().equals(first));
        String second = text();
        assertEquals(first.substring(0, at), second.substring(0, at), "text before the token is kept");
        assertTrue(second.startsWith(altText, at), "the chosen alternative is in place");
        int[] st = lastStatus();
        System.out.println("regenerate from here: "
                + fx(() -> window.generation().statusProperty().get()));
        assertTrue(
                st[1] <= 1,
                "only the chosen token is recomputed: " + st[1] + " (status: "
                        + fx(() -> window.generation().statusProperty().get()) + ")");
        // The new text is one generation again, with its own alternatives after the chosen token.
        ChoiceStore.Run again = fx(() -> story().choices().runs().getFirst());
        assertEquals(text.length(), again.start());
        assertEquals(second.length(), again.end());
        assertEquals(alt.id(), again.tokens().get(k).id());
        assertTrue(fx(() -> story().editor().generatedSpans()).stream()
                .anyMatch(s -> s.start() <= at && s.end() == second.length()));

        // One undo step restores the first generation, in the generated style.
        interact(() -> story().editor().undo());
        assertEquals(first, text());
        assertTrue(fx(() -> story().editor().generatedSpans()).stream()
                .anyMatch(s -> s.start() == text.length() && s.end() == first.length()));
        interact(() -> story().editor().undo());
        assertEquals(text, text());
    }

    @Test
    void retryAGeneratedSpanInTheMiddleKeepsTheTextAfterIt() throws Exception {
        waitForModel();
        String text = opening();
        interact(() -> {
            story().samplingProperty().set(StoryData.EDITOR_SAMPLER.withMaxTokens(16));
            story().editor().area().replaceText(text);
        });
        generateAndWait(() -> window.generation().generate(story()));
        int spanEnd = text().length();
        String typed = "\n\nScrooge said nothing.";
        interact(
                () -> { // as the writer types: in the plain style
                    story().editor().area().moveTo(spanEnd);
                    story().editor().area().replaceSelection(typed);
                });
        generateAndWait(() -> window.generation().generate(story()));
        String before = text();
        String after = before.substring(spanEnd);
        assertTrue(after.startsWith(typed) && after.length() > typed.length(), after);

        // Retry the first span: the caret inside it, the action as the menu and the shortcut run it.
        interact(() -> story().editor().area().moveTo(text.length() + 2));
        List<Integer> seen = new CopyOnWriteArrayList<>();
        interact(() -> story().promptProperty().addListener((o, a, p) -> {
            if (window.generation().generatingProperty().get()) seen.add(p.storyEnd());
        }));
        generateAndWait(() -> window.actions().get("retry-span").run());
        String retried = text();
        assertTrue(retried.startsWith(text), "the text before the span is kept");
        assertTrue(
                retried.endsWith(after),
                "the text after the span is kept:\n[" + before.substring(text.length()) + "]\n["
                        + retried.substring(text.length()) + "]");
        int newEnd = retried.length() - after.length();
        assertTrue(fx(() -> story().editor().generatedSpans()).stream()
                .anyMatch(s -> s.start() == text.length() && s.end() >= newEnd));
        // What the model saw: the story up to the span, not the text after it.
        assertEquals(List.of(text.length()), seen);
        // One undo step brings the old span back.
        interact(() -> story().editor().undo());
        assertEquals(before, text());
    }

    @Test
    void alternativesAtTheCaretAndForTypedText() throws Exception {
        waitForModel();
        String text = opening();
        interact(() -> {
            story().samplingProperty().set(StoryData.EDITOR_SAMPLER.withMaxTokens(8));
            story().editor().area().replaceText(text);
        });
        generateAndWait(() -> window.generation().generate(story()));
        int end = text().length();
        // Alt+Down at the caret (after the generation): the last token's alternatives, a row focused.
        interact(() -> story().editor().area().moveTo(end));
        push(KeyCode.ALT, KeyCode.DOWN);
        waitFor("pop-up at the caret", () -> window.choices().popup().isShowing());
        assertFalse(rows().isEmpty());
        interact(() -> window.choices().popup().hide());
        // Typed text has no alternatives; editing inside the generation drops them from the edit on.
        interact(() -> story().editor().area().moveTo(5));
        interact(() -> window.choices().showAtCaret(story()));
        Node msg = fx(() -> window.choices().popup().getContent().getFirst().lookup("#alternatives-message"));
        assertTrue(fx(() -> ((Label) msg).getText()).contains("not generated"), fx(() -> ((Label) msg).getText()));
        interact(() -> window.choices().popup().hide());
        int cut = text.length() + 3;
        int count = fx(() -> story().choices().runs().getFirst().tokens().size());
        interact(() -> story().editor().area().insertText(cut, "X"));
        ChoiceStore.Run after = fx(() -> story().choices().runs().getFirst());
        assertTrue(after.end() <= cut && after.tokens().size() < count, "cut at the edit");
        assertTrue(fx(() -> story().editor().area().getStyleAtPosition(cut + 2)).contains(StoryEditor.GENERATED));
    }

    /** What the pop-up shows for the token at {@code at}: each row's id, kept flag and label. */
    List<String> popupAt(int at) {
        interact(() -> {
            window.choices().popup().hide();
            story().editor().area().moveTo(at);
            window.choices()
                    .show(story(), at, story().editor().area().getCaretBounds().orElseThrow());
        });
        waitFor("pop-up", () -> window.choices().popup().isShowing());
        List<String> out = new ArrayList<>();
        for (Button b : rows()) {
            Alternative a = (Alternative) b.getUserData();
            out.add(a.id()
                    + (a.kept() ? " kept " : " cut ")
                    + fx(() -> b.getGraphic().lookupAll(".label").stream()
                            .map(n -> ((Label) n).getText())
                            .toList()));
        }
        interact(() -> window.choices().popup().hide());
        return out;
    }

    @Test
    void alternativesAreSavedWithTheStoryAndShownAgainAfterReopening() throws Exception {
        waitForModel();
        String text = opening();
        Path file = fx(() -> story().fileProperty().get());
        interact(() -> {
            story().samplingProperty().set(StoryData.EDITOR_SAMPLER.withSeed(5L).withMaxTokens(20));
            story().editor().area().replaceText(text);
        });
        generateAndWait(() -> window.generation().generate(story()));
        String generated = text();
        List<ChoiceStore.Token> tokens =
                fx(() -> story().choices().runs().getFirst().tokens());
        List<Integer> starts = new ArrayList<>();
        for (ChoiceStore.Token t : tokens) if (t.start() >= 0) starts.add(t.start());
        int mid = starts.get(starts.size() / 2), last = starts.getLast();
        List<String> before = popupAt(mid), beforeLast = popupAt(last);
        assertTrue(before.size() >= ChoiceStore.TOP, before.toString());

        interact(() -> window.files().save());
        waitFor("saved", () -> {
            try {
                return Files.exists(file) && StoryFile.read(file).text().equals(generated);
            } catch (Exception e) {
                return false;
            }
        });
        StoryData saved = StoryFile.read(file);
        assertEquals(tokens.size(), saved.choices().tokenCount());
        closeAndReopen(file);
        assertEquals(generated, text());

        // The same rows: ids, kept flags, and the labels (probabilities to the pop-up's precision).
        assertEquals(before, popupAt(mid));
        assertEquals(beforeLast, popupAt(last));

        // Regenerate from here works on the reopened story: the text before the token stays, the choice is in.
        ChoiceStore.Hit hit = fx(() -> story().choices().at(mid));
        Alternative alt = hit.token().choice().top().stream()
                .filter(a -> a.id() != hit.token().id())
                .filter(a -> {
                    String t = fx(() -> window.model().get().decode(new int[] {a.id()}));
                    return !t.isEmpty() && t.indexOf('\uFFFD') < 0;
                })
                .findFirst()
                .orElseThrow();
        String altText = fx(() -> window.model().get().decode(new int[] {alt.id()}));
        interact(() -> window.choices().choose(story(), hit, alt));
        waitLong("regenerated", () -> !window.generation().generatingProperty().get() && !text().equals(generated));
        String again = text();
        assertEquals(generated.substring(0, mid), again.substring(0, mid));
        assertTrue(again.startsWith(altText, mid));
        System.out.println("regenerate from here after reopening: "
                + fx(() -> window.generation().statusProperty().get()));
    }
}
