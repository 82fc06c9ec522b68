package org.longform.ui.panels;

import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.longform.ui.gen.ModelInfo;

/**
 * The model in use, its window (the prompt's size: set in Model ▸ Engine settings), KV cache dtype
 * and memory, the cache's reuse mode after deep edits, and
 * a plain statement when the small embedded demo model is loaded.
 */
public final class ModelPanel extends VBox {
    public static final String DEMO_NOTICE =
            "This is the small embedded demo model: it writes story-shaped English, not good fiction. "
                    + "The real model is mosaicml/mpt-7b-storywriter — download it in Model ▸ Models… (or the Load model… button below)";

    private final Label name = new Label("No model loaded");
    private final Label details = new Label();
    private final Label memory = new Label();
    private final Label demo = new Label(DEMO_NOTICE);
    private final Label error = new Label();
    private final CheckBox approximate = new CheckBox("Approximate reuse after deep edits (repaired while you pause)");
    private final Button engineSettings = new Button("Engine settings…");
    private final ProgressBar progress = new ProgressBar();
    private final Label progressText = new Label();
    private final Button load = new Button("Load model…");
    private final Button demoButton = new Button("Use demo model");
    private final Button connect = new Button("Connect to server…");
    private final Button cancel = new Button("Cancel");

    public ModelPanel() {
        setSpacing(8);
        setPadding(new Insets(8));
        name.setId("model-name");
        demo.setId("demo-notice");
        approximate.setId("approx-reuse");
        approximate.setWrapText(true);
        approximate.setTooltip(
                new Tooltip(
                        "After an edit far back in the story, keep the text after it as the model last read it "
                                + "instead of reading it again; the cache is made exact again in the background while you read or type."));
        engineSettings.setId("model-engine-settings");
        error.setId("model-error");
        progress.setId("model-progress");
        cancel.setId("prefill-cancel");
        connect.setId("model-connect");
        name.getStyleClass().add("model-name");
        demo.getStyleClass().add("demo-notice");
        error.getStyleClass().add("error-text");
        for (Label l : new Label[] {details, memory, demo, error, progressText}) l.setWrapText(true);
        details.setId("model-details");
        progress.setMaxWidth(Double.MAX_VALUE);
        demo.setVisible(false);
        demo.managedProperty().bind(demo.visibleProperty());
        showProgress(-2, "");
        getChildren()
                .addAll(
                        name,
                        details,
                        memory,
                        demo,
                        new HBox(6, load, connect, demoButton),
                        approximate,
                        engineSettings,
                        new HBox(6, progress, cancel),
                        progressText,
                        error);
    }

    public Button loadButton() {
        return load;
    }

    public Button demoButton() {
        return demoButton;
    }

    public Button connectButton() {
        return connect;
    }

    public Button cancelButton() {
        return cancel;
    }

    public CheckBox approximateReuse() {
        return approximate;
    }

    public Button engineSettingsButton() {
        return engineSettings;
    }

    public void show(ModelInfo m, long kvBytesInUse) {
        demo.setVisible(m != null && m.demo());
        if (m == null) {
            name.setText("No model loaded");
            details.setText("");
            memory.setText("");
            return;
        }
        if (m.isRemote()) {
            // Text comes from the server; the window is the one the writer set; counting is still ours.
            name.setText(m.name());
            details.setText(String.format(
                    "Server %s%nContext %,d tokens (as set in Connect to server…) · tokens counted with Longform's "
                            + "GPT-NeoX-20B tokenizer",
                    m.remote(), m.contextWindow()));
            memory.setText("The KV cache lives on the server");
            return;
        }
        name.setText(m.name() + (m.demo() ? " (demo)" : ""));
        details.setText(String.format(
                "%s%n%.1fM parameters%s · trained context %,d tokens · KV cache holds %,d tokens · KV dtype %s",
                m.dir(),
                m.parameters() / 1e6,
                m.weights() != null ? " in " + m.weights() : "",
                m.trainedContext(),
                m.contextWindow(),
                m.kvDtype()));
        Runtime rt = Runtime.getRuntime();
        memory.setText(String.format(
                "KV cache in use %.1f MiB (%,d bytes/token) · Java heap %d / %d MiB",
                kvBytesInUse / 1048576.0,
                m.kvBytesPerToken(),
                (rt.totalMemory() - rt.freeMemory()) >> 20,
                rt.maxMemory() >> 20));
    }

    public void showError(String message) {
        error.setText(message == null ? "" : message);
    }

    /** p in 0..1: determinate; -1: indeterminate (loading); -2: hidden. */
    public void showProgress(double p, String text) {
        boolean visible = p > -2;
        progress.setVisible(visible);
        cancel.setVisible(visible && p >= 0);
        progress.setProgress(p < 0 ? ProgressBar.INDETERMINATE_PROGRESS : p);
        progressText.setText(text);
    }
}
