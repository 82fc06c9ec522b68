package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.time.Duration;
import javafx.application.Platform;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.Test;
import org.longform.ui.TestSupport;
import org.longform.ui.gen.EngineTextGenerator;
import org.longform.ui.story.StoryData;

/** The app end to end on the real engine with the tiny fixture model (random weights: real tokens, garbage text). */
class RealEngineFxTest extends FxTestBase {
    @Override
    AppConfig appConfig() {
        return new AppConfig(
                config,
                AppConfig.daemon("test-model"),
                AppConfig.daemon("test-io"),
                Platform::runLater,
                dir -> EngineTextGenerator.open(dir, 1),
                TestSupport.tinyModel(),
                Duration.ofMillis(200),
                Duration.ofMillis(50),
                ProcessHandle.current().pid());
    }

    @Test
    void generatesWithTheEngineAndCountsWithItsTokenizer() {
        waitForModel();
        assertEquals("tiny-mpt-6h", fx(() -> window.model().infoProperty().get().name()));
        interact(() -> window.active()
                .samplingProperty()
                .set(StoryData.EDITOR_SAMPLER.withTemperature(0).withMaxTokens(6)));
        clickOn(".story-editor");
        write("The old sailor looked at the sea and");
        push(KeyCode.CONTROL, KeyCode.ENTER);
        waitFor(
                "generation ends",
                () -> !window.generation().generatingProperty().get() && text().length() > 36);
        String after = text();
        assertTrue(after.startsWith("The old sailor looked at the sea and"));
        assertFalse(fx(() -> story().editor().generatedSpans()).isEmpty());
        int promptTokens = TestSupport.tokenizer().encode("The old sailor looked at the sea and").length;
        waitFor(
                "status line shows speed and prompt size",
                () -> ((Label) window.scene().lookup("#gen-status"))
                        .getText()
                        .matches(".*tokens/s · prompt " + promptTokens + " tokens.*"));
        // The context bar counts with the model's tokenizer: the story part is the whole text's token count.
        waitFor(
                "context map",
                () -> story().promptProperty().get() != null
                        && story().promptProperty().get().storyTokens()
                                == TestSupport.tokenizer().encode(text()).length);
        // Retry reuses the cached prompt: greedy gives the same text again.
        clickOn("#btn-retry");
        waitFor(
                "retry ends",
                () -> !window.generation().generatingProperty().get()
                        && fx(() -> story().editor().alternativesProperty().get()) == 2);
        assertEquals(after, text(), "greedy retry reproduces the text");
        String retryStatus = fx(() -> window.generation().statusProperty().get());
        assertTrue(
                retryStatus.contains("(1 recomputed"),
                "only the last prompt token is recomputed on retry: " + retryStatus);
        Path file = fx(() -> story().fileProperty().get());
        assertNotNull(file);
    }
}
