package org.longform.ui.engine;

import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Modality;
import javafx.stage.Stage;
import javafx.stage.Window;
import javafx.util.StringConverter;
import org.longform.ui.gen.EngineSettings;

/**
 * Model ▸ Engine settings…: the weights' form, the KV cache's dtype and its window for local
 * models. Apply hands the new settings to {@code apply}, which saves them and reloads the model on
 * the model worker; the dialog stays open until that succeeds, so a window too big for this
 * machine is corrected in place (the error shows as one line).
 */
public final class EngineSettingsDialog {
    static final Map<String, String> WEIGHTS = Map.of(
            "stored", "As stored (exact)",
            "q8_0", "q8_0: 8-bit, half the memory of bf16, near-exact",
            "q4_0", "q4_0: 4-bit, a quarter, some quality loss");
    static final Map<String, String> KV = Map.of(
            "auto", "Automatic (what the system check recommends)",
            "f32", "f32: exact, 4 bytes a value",
            "f16", "f16: 2 bytes, no visible quality loss",
            "bf16", "bf16: 2 bytes, coarser than f16",
            "int8", "int8: about 1 byte, slight quality loss, longest window");
    static final List<Integer> WINDOWS = List.of(0, 4096, 8192, 16384, 32768, 65536, 86016);

    private final Stage stage = new Stage();
    final ChoiceBox<String> weights = new ChoiceBox<>(FXCollections.observableArrayList("stored", "q8_0", "q4_0"));
    final ChoiceBox<String> kv =
            new ChoiceBox<>(FXCollections.observableArrayList("auto", "f32", "f16", "bf16", "int8"));
    final ChoiceBox<Integer> window = new ChoiceBox<>(FXCollections.observableArrayList(WINDOWS));
    final Button apply = new Button("Apply and reload");
    final Button cancel = new Button("Cancel");
    final Label status = new Label();

    /** @param apply saves and reloads with the settings; calls back on the FX thread: done, or failed with a message */
    public EngineSettingsDialog(
            Window owner, EngineSettings initial, String current, BiConsumer<EngineSettings, Consumer<String>> apply) {
        weights.setId("engine-weights");
        kv.setId("engine-kv");
        window.setId("engine-window");
        this.apply.setId("engine-apply");
        status.setId("engine-status");
        weights.setConverter(labels(WEIGHTS));
        kv.setConverter(labels(KV));
        window.setConverter(new StringConverter<>() {
            @Override
            public String toString(Integer n) {
                return n == null ? "" : n == 0 ? "Automatic" : String.format("%,d tokens", n);
            }

            @Override
            public Integer fromString(String s) {
                return null;
            }
        });
        weights.setValue(initial.weights());
        kv.setValue(initial.kv());
        if (!WINDOWS.contains(initial.window()))
            window.getItems().add(initial.window()); // a window set by hand in engine.json
        window.setValue(initial.window());

        GridPane g = new GridPane();
        g.setHgap(10);
        g.setVgap(8);
        g.addRow(0, new Label("Weights"), weights);
        g.addRow(1, new Label("KV cache"), kv);
        g.addRow(2, new Label("Window"), window);
        ColumnConstraints names = new ColumnConstraints();
        names.setMinWidth(Region.USE_PREF_SIZE); // the long choices take the room, never the row names
        g.getColumnConstraints().addAll(names, new ColumnConstraints());
        Label now = new Label(
                current == null ? "No local model is loaded: the settings apply to the next one." : "Now: " + current);
        now.setWrapText(true);
        Label note =
                new Label("Quantized weights are made once and kept next to the model (longform-q8_0.lfq), so the next "
                        + "load maps them directly. The window is how many tokens of the story the model keeps in view; "
                        + "a bigger one needs more memory (Help ▸ System check… shows what fits).");
        note.setWrapText(true);
        status.setWrapText(true);
        status.setStyle("-fx-text-fill: #b00020;");
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        HBox buttons = new HBox(8, grow, cancel, this.apply);
        VBox root = new VBox(12, g, now, note, status, buttons);
        root.setPadding(new Insets(16));
        root.setPrefWidth(560);

        this.apply.setDefaultButton(true);
        cancel.setCancelButton(true);
        cancel.setOnAction(e -> stage.close());
        this.apply.setOnAction(e -> {
            EngineSettings s = settings();
            this.apply.setDisable(true);
            status.setText("Loading…");
            apply.accept(s, error -> {
                this.apply.setDisable(false);
                if (error == null) stage.close();
                else status.setText(error);
            });
        });
        stage.setTitle("Engine settings");
        stage.initOwner(owner);
        stage.initModality(Modality.WINDOW_MODAL);
        stage.setScene(new Scene(root));
    }

    /** The settings as chosen now. */
    public EngineSettings settings() {
        return new EngineSettings(weights.getValue(), kv.getValue(), window.getValue() == null ? 0 : window.getValue());
    }

    public void show() {
        stage.show();
    }

    public Stage stage() {
        return stage;
    }

    private static StringConverter<String> labels(Map<String, String> m) {
        return new StringConverter<>() {
            @Override
            public String toString(String k) {
                return k == null ? "" : m.getOrDefault(k, k);
            }

            @Override
            public String fromString(String s) {
                return null;
            }
        };
    }
}
