package org.longform.ui.firstrun;

import java.util.List;
import java.util.Locale;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.control.TitledPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.longform.hub.KvPlan;
import org.longform.hub.Sizes;
import org.longform.hub.SuggestedModels;
import org.longform.hub.SystemReport;

/**
 * One screen that explains the machine check in plain words (memory, CPU vectors, CUDA, the KV
 * cache dtype and window it recommends), says that the bundled model is a small demo and how to
 * get the real one, with the full {@code longform doctor} report folded underneath.
 */
public final class FirstRunPane extends VBox {
    private final Label memory = new Label(),
            cpu = new Label(),
            gpu = new Label(),
            kv = new Label(),
            verdict = new Label(),
            demo = new Label();
    private final Button download = new Button("Download MPT-7B-StoryWriter…");
    private final Button sample = new Button("Open the sample story");
    private final Button close = new Button("Start writing");

    public FirstRunPane(SystemReport r, boolean firstRun) {
        setSpacing(10);
        setPadding(new Insets(16));
        Label title = new Label(firstRun ? "Welcome to Longform" : "System check");
        title.setId("fr-title");
        title.getStyleClass().add("first-run-title");
        Label intro = new Label(
                firstRun
                        ? "Longform checked this computer to see how much of a story the model can keep in mind at once. "
                                + "You can see this again with Help ▸ System check…"
                        : "What this computer offers the model, and the settings Longform recommends.");
        memory.setId("fr-memory");
        cpu.setId("fr-cpu");
        gpu.setId("fr-gpu");
        kv.setId("fr-kv");
        verdict.setId("fr-verdict");
        demo.setId("fr-demo");
        download.setId("fr-download");
        sample.setId("fr-sample");
        close.setId("fr-close");
        demo.getStyleClass().add("demo-notice");
        for (Label l : new Label[] {intro, memory, cpu, gpu, kv, verdict, demo}) {
            l.setWrapText(true);
            l.setMaxWidth(Double.MAX_VALUE);
        }
        memory.setText(
                "Memory: " + Sizes.gib(r.totalMemory()) + " in all, " + Sizes.gib(r.availableMemory()) + " free now; "
                        + "Java may use up to " + Sizes.gib(r.maxHeap())
                        + ". The weights are read straight from disk into memory, "
                        + "the rest holds the story the model keeps in mind (the KV cache).");
        cpu.setText("Processor: " + r.cores() + " cores, "
                + (r.vectorBits() > 0
                        ? r.vectorBits() + "-bit vector instructions (" + r.vectorBits() / 32 + " numbers at once)"
                                + (r.cpuFeatures().isEmpty() ? "" : ": " + String.join(" ", r.cpuFeatures()))
                        : "no vector instructions available to Java (" + r.vectorNote() + ")")
                + ".");
        gpu.setText("Graphics card: "
                + (r.cuda().usable()
                        ? "CUDA driver " + r.cuda().driverVersionText() + ", "
                                + r.cuda().devices() + " device(s)"
                                + (r.cuda().gpus().isEmpty()
                                        ? ""
                                        : ": " + String.join("; ", r.cuda().gpus()))
                        : "no usable NVIDIA GPU (" + r.cuda().note() + ")")
                + ". Longform's engine runs on the processor; memory speed sets how fast it writes.");
        KvPlan p = r.kv();
        kv.setText(
                p.fits()
                        ? "Recommended for " + r.target().name() + ": KV cache "
                                + p.dtype().label() + " (" + KvPlan.description(p.dtype()) + "), a window of "
                                + n(p.window()) + " tokens, about " + n(p.window() * 3L / 4)
                                + " words of story in view. Why: " + p.reason() + ". "
                                + "Longform sets this up by itself; Model ▸ Engine settings… changes it."
                        : "Recommended for " + r.target().name() + ": it does not fit on this computer: " + p.reason()
                                + ".");
        List<String> problems = r.problems();
        verdict.setText(
                problems.isEmpty()
                        ? "Verdict: ready to write."
                        : "Worth knowing:\n • " + String.join("\n • ", problems));
        if (!problems.isEmpty()) verdict.getStyleClass().add("error-text");
        var real = SuggestedModels.defaultModel();
        demo.setText(
                "The model that comes with Longform is a small demo model (16M parameters): it writes story-shaped English, "
                        + "not good fiction. The real one is " + real.repo() + " (" + real.title() + ", about "
                        + Sizes.human(real.approxBytes())
                        + "): download it here, or with \u201Clongform download " + real.repo()
                        + "\u201D; then load it from Model ▸ Models…");
        TextArea report = new TextArea(r.render());
        report.setId("fr-report");
        report.setEditable(false);
        report.setPrefRowCount(18);
        report.setStyle("-fx-font-family: monospace;");
        TitledPane details = new TitledPane("Full report (as `longform doctor` prints it)", report);
        details.setExpanded(false);
        getChildren()
                .addAll(
                        title,
                        intro,
                        memory,
                        cpu,
                        gpu,
                        kv,
                        verdict,
                        demo,
                        new HBox(8, download, sample, close),
                        details);
    }

    private static String n(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    public Button downloadButton() {
        return download;
    }

    public Button sampleButton() {
        return sample;
    }

    public Button closeButton() {
        return close;
    }
}
