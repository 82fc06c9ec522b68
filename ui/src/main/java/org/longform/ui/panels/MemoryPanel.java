package org.longform.ui.panels;

import java.util.List;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.longform.ui.app.StorySession;
import org.longform.ui.prompt.AssembledPrompt;
import org.longform.ui.story.StorySummary;

/**
 * Memory (pinned at the top of the prompt), the story so far (pinned after it: a draft the writer or
 * the model edits, applied when the writer accepts its cost) and the author's note (template, depth).
 */
public final class MemoryPanel extends VBox {
    private final TextArea memory = new TextArea();
    private final TextArea summary = new TextArea();
    private final Label summaryCount = new Label();
    private final Label summaryCost = new Label();
    private final Button summaryApply = new Button("Apply");
    private final Button summaryDiscard = new Button("Discard changes");
    private final Button summarise = new Button("Summarise now");
    private final CheckBox summaryOffer = new CheckBox("Offer a summary when chapters leave the model's view");
    private final TextArea note = new TextArea();
    private final TextField template = new TextField();
    private final Spinner<Integer> depth = new Spinner<>(0, 100_000, 100, 10);
    private final Label memoryCount = new Label();
    private final Label noteCount = new Label();
    private StorySession bound;

    public MemoryPanel() {
        memory.setId("memory");
        note.setId("authors-note");
        template.setId("note-template");
        depth.setId("note-depth");
        depth.setEditable(true);
        memory.setWrapText(true);
        note.setWrapText(true);
        memory.setPromptText("Always in context, at the top: the premise, main characters, style…");
        summary.setId("summary");
        summary.setWrapText(true);
        summary.setPrefRowCount(5);
        summary.setPromptText("What happened in the chapters that left the model's view. Sits after memory; "
                + "changes only when you apply them.");
        summaryCount.setId("summary-count");
        summaryCount.setWrapText(true);
        summaryCost.setId("summary-cost");
        summaryCost.setWrapText(true);
        summaryApply.setId("summary-apply");
        summaryDiscard.setId("summary-discard");
        summarise.setId("summary-summarise");
        summarise.setTooltip(new Tooltip("The model summarises the chapters that left its view into a draft;"
                + " nothing changes for the model until you apply it."));
        summaryOffer.setId("summary-offer");
        summaryOffer.setWrapText(true);
        note.setPromptText("Steers the next paragraphs, e.g. \"Tone: tense. Anna is hiding something.\"");
        setSpacing(6);
        setPadding(new Insets(8));
        VBox.setVgrow(memory, Priority.ALWAYS);
        getChildren()
                .addAll(
                        new Label("Memory"),
                        memory,
                        memoryCount,
                        new Label("Story so far"),
                        summary,
                        summaryCount,
                        new HBox(6, summaryApply, summaryDiscard),
                        summaryCost,
                        summarise,
                        summaryOffer,
                        new Label("Author's note"),
                        note,
                        new Label("Template (<|> = the note)"),
                        template,
                        new Label("Inserted this many tokens before the end"),
                        depth,
                        noteCount);
        depth.valueProperty().addListener((o, a, b) -> {
            if (bound != null && b != null) bound.noteDepthProperty().set(b);
        });
    }

    public void bind(StorySession s) {
        if (bound != null) {
            memory.textProperty().unbindBidirectional(bound.memoryProperty());
            summary.textProperty().unbindBidirectional(bound.summaryDraftProperty());
            summaryOffer.selectedProperty().unbindBidirectional(bound.summaryOfferProperty());
            summaryApply.disableProperty().unbind();
            summaryDiscard.disableProperty().unbind();
            note.textProperty().unbindBidirectional(bound.noteTextProperty());
            template.textProperty().unbindBidirectional(bound.noteTemplateProperty());
        }
        bound = s;
        setDisable(s == null);
        if (s == null) return;
        memory.textProperty().bindBidirectional(s.memoryProperty());
        summary.textProperty().bindBidirectional(s.summaryDraftProperty());
        summaryOffer.selectedProperty().bindBidirectional(s.summaryOfferProperty());
        summaryApply.disableProperty().bind(s.summaryDraftedProperty().not());
        summaryDiscard.disableProperty().bind(s.summaryDraftedProperty().not());
        note.textProperty().bindBidirectional(s.noteTextProperty());
        template.textProperty().bindBidirectional(s.noteTemplateProperty());
        depth.getValueFactory().setValue(s.noteDepthProperty().get());
    }

    public void show(AssembledPrompt p) {
        memoryCount.setText(p == null ? "" : p.memoryTokens() + " tokens");
        List<StorySummary.Covered> covered =
                bound == null ? List.of() : bound.summaryProperty().get().covered();
        String covers = covered.isEmpty()
                ? ""
                : " · covers " + covered.size() + (covered.size() == 1 ? " chapter" : " chapters") + ", to "
                        + covered.getLast().title();
        summaryCount.setText(p == null ? "" : p.summaryTokens() + " tokens in the prompt" + covers);
        noteCount.setText(p == null ? "" : p.noteTokens() + " tokens");
    }

    /** What applying the draft would cost ("" when there is nothing to apply). */
    public void showSummaryCost(String line) {
        summaryCost.setText(line);
    }

    public Button summaryApply() {
        return summaryApply;
    }

    public Button summaryDiscard() {
        return summaryDiscard;
    }

    public Button summarise() {
        return summarise;
    }

    /** Puts the caret at the end of the story so far, for the writer to write it. */
    public void focusSummary() {
        summary.requestFocus();
        summary.positionCaret(summary.getLength());
    }
}
