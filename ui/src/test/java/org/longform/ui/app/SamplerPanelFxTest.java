package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.Test;
import org.longform.engine.sample.SamplerSettings;

/** DRY, XTC and logit bias in the Sampler panel reach the generator; "Save as preset…" writes a loadable preset. */
class SamplerPanelFxTest extends FxTestBase {
    @SuppressWarnings("unchecked")
    private <T> Spinner<T> spinner(String id) {
        return fx(() -> (Spinner<T>) window.scene().lookup(id));
    }

    /** Scrolls the side panel so that the node is in view, as the writer would before clicking it. */
    private String reveal(String id) {
        interact(() -> {
            Node n = window.scene().lookup(id);
            Parent p = n.getParent();
            while (p != null && !(p instanceof ScrollPane)) p = p.getParent();
            if (p instanceof ScrollPane sp) {
                Node content = sp.getContent();
                double y = content.sceneToLocal(n.localToScene(n.getBoundsInLocal()))
                        .getMinY();
                double room = content.getBoundsInLocal().getHeight()
                        - sp.getViewportBounds().getHeight();
                sp.setVvalue(room <= 0 ? 0 : Math.min(1, Math.max(0, (y - 20) / room)));
            }
        });
        return id;
    }

    private void showSamplerTab() {
        interact(() ->
                ((TabPane) window.scene().lookup("#side")).getSelectionModel().select(2));
    }

    @Test
    void newSamplerControlsReachTheGenerator() {
        waitForModel();
        showSamplerTab();
        assertEquals(
                SamplerSettings.Dry.OFF,
                fx(() -> story().samplingProperty().get().dry()),
                "off by default");
        interact(() -> {
            this.<Double>spinner("#dry-multiplier").getValueFactory().setValue(0.8);
            this.<Integer>spinner("#dry-allowed-length").getValueFactory().setValue(3);
            this.<Double>spinner("#xtc-threshold").getValueFactory().setValue(0.1);
            this.<Double>spinner("#xtc-probability").getValueFactory().setValue(0.5);
        });
        clickOn(reveal("#logit-bias")).write("50256: -100").type(KeyCode.ENTER).write("13: 1.5");
        clickOn(reveal("#phrase-bias")).write("suddenly: -4");
        SamplerSettings s = fx(() -> story().samplingProperty().get());
        assertEquals(new SamplerSettings.Dry(0.8, 1.75, 3, 0, SamplerSettings.Dry.DEFAULT_BREAKERS), s.dry());
        assertEquals(new SamplerSettings.Xtc(0.1, 0.5), s.xtc());
        assertEquals(Map.of(50256, -100.0, 13, 1.5), s.logitBias());
        assertEquals(Map.of("suddenly", -4.0), s.phraseBias());

        // a phrase in the token box is refused with a message; the last valid settings stay
        clickOn(reveal("#logit-bias"));
        interact(() -> ((TextArea) window.scene().lookup("#logit-bias")).end());
        type(KeyCode.ENTER).write("dragon: 2");
        waitFor(
                "message",
                () -> ((Label) window.scene().lookup("#sampler-message"))
                        .getText()
                        .contains("not a token id"));
        assertEquals(
                Map.of(50256, -100.0, 13, 1.5),
                fx(() -> story().samplingProperty().get().logitBias()));

        clickOn("#btn-generate");
        waitFor("generation", () -> !window.generation().generatingProperty().get() && fake.lastRequest != null);
        assertEquals(s.dry(), fake.lastRequest.sampler().dry());
        assertEquals(s.xtc(), fake.lastRequest.sampler().xtc());
        assertEquals(s.phraseBias(), fake.lastRequest.sampler().phraseBias());
    }

    @Test
    void saveAsPresetWritesConfigPresetsNameJsonThatPresetsLoadReads() throws Exception {
        waitForModel();
        showSamplerTab();
        interact(() -> {
            this.<Double>spinner("#temperature").getValueFactory().setValue(0.55);
            this.<Double>spinner("#dry-multiplier").getValueFactory().setValue(1.25);
        });
        clickOn(reveal("#phrase-bias")).write("the dragon: 2.5");
        SamplerSettings tuned = fx(() -> story().samplingProperty().get());
        clickOn(reveal("#save-preset"));
        waitFor("name dialog", () -> lookup("#preset-name").tryQuery().isPresent());
        interact(() -> ((TextField) lookup("#preset-name").query()).setText("Noir: slow"));
        type(KeyCode.ENTER);
        Path file = config.resolve("presets").resolve("Noir_ slow.json");
        waitFor(
                "preset listed",
                () -> ((Label) window.scene().lookup("#preset-status"))
                        .getText()
                        .startsWith("Saved preset"));
        assertTrue(Files.isRegularFile(file), file + " written");

        List<String> problems = new ArrayList<>();
        List<Presets.Preset> loaded = Presets.load(List.of(config.resolve("presets")), problems);
        assertEquals(List.of(), problems);
        assertEquals(1, loaded.size());
        assertEquals("Noir: slow", loaded.getFirst().name());
        assertEquals(tuned, loaded.getFirst().sampling(), "the file holds every field, the new ones included");

        // it is offered in the preset list at once, and choosing it restores the settings
        @SuppressWarnings("unchecked")
        ComboBox<Presets.Preset> presets =
                fx(() -> (ComboBox<Presets.Preset>) window.scene().lookup("#presets"));
        interact(() -> story().samplingProperty().set(SamplerSettings.greedy()));
        interact(() -> presets.getSelectionModel()
                .select(presets.getItems().stream()
                        .filter(p -> p.name().equals("Noir: slow"))
                        .findFirst()
                        .orElseThrow()));
        assertEquals(tuned, fx(() -> story().samplingProperty().get()));
        assertEquals(1.25, fx(() -> this.<Double>spinner("#dry-multiplier").getValue()));
    }
}
