package org.longform.ui.panels;

import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.longform.ui.prompt.AssembledPrompt;

/**
 * The context map: one bar split into memory / world info / author's note / story / free space,
 * widths proportional to exact token counts out of the context size, with the numbers beside it.
 */
public final class ContextBar extends VBox {
    private final Region memory = segment("ctx-memory");
    private final Region summary = segment("ctx-summary");
    private final Region worldInfo = segment("ctx-worldinfo");
    private final Region note = segment("ctx-note");
    private final Region story = segment("ctx-story");
    private final Region free = segment("ctx-free");
    private final HBox bar = new HBox(memory, summary, worldInfo, note, story, free);
    private final Label legend = new Label("Context: no model loaded");
    private AssembledPrompt shown;

    public ContextBar() {
        getStyleClass().add("context-bar");
        bar.getStyleClass().add("ctx-track");
        bar.setMinHeight(12);
        bar.setPrefHeight(12);
        legend.setId("context-legend");
        legend.getStyleClass().add("ctx-legend");
        setSpacing(3);
        setPadding(new Insets(4, 8, 4, 8));
        getChildren().addAll(bar, legend);
        bar.widthProperty().addListener(x -> layoutSegments());
        // Installed once: a Tooltip is a popup window with its own scene, too dear to make on every recount.
        Tooltip.install(
                bar,
                new Tooltip(
                        "Prompt layout (cheap changes last, for KV-cache reuse): memory at the top, the story so far, the story, then world "
                                + "info and the author's note at depth near the end. Counts are exact tokens from the model's tokenizer. 'Recomputes' is "
                                + "what the next generation must read again; the rest is in the cache."));
    }

    private static Region segment(String cls) {
        Region r = new Region();
        r.getStyleClass().addAll("ctx-seg", cls);
        r.setMinWidth(0);
        HBox.setHgrow(r, Priority.NEVER);
        return r;
    }

    public void show(AssembledPrompt p) {
        shown = p;
        refreshLegend();
        layoutSegments();
    }

    /** What the next generation recomputes with the cache as it is (-1: unknown, e.g. a remote model). */
    public void showRecompute(int tokens) {
        recompute = tokens;
        refreshLegend();
    }

    private void refreshLegend() {
        AssembledPrompt p = shown;
        if (p == null) {
            legend.setText("Context: no model loaded");
            return;
        }
        legend.setText(String.format(
                "Memory %d%s · World info %d · Author's note %d · Story %d · Free %d  —  %d of %d tokens (%d reserved for generation)%s%s",
                p.memoryTokens(),
                p.summaryTokens() > 0 ? " · Story so far " + p.summaryTokens() : "",
                p.worldInfoTokens(),
                p.noteTokens(),
                p.storyTokens(),
                p.free(),
                p.total(),
                p.contextSize(),
                p.reserve(),
                recompute < 0 ? "" : String.format("  ·  next generation recomputes %,d", recompute),
                p.storyCut() > 0 ? "  ·  story before character " + p.storyCut() + " is out of view (shaded)" : ""));
    }

    public AssembledPrompt shown() {
        return shown;
    }

    private int recompute = -1;

    public String legendText() {
        return legend.getText();
    }

    private void layoutSegments() {
        double w = Math.max(0, bar.getWidth());
        if (shown == null || shown.contextSize() <= 0) {
            for (Region r : new Region[] {memory, summary, worldInfo, note, story}) r.setPrefWidth(0);
            free.setPrefWidth(w);
            return;
        }
        double per = w / shown.contextSize();
        memory.setPrefWidth(shown.memoryTokens() * per);
        summary.setPrefWidth(shown.summaryTokens() * per);
        worldInfo.setPrefWidth(shown.worldInfoTokens() * per);
        note.setPrefWidth(shown.noteTokens() * per);
        story.setPrefWidth(shown.storyTokens() * per);
        free.setPrefWidth(shown.free() * per);
    }
}
