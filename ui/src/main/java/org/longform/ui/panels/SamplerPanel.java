package org.longform.ui.panels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
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
import javafx.scene.control.TextInputDialog;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.longform.engine.sample.SamplerSettings;
import org.longform.ui.app.Presets;
import org.longform.ui.app.StorySession;

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
    private final Spinner<Double> dryMultiplier = dbl(0, 10, 0.05);
    private final Spinner<Double> dryBase = dbl(1, 10, 0.05);
    private final Spinner<Integer> dryAllowed = new Spinner<>(1, 1000, 2, 1);
    private final Spinner<Integer> dryRange = new Spinner<>(0, 1_000_000, 0, 64);
    private final TextArea dryBreakers = new TextArea();
    private final Spinner<Double> xtcThreshold = dbl(0, 1, 0.01);
    private final Spinner<Double> xtcProbability = dbl(0, 1, 0.05);
    private final TextArea tokenBias = new TextArea();
    private final TextArea phraseBias = new TextArea();
    private final Label message = new Label();
    private final Label presetStatus = new Label();
    private final Button saveDefault = new Button("Use as default for new stories");
    private final Button savePreset = new Button("Save as preset…");
    private Path presetDir;
    private Executor io;
    private Consumer<Runnable> fx;
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
        dryMultiplier.setId("dry-multiplier");
        dryBase.setId("dry-base");
        dryAllowed.setId("dry-allowed-length");
        dryRange.setId("dry-range");
        dryBreakers.setId("dry-breakers");
        xtcThreshold.setId("xtc-threshold");
        xtcProbability.setId("xtc-probability");
        tokenBias.setId("logit-bias");
        phraseBias.setId("phrase-bias");
        savePreset.setId("save-preset");
        presetStatus.setId("preset-status");
        message.setId("sampler-message");
        presetStatus.setWrapText(true);
        dryBreakers.setPromptText("one per line; \\n = newline");
        tokenBias.setPromptText("token id: bias, one per line (e.g. 50256: -100)");
        phraseBias.setPromptText("phrase: bias, one per line; biases the phrase's first token");
        for (TextArea a : List.of(dryBreakers, tokenBias, phraseBias)) {
            a.setPrefRowCount(2);
            a.textProperty().addListener(x -> edit());
        }
        savePreset.setDisable(true);
        savePreset.setOnAction(e -> askPresetName().ifPresent(this::savePreset));
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
        for (Spinner<?> s : List.of(
                temperature,
                topK,
                topP,
                minP,
                typical,
                repPenalty,
                repRange,
                maxTokens,
                dryMultiplier,
                dryBase,
                dryAllowed,
                dryRange,
                xtcThreshold,
                xtcProbability)) {
            s.setEditable(true);
            s.setPrefWidth(110);
            s.valueProperty().addListener(x -> edit());
        }
        seed.textProperty().addListener(x -> edit());
        stops.textProperty().addListener(x -> edit());
        banned.textProperty().addListener(x -> edit());
        saveDefault.setOnAction(e -> {
            if (bound != null) onMakeDefault.accept(bound.samplingProperty().get());
        });
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
        g.addRow(r++, new Label("Max tokens"), maxTokens);
        g.addRow(r++, new Label("DRY multiplier (0 = off)"), dryMultiplier);
        g.addRow(r++, new Label("DRY base"), dryBase);
        g.addRow(r++, new Label("DRY allowed length"), dryAllowed);
        g.addRow(r++, new Label("DRY range (0 = all)"), dryRange);
        g.addRow(r++, new Label("XTC threshold (> 0.5 = off)"), xtcThreshold);
        g.addRow(r, new Label("XTC probability (0 = off)"), xtcProbability);
        getChildren()
                .addAll(
                        new HBox(6, new Label("Preset"), presets),
                        g,
                        new Label("Stop sequences"),
                        stops,
                        new Label("Banned phrases"),
                        banned,
                        new Label("DRY sequence breakers"),
                        dryBreakers,
                        new Label("Logit bias by token id"),
                        tokenBias,
                        new Label("Phrase bias (first token of the phrase)"),
                        phraseBias,
                        new HBox(6, saveDefault, savePreset),
                        presetStatus,
                        message);
    }

    private static Spinner<Double> dbl(double min, double max, double step) {
        Spinner<Double> s = new Spinner<>();
        s.setValueFactory(new SpinnerValueFactory.DoubleSpinnerValueFactory(min, max, min, step));
        return s;
    }

    public void setPresets(List<Presets.Preset> list) {
        presets.getItems().setAll(list);
    }

    public void setOnMakeDefault(Consumer<SamplerSettings> c) {
        onMakeDefault = c;
    }

    /** Where "Save as preset…" writes NAME.json (CONFIG/presets), and the threads to write and report on. */
    public void setPresetFolder(Path dir, Executor io, Consumer<Runnable> fx) {
        this.presetDir = dir;
        this.io = io;
        this.fx = fx;
        savePreset.setDisable(false);
    }

    private Optional<String> askPresetName() {
        TextInputDialog ask = new TextInputDialog(
                presets.getValue() != null ? presets.getValue().name() : "");
        if (getScene() != null) ask.initOwner(getScene().getWindow());
        ask.setTitle("Save as preset");
        ask.setHeaderText("Save the current sampler settings as a preset");
        ask.setContentText("Name:");
        ask.getEditor().setId("preset-name");
        return ask.showAndWait().map(String::strip).filter(x -> !x.isEmpty());
    }

    /** Writes the current settings as preset {@code name} (off the FX thread) and lists it; same name replaces. */
    public void savePreset(String name) {
        if (bound == null || presetDir == null) return;
        SamplerSettings s = bound.samplingProperty().get();
        Path file = presetDir.resolve(fileName(name) + ".json");
        io.execute(() -> {
            try {
                Files.createDirectories(presetDir);
                Presets.save(file, name, "Saved from the Sampler panel", s);
                fx.accept(() -> {
                    presets.getItems().removeIf(p -> p.name().equals(name) || file.equals(p.file()));
                    presets.getItems().add(new Presets.Preset(name, "Saved from the Sampler panel", s, file));
                    presetStatus.setText("Saved preset \"" + name + "\" to " + file);
                });
            } catch (IOException | RuntimeException e) {
                fx.accept(() -> presetStatus.setText("Could not save preset " + file + ": " + e.getMessage()));
            }
        });
    }

    /** A file name that any OS accepts: letters, digits, space, '-', '_' and '.' kept, the rest as '_'. */
    static String fileName(String name) {
        String f = name.replaceAll("[^\\p{L}\\p{N} ._-]", "_").strip();
        return f.isEmpty() || f.startsWith(".") ? "preset" + f : f;
    }

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
            stops.setText(String.join(
                    "\n",
                    s.stopSequences().stream().map(x -> x.replace("\n", "\\n")).toList()));
            banned.setText(String.join("\n", s.bannedPhrases()));
            dryMultiplier.getValueFactory().setValue(s.dry().multiplier());
            dryBase.getValueFactory().setValue(s.dry().base());
            dryAllowed.getValueFactory().setValue(s.dry().allowedLength());
            dryRange.getValueFactory().setValue(s.dry().range());
            dryBreakers.setText(String.join(
                    "\n",
                    s.dry().sequenceBreakers().stream()
                            .map(x -> x.replace("\n", "\\n"))
                            .toList()));
            xtcThreshold.getValueFactory().setValue(s.xtc().threshold());
            xtcProbability.getValueFactory().setValue(s.xtc().probability());
            tokenBias.setText(biasText(s.logitBias()));
            phraseBias.setText(biasText(s.phraseBias()));
            message.setText("");
        } finally {
            updating = false;
        }
    }

    private void edit() {
        if (updating || bound == null) return;
        try {
            String sd = seed.getText().strip();
            Long seedValue;
            try {
                seedValue = sd.isEmpty() ? null : Long.parseLong(sd);
            } catch (NumberFormatException e) {
                message.setText("Seed must be a whole number (or empty for random).");
                return;
            }
            SamplerSettings s = new SamplerSettings(
                    temperature.getValue(),
                    topK.getValue(),
                    topP.getValue(),
                    minP.getValue(),
                    typical.getValue(),
                    repPenalty.getValue(),
                    repRange.getValue(),
                    seedValue,
                    maxTokens.getValue(),
                    lines(stops.getText(), true),
                    lines(banned.getText(), false),
                    new SamplerSettings.Dry(
                            dryMultiplier.getValue(),
                            dryBase.getValue(),
                            dryAllowed.getValue(),
                            dryRange.getValue(),
                            lines(dryBreakers.getText(), true)),
                    new SamplerSettings.Xtc(xtcThreshold.getValue(), xtcProbability.getValue()),
                    bias(tokenBias.getText(), "Logit bias", SamplerPanel::tokenId),
                    bias(phraseBias.getText(), "Phrase bias", p -> p));
            updating = true;
            bound.samplingProperty().set(s);
            message.setText("");
        } catch (IllegalArgumentException | NullPointerException e) {
            message.setText(e.getMessage() == null ? "Invalid value" : e.getMessage());
        } finally {
            updating = false;
        }
    }

    private static String biasText(Map<?, Double> bias) {
        StringBuilder b = new StringBuilder();
        bias.forEach((k, v) ->
                b.append(b.isEmpty() ? "" : "\n").append(k).append(": ").append(v));
        return b.toString();
    }

    private static Integer tokenId(String s) {
        try {
            return Integer.valueOf(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "Logit bias: \"" + s + "\" is not a token id (use Phrase bias for text)");
        }
    }

    /** "KEY: BIAS" per line; the last colon splits, so a phrase may hold colons. */
    private static <K> Map<K, Double> bias(String text, String what, Function<String, K> key) {
        Map<K, Double> out = new LinkedHashMap<>();
        for (String line : lines(text, false)) {
            int colon = line.lastIndexOf(':');
            if (colon <= 0) throw new IllegalArgumentException(what + ": \"" + line + "\" must look like KEY: BIAS");
            String k = line.substring(0, colon).strip();
            try {
                out.put(
                        key.apply(k),
                        Double.parseDouble(line.substring(colon + 1).strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + ": \"" + line + "\" needs a number after the colon");
            }
        }
        return out;
    }

    private static List<String> lines(String text, boolean unescape) {
        return Arrays.stream(text.split("\n"))
                .filter(l -> !l.isEmpty())
                .map(l -> unescape ? l.replace("\\n", "\n") : l)
                .toList();
    }
}
