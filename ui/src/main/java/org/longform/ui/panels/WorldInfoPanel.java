package org.longform.ui.panels;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javafx.beans.InvalidationListener;
import javafx.collections.ListChangeListener;
import javafx.collections.transformation.FilteredList;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
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

/**
 * The lorebook: entries in priority order (top first) with their live status — in the prompt (and
 * which key fired), not triggered, excluded by an anti-key, off with their folder, or skipped for
 * the budget — and an editor for the selected one. A folder filter shows one folder's entries and
 * switches that folder on or off as a whole.
 */
public final class WorldInfoPanel extends VBox {
    /** A choice of the folder filter: all entries (folder null), those in no folder (""), or one folder. */
    public record FolderFilter(String folder) {
        static final FolderFilter ALL = new FolderFilter(null);
        static final FolderFilter NONE = new FolderFilter("");

        boolean accepts(WorldInfoEntry e) {
            return folder == null || folder.equals(e.folder());
        }

        @Override
        public String toString() {
            return folder == null ? "All folders" : folder.isEmpty() ? "(no folder)" : folder;
        }
    }

    private final ListView<WorldInfoEntry> list = new ListView<>();
    private FilteredList<WorldInfoEntry> shown;
    private final ComboBox<FolderFilter> filter = new ComboBox<>();
    private final CheckBox folderOn = new CheckBox("Folder on");
    private final TextField keys = new TextField();
    private final TextField secondary = new TextField();
    private final TextField anti = new TextField();
    private final TextArea content = new TextArea();
    private final TextField comment = new TextField();
    private final TextField folder = new TextField();
    private final CheckBox constant = new CheckBox("Constant (always in)");
    private final CheckBox selective = new CheckBox("Selective (secondary keys and anti-keys apply)");
    private final CheckBox enabled = new CheckBox("Enabled");
    private final Spinner<Integer> scan = new Spinner<>(0, 1_000_000, 3000, 500);
    private final Spinner<Integer> budget = new Spinner<>(0, 1_000_000, 512, 64);
    private final Label status = new Label();
    private final Label rulesText =
            new Label("Entries are tried top to bottom; a key (case-insensitive) must appear in "
                    + "the last N characters of the story; a selective entry also needs a secondary key (if it has "
                    + "any) and stays out when an anti-key appears; entries that would exceed the budget are skipped.");
    private final ListChangeListener<WorldInfoEntry> entriesChanged = c -> refreshFolders();
    private final InvalidationListener rulesChanged = o -> refreshFolders();
    private StorySession bound;
    private AssembledPrompt prompt;
    private boolean updating;

    public WorldInfoPanel() {
        setSpacing(6);
        setPadding(new Insets(8));
        list.setId("wi-list");
        filter.setId("wi-filter");
        folderOn.setId("wi-folder-on");
        keys.setId("wi-keys");
        content.setId("wi-content");
        secondary.setId("wi-secondary");
        anti.setId("wi-anti");
        folder.setId("wi-folder");
        selective.setId("wi-selective");
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
                getStyleClass().removeAll("wi-active", "wi-skipped");
                if (empty || e == null) {
                    setText(null);
                    return;
                }
                WorldInfoStatus st = statusOf(sourceIndex(getIndex()));
                String k = e.keys().isEmpty() ? "(no keys)" : String.join(", ", e.keys());
                String where = e.folder().isEmpty() || selectedFilter().folder() != null ? "" : e.folder() + " / ";
                setText(where
                        + (e.comment().isBlank() ? k : e.comment() + " — " + k)
                        + (st == null ? "" : "  [" + shortState(st) + "]"));
                if (st != null && st.state() == WorldInfoStatus.State.ACTIVE)
                    getStyleClass().add("wi-active");
                if (st != null && st.state() == WorldInfoStatus.State.OVER_BUDGET)
                    getStyleClass().add("wi-skipped");
            }
        });
        filter.getItems().setAll(FolderFilter.ALL);
        filter.getSelectionModel().select(FolderFilter.ALL);
        filter.valueProperty().addListener((o, a, b) -> applyFilter());
        folderOn.selectedProperty().addListener(x -> toggleFolder());
        Button add = new Button("Add");
        add.setId("wi-add");
        Button remove = new Button("Remove");
        Button up = new Button("Up");
        Button down = new Button("Down");
        add.setOnAction(e -> {
            if (bound == null) return;
            String f = selectedFilter().folder();
            bound.worldInfo().add(WorldInfoEntry.of("", "").withFolder(f == null ? "" : f));
            list.getSelectionModel().selectLast();
            keys.requestFocus();
        });
        remove.setOnAction(e -> {
            int i = selectedSource();
            if (i >= 0) bound.worldInfo().remove(i);
        });
        up.setOnAction(e -> move(-1));
        down.setOnAction(e -> move(1));
        GridPane form = new GridPane();
        form.setHgap(6);
        form.setVgap(4);
        form.addRow(0, new Label("Keys"), keys);
        form.addRow(1, new Label("Secondary"), secondary);
        form.addRow(2, new Label("Anti-keys"), anti);
        form.addRow(3, new Label("Comment"), comment);
        form.addRow(4, new Label("Folder"), folder);
        GridPane.setHgrow(keys, Priority.ALWAYS);
        keys.setPromptText("comma-separated, e.g. Anna, Karenina");
        secondary.setPromptText("selective: one of these must appear too");
        anti.setPromptText("selective: left out when one of these appears");
        folder.setPromptText("none; Enter to move the entry");
        GridPane rules = new GridPane();
        rules.setHgap(6);
        rules.setVgap(4);
        rules.addRow(0, new Label("Scan last (characters)"), scan);
        rules.addRow(1, new Label("Budget (tokens)"), budget);
        HBox folders = new HBox(6, new Label("Folder"), filter, folderOn);
        getChildren()
                .addAll(
                        new Label("World info"),
                        folders,
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
        for (var p : List.of(
                keys.textProperty(),
                secondary.textProperty(),
                anti.textProperty(),
                content.textProperty(),
                comment.textProperty())) p.addListener(x -> edit());
        for (var c : List.of(constant, selective, enabled)) c.selectedProperty().addListener(x -> edit());
        selective.selectedProperty().addListener(x -> enableSelectiveFields());
        // A folder is taken when typed out, not per keystroke: a filtered list would drop the entry mid-word.
        folder.setOnAction(e -> moveToFolder());
        folder.focusedProperty().addListener((o, was, is) -> {
            if (!is) moveToFolder();
        });
        scan.valueProperty().addListener(x -> rules());
        budget.valueProperty().addListener(x -> rules());
        showSelected();
    }

    private FolderFilter selectedFilter() {
        FolderFilter f = filter.getValue();
        return f == null ? FolderFilter.ALL : f;
    }

    /** The index in the story's entries of the list's row {@code row}, or -1. */
    private int sourceIndex(int row) {
        if (shown == null || row < 0 || row >= shown.size()) return -1;
        return shown.getSourceIndex(row);
    }

    private int selectedSource() {
        return bound == null ? -1 : sourceIndex(list.getSelectionModel().getSelectedIndex());
    }

    /** Swaps the selected entry with its neighbour in the shown list (priority is the story's order). */
    private void move(int d) {
        int row = list.getSelectionModel().getSelectedIndex();
        int a = sourceIndex(row), b = sourceIndex(row + d);
        if (a < 0 || b < 0) return;
        var all = bound.worldInfo();
        WorldInfoEntry ea = all.get(a), eb = all.get(b);
        updating = true;
        try {
            all.set(a, eb);
            all.set(b, ea);
        } finally {
            updating = false;
        }
        list.getSelectionModel().select(row + d);
    }

    public void bind(StorySession s) {
        if (bound != null) {
            bound.worldInfo().removeListener(entriesChanged);
            bound.worldInfoRulesProperty().removeListener(rulesChanged);
        }
        bound = s;
        setDisable(s == null);
        shown = s == null ? null : new FilteredList<>(s.worldInfo(), selectedFilter()::accepts);
        list.setItems(shown);
        if (s != null) {
            s.worldInfo().addListener(entriesChanged);
            s.worldInfoRulesProperty().addListener(rulesChanged);
            updating = true;
            scan.getValueFactory().setValue(s.worldInfoRulesProperty().get().scanChars());
            budget.getValueFactory().setValue(s.worldInfoRulesProperty().get().budgetTokens());
            updating = false;
        }
        refreshFolders();
        applyFilter();
    }

    /** The filter's choices follow the folders the entries name; the switch follows the story's rules. */
    private void refreshFolders() {
        List<FolderFilter> choices = new ArrayList<>(List.of(FolderFilter.ALL));
        if (bound != null) {
            List<String> names = new ArrayList<>();
            for (WorldInfoEntry e : bound.worldInfo())
                if (!e.folder().isEmpty() && !names.contains(e.folder())) names.add(e.folder());
            for (String f : bound.worldInfoRulesProperty().get().disabledFolders())
                if (!names.contains(f)) names.add(f);
            if (!names.isEmpty()) choices.add(FolderFilter.NONE);
            for (String f : names) choices.add(new FolderFilter(f));
        }
        FolderFilter was = selectedFilter();
        boolean wasUpdating = updating;
        updating = true;
        try {
            if (!filter.getItems().equals(choices)) {
                filter.getItems().setAll(choices);
                filter.setValue(choices.contains(was) ? was : FolderFilter.ALL);
            }
            showFolderSwitch();
        } finally {
            updating = wasUpdating;
        }
        if (!Objects.equals(was, selectedFilter())) applyFilter();
    }

    private void showFolderSwitch() {
        String f = selectedFilter().folder();
        boolean one = bound != null && f != null && !f.isEmpty();
        folderOn.setDisable(!one);
        folderOn.setSelected(!one || bound.worldInfoRulesProperty().get().folderEnabled(f));
    }

    private void applyFilter() {
        if (updating) return;
        if (shown != null) shown.setPredicate(selectedFilter()::accepts);
        updating = true;
        try {
            showFolderSwitch();
        } finally {
            updating = false;
        }
        list.refresh();
        showSelected();
    }

    private void toggleFolder() {
        if (updating || bound == null) return;
        String f = selectedFilter().folder();
        if (f == null || f.isEmpty()) return;
        var rules = bound.worldInfoRulesProperty();
        rules.set(rules.get().withFolder(f, folderOn.isSelected()));
    }

    /** Selects a folder's entries in the list, e.g. to switch the folder off. */
    public void showFolder(String name) {
        filter.setValue(name == null ? FolderFilter.ALL : new FolderFilter(name));
    }

    public void show(AssembledPrompt p) {
        prompt = p;
        list.refresh();
        showStatus();
    }

    private WorldInfoStatus statusOf(int i) {
        if (prompt == null || i < 0) return null;
        return prompt.worldInfo().stream()
                .filter(s -> s.index() == i)
                .findFirst()
                .orElse(null);
    }

    private static String shortState(WorldInfoStatus s) {
        return switch (s.state()) {
            case ACTIVE -> "in prompt, " + s.tokens() + " tok";
            case DISABLED -> "off";
            case FOLDER_OFF -> "folder off";
            case NOT_TRIGGERED -> "idle";
            case NO_SECONDARY -> "no secondary key";
            case EXCLUDED -> "excluded by \"" + s.key() + "\"";
            case OVER_BUDGET -> "over budget";
        };
    }

    private void showSelected() {
        if (updating) return; // our own edit replaced the entry: the fields already show it (and keep the caret)
        int i = selectedSource();
        boolean has = i >= 0;
        for (var n : List.of(keys, secondary, anti, content, comment, folder, constant, selective, enabled))
            n.setDisable(!has);
        updating = true;
        try {
            WorldInfoEntry e = has ? bound.worldInfo().get(i) : WorldInfoEntry.of("", "");
            keys.setText(String.join(", ", e.keys()));
            secondary.setText(String.join(", ", e.secondaryKeys()));
            anti.setText(String.join(", ", e.antiKeys()));
            content.setText(e.content());
            comment.setText(e.comment());
            folder.setText(e.folder());
            constant.setSelected(e.constant());
            selective.setSelected(e.selective());
            enabled.setSelected(e.enabled());
        } finally {
            updating = false;
        }
        enableSelectiveFields();
        showStatus();
    }

    /** Secondary keys and anti-keys count only for a selective entry: greyed out otherwise, text kept. */
    private void enableSelectiveFields() {
        boolean off = selectedSource() < 0 || !selective.isSelected();
        secondary.setDisable(off);
        anti.setDisable(off);
    }

    private void showStatus() {
        WorldInfoStatus st = statusOf(selectedSource());
        status.setText(st == null ? "" : "Status: " + st.describe());
    }

    private WorldInfoEntry fromFields(String folderName) {
        return new WorldInfoEntry(
                WorldInfoEntry.splitKeys(keys.getText()),
                WorldInfoEntry.splitKeys(secondary.getText()),
                WorldInfoEntry.splitKeys(anti.getText()),
                content.getText(),
                comment.getText(),
                folderName,
                constant.isSelected(),
                selective.isSelected(),
                enabled.isSelected());
    }

    private void edit() {
        if (updating) return;
        int i = selectedSource();
        if (i < 0) return;
        WorldInfoEntry e = fromFields(bound.worldInfo().get(i).folder());
        int row = list.getSelectionModel().getSelectedIndex();
        updating = true;
        try {
            bound.worldInfo().set(i, e);
            list.getSelectionModel().select(row);
        } finally {
            updating = false;
        }
    }

    /** Puts the selected entry in the typed folder; when the filter would hide it, the filter follows it. */
    private void moveToFolder() {
        if (updating) return;
        int i = selectedSource();
        if (i < 0) return;
        WorldInfoEntry e = bound.worldInfo().get(i).withFolder(folder.getText());
        if (e.equals(bound.worldInfo().get(i))) return;
        bound.worldInfo().set(i, e);
        if (!selectedFilter().accepts(e)) showFolder(e.folder());
        for (int r = 0; r < shown.size(); r++)
            if (shown.getSourceIndex(r) == i) list.getSelectionModel().select(r);
    }

    private void rules() {
        if (updating || bound == null || scan.getValue() == null || budget.getValue() == null) return;
        var rules = bound.worldInfoRulesProperty();
        rules.set(rules.get().withScan(scan.getValue(), budget.getValue()));
    }
}
