package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javafx.application.Platform;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import org.junit.jupiter.api.Test;
import org.longform.ui.TestSupport;
import org.longform.ui.engine.EngineSettingsDialog;
import org.longform.ui.gen.EngineSettings;
import org.longform.ui.gen.ModelInfo;

/** Model ▸ Engine settings… on the real engine: the choice reloads the model in that form, is saved, and is used by the next start. */
class EngineSettingsFxTest extends FxTestBase {
    Path modelDir;

    @Override
    AppConfig appConfig() {
        modelDir = copyOfTinyModel(config.resolve("tiny")); // quantizing writes its cache next to the model
        return new AppConfig(
                config,
                AppConfig.daemon("test-model"),
                AppConfig.daemon("test-io"),
                Platform::runLater,
                AppConfig.engineLoader(config, 1),
                modelDir,
                Duration.ofMillis(200),
                Duration.ofMillis(50),
                ProcessHandle.current().pid());
    }

    @Test
    @SuppressWarnings("unchecked")
    void chosenWeightsKvAndWindowReloadTheModelAndAreSaved() throws Exception {
        waitForModel();
        ModelInfo before = fx(() -> window.model().infoProperty().get());
        assertEquals("bf16", before.weights(), "as stored until asked");

        EngineSettingsDialog d = fx(() -> window.engine.showDialog());
        Label now = (Label) fx(() -> d.stage().getScene().getRoot().lookupAll(".label").stream()
                .filter(n -> ((Label) n).getText().startsWith("Now:"))
                .findFirst()
                .orElseThrow());
        assertTrue(now.getText().contains("weights bf16"), now.getText());
        List<String> cut = fx(() -> {
            List<String> out = new ArrayList<>();
            NoEllipsisFxTest.collectCut(d.stage().getScene().getRoot(), out);
            return out;
        });
        assertEquals(List.of(), cut, "every row name and choice is drawn whole");
        interact(() -> {
            ((ChoiceBox<String>) d.stage().getScene().lookup("#engine-weights")).setValue("q8_0");
            ((ChoiceBox<String>) d.stage().getScene().lookup("#engine-kv")).setValue("f16");
            ((ChoiceBox<Integer>) d.stage().getScene().lookup("#engine-window")).setValue(8192);
        });
        clickOn("#engine-apply");
        waitFor("the model reloads as asked", () -> {
            ModelInfo m = window.model().infoProperty().get();
            return m != null && "q8_0".equals(m.weights()) && "f16".equals(m.kvDtype()) && m.contextWindow() == 8192;
        });
        waitFor("the dialog closes", () -> !d.stage().isShowing());
        String details = fx(() -> ((Label) window.scene().lookup("#model-details")).getText());
        assertTrue(
                details.contains("in q8_0") && details.contains("KV dtype f16") && details.contains("8,192"), details);
        assertEquals(
                new EngineSettings("q8_0", "f16", 8192),
                EngineSettings.load(config.resolve(EngineSettings.FILE)),
                "saved");
        assertTrue(Files.exists(modelDir.resolve("longform-q8_0.lfq")));

        // the app's loader reads the saved settings: what the next start (or Use demo model, Models…) gets
        ModelInfo next;
        try (var g = AppConfig.engineLoader(config, 1).apply(modelDir)) {
            next = g.info();
        }
        assertEquals("q8_0", next.weights());
        assertEquals(8192, next.contextWindow());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aWindowThatDoesNotFitSaysSoInTheDialog() {
        waitForModel();
        EngineSettingsDialog d = fx(() -> window.engine.showDialog());
        // int8 at 86k tokens fits a tiny model; ask f32 for more than the machine can hold by making the window absurd
        interact(() -> {
            ChoiceBox<Integer> w = (ChoiceBox<Integer>) d.stage().getScene().lookup("#engine-window");
            w.getItems().add(Integer.MAX_VALUE / 64);
            w.setValue(Integer.MAX_VALUE / 64);
            ((ChoiceBox<String>) d.stage().getScene().lookup("#engine-kv")).setValue("f32");
        });
        clickOn("#engine-apply");
        waitFor(
                "an error in the dialog",
                () -> !((Label) d.stage().getScene().lookup("#engine-status"))
                                .getText()
                                .isBlank()
                        && !((Label) d.stage().getScene().lookup("#engine-status"))
                                .getText()
                                .equals("Loading…"));
        String msg = fx(() -> ((Label) d.stage().getScene().lookup("#engine-status")).getText());
        assertTrue(d.stage().isShowing(), "stays open to be corrected");
        assertFalse(msg.contains("Exception"), msg);
        assertNotNull(fx(() -> window.model().get()), "the model that was loaded stays usable");
        interact(() -> d.stage().close());
    }

    static Path copyOfTinyModel(Path dir) {
        try {
            Files.createDirectories(dir);
            try (Stream<Path> s = Files.list(TestSupport.tinyModel())) {
                for (Path p : s.toList()) Files.copy(p, dir.resolve(p.getFileName()));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
