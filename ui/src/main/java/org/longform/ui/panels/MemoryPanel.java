package org.longform.ui.panels;

import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.longform.ui.app.StorySession;
import org.longform.ui.prompt.AssembledPrompt;

/** Memory (pinned at the top of the prompt) and the author's note (template, depth). */
public final class MemoryPanel extends VBox {
    private final TextArea memory = new TextArea();
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
        note.setPromptText("Steers the next paragraphs, e.g. \"Tone: tense. Anna is hiding something.\"");
        setSpacing(6);
        setPadding(new Insets(8));
        VBox.setVgrow(memory, Priority.ALWAYS);
        getChildren()
                .addAll(
                        new Label("Memory"),
                        memory,
                        memoryCount,
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
            note.textProperty().unbindBidirectional(bound.noteTextProperty());
            template.textProperty().unbindBidirectional(bound.noteTemplateProperty());
        }
        bound = s;
        setDisable(s == null);
        if (s == null) return;
        memory.textProperty().bindBidirectional(s.memoryProperty());
        note.textProperty().bindBidirectional(s.noteTextProperty());
        template.textProperty().bindBidirectional(s.noteTemplateProperty());
        depth.getValueFactory().setValue(s.noteDepthProperty().get());
    }

    public void show(AssembledPrompt p) {
        memoryCount.setText(p == null ? "" : p.memoryTokens() + " tokens");
        noteCount.setText(p == null ? "" : p.noteTokens() + " tokens");
    }
}
