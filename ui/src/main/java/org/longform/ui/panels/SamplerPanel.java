package org.longform.ui.panels;

import javafx.beans.InvalidationListener;
import javafx.beans.Observable;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.longform.engine.sample.SamplerSettings;
import org.longform.ui.app.Presets;
import org.longform.ui.app.StorySession;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/** Sampler settings of the active story, with named presets. Neutral values (shown in the labels) switch a filter off. */
public final class SamplerPanel extends VBox {
    private final ComboBox<Presets.Preset> presets = new ComboBox<>();
    private final Spinner<Double> temperature = dbl(0, 5, 0.05);
    private final Spinner<Integer> topK = new Spinner<>(0, 50_000, 40, 5);
    private final Spinner<Double> topP = dbl(0.01, 1, 0.01);
    private final Spinner<Double> minP = dbl(0, 1, 0.01);
    private final Spinner<Double> typical = dbl(0.01, 1, 0.01);
    private final Spinner<Double> repPenalty = dbl(0.5, 3, 0.01);
    private final Spinner<Integer> repRange = new Spinner<>(0, 1_000_000, 256, 64);
    private final Spinner<Integer> maxTokens = new Spinner<>(1, 100_000, 80, 10);
    private final TextField seed = new TextField();
    private final TextArea stops = new TextArea();
    private final TextArea banned = new TextArea();
    private final Label message = new Label();
    private final Button saveDefault = new Button("Use as default for new stories");
    private StorySession bound;
    private boolean updating;
    private Consumer<SamplerSettings> onMakeDefault = s -> {};
    private final InvalidationListener externalListener = this::external;

    public SamplerPanel() {
        setSpacing(6);
        setPadding(new Insets(8));
        presets.setId("presets");
        temperature.setId("temperature");
        seed.setId("seed");
        maxTokens.setId("max-tokens");
        seed.setPromptText("empty = random");
        stops.setPromptText("one per line; \\n = newline");
        banned.setPromptText("one per line");
        stops.setPrefRowCount(2);
        banned.setPrefRowCount(2);
        message.setWrapText(true);
        message.getStyleClass().add("error-text");
        presets.setPromptText("Preset…");
        presets.setOnAction(e -> {
            Presets.Preset p = presets.getValue();
            if (p != null && bound != null) bound.samplingProperty().set(p.sampling());
        });
        for (Spinner<?> s : List.of(temperature, topK, topP, minP, typical, repPenalty, repRange, maxTokens)) {
            s.setEditable(true);
            s.setPrefWidth(110);
            s.valueProperty().addListener(x -> edit());
        }
        seed.textProperty().addListener(x -> edit());
        stops.textProperty().addListener(x -> edit());
        banned.textProperty().addListener(x -> edit());
        saveDefault.setOnAction(e -> { if (bound != null) onMakeDefault.accept(bound.samplingProperty().get()); });
        GridPane g = new GridPane();
        g.setHgap(8);
        g.setVgap(4);
        int r = 0;
        g.addRow(r++, new Label("Temperature (0 = greedy)"), temperature);
        g.addRow(r++, new Label("Top-k (0 = off)"), topK);
        g.addRow(r++, new Label("Top-p (1 = off)"), topP);
        g.addRow(r++, new Label("Min-p (0 = off)"), minP);
        g.addRow(r++, new Label("Typical-p (1 = off)"), typical);
        g.addRow(r++, new Label("Repetition penalty (1 = off)"), repPenalty);
        g.addRow(r++, new Label("Repetition range (0 = all)"), repRange);
        g.addRow(r++, new Label("Seed"), seed);
        g.addRow(r, new Label("Max tokens"), maxTokens);
        getChildren().addAll(new HBox(6, new Label("Preset"), presets), g, new Label("Stop sequences"), stops,
                new Label("Banned phrases"), banned, saveDefault, message);
    }

    private static Spinner<Double> dbl(double min, double max, double step) {
        Spinner<Double> s = new Spinner<>();
        s.setValueFactory(new SpinnerValueFactory.DoubleSpinnerValueFactory(min, max, min, step));
        return s;
    }

    public void setPresets(List<Presets.Preset> list) { presets.getItems().setAll(list); }

    public void setOnMakeDefault(Consumer<SamplerSettings> c) { onMakeDefault = c; }

    public void bind(StorySession s) {
        if (bound != null) bound.samplingProperty().removeListener(externalListener);
        bound = s;
        setDisable(s == null);
        if (s == null) return;
        s.samplingProperty().addListener(externalListener);
        show(s.samplingProperty().get());
    }

    private void external(Observable o) {
        if (!updating && bound != null) show(bound.samplingProperty().get());
    }

    private void show(SamplerSettings s) {
        updating = true;
        try {
            temperature.getValueFactory().setValue(s.temperature());
            topK.getValueFactory().setValue(s.topK());
            topP.getValueFactory().setValue(s.topP());
            minP.getValueFactory().setValue(s.minP());
            typical.getValueFactory().setValue(s.typicalP());
            repPenalty.getValueFactory().setValue(s.repetitionPenalty());
            repRange.getValueFactory().setValue(s.repetitionRange());
            maxTokens.getValueFactory().setValue(s.maxTokens());
            seed.setText(s.seed() == null ? "" : s.seed().toString());
            stops.setText(String.join("\n", s.stopSequences().stream().map(x -> x.replace("\n", "\\n")).toList()));
            banned.setText(String.join("\n", s.bannedPhrases()));
            message.setText("");
        } finally {
            updating = false;
        }
    }

    private void edit() {
        if (updating || bound == null) return;
        try {
            String sd = seed.getText().strip();
            SamplerSettings s = new SamplerSettings(temperature.getValue(), topK.getValue(), topP.getValue(), minP.getValue(), typical.getValue(),
                    repPenalty.getValue(), repRange.getValue(), sd.isEmpty() ? null : Long.parseLong(sd), maxTokens.getValue(),
                    lines(stops.getText(), true), lines(banned.getText(), false));
            updating = true;
            bound.samplingProperty().set(s);
            message.setText("");
        } catch (NumberFormatException e) {
            message.setText("Seed must be a whole number (or empty for random).");
        } catch (IllegalArgumentException | NullPointerException e) {
            message.setText(e.getMessage() == null ? "Invalid value" : e.getMessage());
        } finally {
            updating = false;
        }
    }

    private static List<String> lines(String text, boolean unescape) {
        return Arrays.stream(text.split("\n")).filter(l -> !l.isEmpty())
                .map(l -> unescape ? l.replace("\\n", "\n") : l).toList();
    }
}
