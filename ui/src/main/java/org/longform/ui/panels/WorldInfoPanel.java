package org.longform.ui.panels;

import java.util.List;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.longform.ui.app.StorySession;
import org.longform.ui.prompt.AssembledPrompt;
import org.longform.ui.prompt.WorldInfoStatus;
import org.longform.ui.story.WorldInfoEntry;
import org.longform.ui.story.WorldInfoRules;

/**
 * The lorebook: entries in priority order (top first) with their live status — in the prompt (and
 * which key fired), not triggered, or skipped for the budget — and an editor for the selected one.
 */
public final class WorldInfoPanel extends VBox {
    private final ListView<WorldInfoEntry> list = new ListView<>();
    private final TextField keys = new TextField();
    private final TextField secondary = new TextField();
    private final TextArea content = new TextArea();
    private final TextField comment = new TextField();
    private final CheckBox constant = new CheckBox("Constant (always in)");
    private final CheckBox selective = new CheckBox("Selective (needs a secondary key too)");
    private final CheckBox enabled = new CheckBox("Enabled");
    private final Spinner<Integer> scan = new Spinner<>(0, 1_000_000, 3000, 500);
    private final Spinner<Integer> budget = new Spinner<>(0, 1_000_000, 512, 64);
    private final Label status = new Label();
    private final Label rulesText =
            new Label("Entries are tried top to bottom; a key (case-insensitive) must appear in the last "
                    + "N characters of the story; entries that would exceed the budget are skipped.");
    private StorySession bound;
    private AssembledPrompt prompt;
    private boolean updating;

    public WorldInfoPanel() {
        setSpacing(6);
        setPadding(new Insets(8));
        list.setId("wi-list");
        keys.setId("wi-keys");
        content.setId("wi-content");
        secondary.setId("wi-secondary");
        content.setWrapText(true);
        content.setPrefRowCount(5);
        rulesText.setWrapText(true);
        status.setWrapText(true);
        status.setId("wi-status");
        scan.setEditable(true);
        budget.setEditable(true);
        list.setPrefHeight(160);
        list.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(WorldInfoEntry e, boolean empty) {
                super.updateItem(e, empty);
                if (empty || e == null) {
                    setText(null);
                    getStyleClass().removeAll("wi-active", "wi-skipped");
                    return;
                }
                WorldInfoStatus st = statusOf(getIndex());
                String k = e.keys().isEmpty() ? "(no keys)" : String.join(", ", e.keys());
                setText((e.comment().isBlank() ? k : e.comment() + " — " + k)
                        + (st == null ? "" : "  [" + shortState(st) + "]"));
                getStyleClass().removeAll("wi-active", "wi-skipped");
                if (st != null && st.state() == WorldInfoStatus.State.ACTIVE)
                    getStyleClass().add("wi-active");
                if (st != null && st.state() == WorldInfoStatus.State.OVER_BUDGET)
                    getStyleClass().add("wi-skipped");
            }
        });
        Button add = new Button("Add");
        add.setId("wi-add");
        Button remove = new Button("Remove");
        Button up = new Button("Up");
        Button down = new Button("Down");
        add.setOnAction(e -> {
            if (bound == null) return;
            bound.worldInfo().add(WorldInfoEntry.of("", ""));
            list.getSelectionModel().selectLast();
            keys.requestFocus();
        });
        remove.setOnAction(e -> {
            int i = list.getSelectionModel().getSelectedIndex();
            if (bound != null && i >= 0) bound.worldInfo().remove(i);
        });
        up.setOnAction(e -> move(-1));
        down.setOnAction(e -> move(1));
        GridPane form = new GridPane();
        form.setHgap(6);
        form.setVgap(4);
        form.addRow(0, new Label("Keys"), keys);
        form.addRow(1, new Label("Secondary"), secondary);
        form.addRow(2, new Label("Comment"), comment);
        GridPane.setHgrow(keys, Priority.ALWAYS);
        keys.setPromptText("comma-separated, e.g. Anna, Karenina");
        GridPane rules = new GridPane();
        rules.setHgap(6);
        rules.setVgap(4);
        rules.addRow(0, new Label("Scan last (characters)"), scan);
        rules.addRow(1, new Label("Budget (tokens)"), budget);
        getChildren()
                .addAll(
                        new Label("World info"),
                        list,
                        new HBox(6, add, remove, up, down),
                        form,
                        content,
                        new HBox(10, enabled, constant),
                        selective,
                        status,
                        rules,
                        rulesText);
        VBox.setVgrow(list, Priority.ALWAYS);
        list.getSelectionModel().selectedIndexProperty().addListener((o, a, b) -> showSelected());
        for (var p :
                List.of(keys.textProperty(), secondary.textProperty(), content.textProperty(), comment.textProperty()))
            p.addListener(x -> edit());
        for (var c : List.of(constant, selective, enabled)) c.selectedProperty().addListener(x -> edit());
        scan.valueProperty().addListener(x -> rules());
        budget.valueProperty().addListener(x -> rules());
        showSelected();
    }

    private void move(int d) {
        int i = list.getSelectionModel().getSelectedIndex();
        if (bound == null || i < 0 || i + d < 0 || i + d >= bound.worldInfo().size()) return;
        WorldInfoEntry e = bound.worldInfo().remove(i);
        bound.worldInfo().add(i + d, e);
        list.getSelectionModel().select(i + d);
    }

    public void bind(StorySession s) {
        bound = s;
        setDisable(s == null);
        list.setItems(s == null ? null : s.worldInfo());
        if (s != null) {
            updating = true;
            scan.getValueFactory().setValue(s.worldInfoRulesProperty().get().scanChars());
            budget.getValueFactory().setValue(s.worldInfoRulesProperty().get().budgetTokens());
            updating = false;
        }
        showSelected();
    }

    public void show(AssembledPrompt p) {
        prompt = p;
        list.refresh();
        showStatus();
    }

    private WorldInfoStatus statusOf(int i) {
        if (prompt == null) return null;
        return prompt.worldInfo().stream()
                .filter(s -> s.index() == i)
                .findFirst()
                .orElse(null);
    }

    private static String shortState(WorldInfoStatus s) {
        return switch (s.state()) {
            case ACTIVE -> "in prompt, " + s.tokens() + " tok";
            case DISABLED -> "off";
            case NOT_TRIGGERED -> "idle";
            case OVER_BUDGET -> "over budget";
        };
    }

    private void showSelected() {
        if (updating) return; // our own edit replaced the entry: the fields already show it (and keep the caret)
        int i = list.getSelectionModel().getSelectedIndex();
        boolean has = bound != null && i >= 0 && i < bound.worldInfo().size();
        for (var n : List.of(keys, secondary, content, comment, constant, selective, enabled)) n.setDisable(!has);
        updating = true;
        try {
            WorldInfoEntry e = has ? bound.worldInfo().get(i) : WorldInfoEntry.of("", "");
            keys.setText(String.join(", ", e.keys()));
            secondary.setText(String.join(", ", e.secondaryKeys()));
            content.setText(e.content());
            comment.setText(e.comment());
            constant.setSelected(e.constant());
            selective.setSelected(e.selective());
            enabled.setSelected(e.enabled());
        } finally {
            updating = false;
        }
        showStatus();
    }

    private void showStatus() {
        int i = list.getSelectionModel().getSelectedIndex();
        WorldInfoStatus st = i >= 0 ? statusOf(i) : null;
        status.setText(st == null ? "" : "Status: " + st.describe());
    }

    private void edit() {
        if (updating || bound == null) return;
        int i = list.getSelectionModel().getSelectedIndex();
        if (i < 0 || i >= bound.worldInfo().size()) return;
        WorldInfoEntry e = new WorldInfoEntry(
                WorldInfoEntry.splitKeys(keys.getText()),
                WorldInfoEntry.splitKeys(secondary.getText()),
                content.getText(),
                comment.getText(),
                constant.isSelected(),
                selective.isSelected(),
                enabled.isSelected());
        updating = true;
        try {
            bound.worldInfo().set(i, e);
            list.getSelectionModel().select(i);
        } finally {
            updating = false;
        }
    }

    private void rules() {
        if (updating || bound == null || scan.getValue() == null || budget.getValue() == null) return;
        bound.worldInfoRulesProperty().set(new WorldInfoRules(scan.getValue(), budget.getValue()));
    }
}
