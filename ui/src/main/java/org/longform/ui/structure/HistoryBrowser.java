package org.longform.ui.structure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.SplitPane;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import org.longform.ui.app.AutosaveStore;
import org.longform.ui.app.StorySession;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.StoryFile;
import org.longform.ui.story.StoryFileException;
import org.longform.ui.tools.TextCounts;

/**
 * File ▸ Version history…: the autosaved versions of the active story (newest first), a line diff
 * of the chosen one against the current text, and Restore, which puts that version's text in the
 * editor as one edit — so Undo takes the restore back. Memory, notes and world info stay as they are.
 * Versions are read on the I/O worker.
 */
public final class HistoryBrowser {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");
    private static final DateTimeFormatter SHOWN = DateTimeFormatter.ofPattern("EEE d MMM yyyy, HH:mm:ss");

    /** One autosaved version: its file and when it was written. */
    public record Version(Path file, LocalDateTime time, long bytes) {}

    private final Stage stage = new Stage();
    private final StorySession story;
    private final Executor io;
    private final Consumer<Runnable> fx;
    private final ListView<Version> versions = new ListView<>();
    private final ListView<LineDiff.Line> diff = new ListView<>();
    private final Label summary = new Label();
    private final Button restore = new Button("Restore this version");
    private StoryData shown;

    public HistoryBrowser(
            Stage owner,
            StorySession story,
            AutosaveStore store,
            Executor io,
            Consumer<Runnable> fx,
            Consumer<Scene> theme) {
        this.story = story;
        this.io = io;
        this.fx = fx;
        versions.setId("history-list");
        diff.setId("history-diff");
        summary.setId("history-summary");
        summary.setWrapText(true);
        restore.setId("history-restore");
        restore.setDisable(true);
        versions.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(Version item, boolean empty) {
                super.updateItem(item, empty);
                setText(
                        empty || item == null
                                ? null
                                : item.time().format(SHOWN)
                                        + String.format("   %,d KB", Math.max(1, item.bytes() / 1024)));
            }
        });
        diff.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(LineDiff.Line l, boolean empty) {
                super.updateItem(l, empty);
                getStyleClass().removeAll("diff-added", "diff-removed", "diff-folded");
                if (empty || l == null) {
                    setText(null);
                    return;
                }
                String line = l.text().length() > 400 ? l.text().substring(0, 400) + "…" : l.text();
                switch (l.kind()) {
                    case ADDED -> {
                        setText("+ " + line);
                        getStyleClass().add("diff-added");
                    }
                    case REMOVED -> {
                        setText("− " + line);
                        getStyleClass().add("diff-removed");
                    }
                    case FOLDED -> {
                        setText(line);
                        getStyleClass().add("diff-folded");
                    }
                    case SAME -> setText("  " + line);
                }
            }
        });
        versions.getSelectionModel().selectedItemProperty().addListener((o, a, v) -> load(v));
        restore.setOnAction(e -> restore());
        Button close = new Button("Close");
        close.setId("history-close");
        close.setOnAction(e -> stage.close());
        Label note = new Label("What changes if you restore a version: − lines go, + lines come back. "
                + "Restore is one step in Undo.");
        note.setWrapText(true);
        VBox right = new VBox(6, summary, diff, note, new HBox(8, restore, close));
        VBox.setVgrow(diff, Priority.ALWAYS);
        right.setPadding(new Insets(0, 0, 0, 6));
        SplitPane split = new SplitPane(versions, right);
        split.setDividerPositions(0.3);
        BorderPane root = new BorderPane(split);
        root.setPadding(new Insets(10));
        Scene scene = new Scene(root, 980, 620);
        theme.accept(scene);
        stage.setScene(scene);
        stage.initOwner(owner);
        stage.titleProperty().bind(story.titleProperty().concat(" — version history"));
        String id = story.id();
        io.execute(() -> {
            List<Version> found = new ArrayList<>();
            for (Path p : store.versions(id)) found.addFirst(version(p));
            fx.accept(() -> {
                versions.getItems().setAll(found);
                if (found.isEmpty()) {
                    summary.setText("No autosaved versions yet: one is kept each minute while you write (the newest "
                            + AutosaveStore.KEEP_VERSIONS + ").");
                } else versions.getSelectionModel().select(0);
            });
        });
    }

    static Version version(Path p) {
        String name = p.getFileName().toString();
        LocalDateTime t;
        try {
            t = LocalDateTime.parse(name.substring(0, name.length() - StoryFile.EXTENSION.length()), STAMP);
        } catch (RuntimeException e) {
            t = LocalDateTime.MIN;
        }
        long bytes;
        try {
            bytes = Files.size(p);
        } catch (IOException e) {
            bytes = 0;
        }
        return new Version(p, t, bytes);
    }

    public Stage stage() {
        return stage;
    }

    public ListView<Version> versions() {
        return versions;
    }

    public ListView<LineDiff.Line> diff() {
        return diff;
    }

    public Label summary() {
        return summary;
    }

    public Button restoreButton() {
        return restore;
    }

    public void show() {
        stage.show();
    }

    private void load(Version v) {
        shown = null;
        restore.setDisable(true);
        diff.getItems().clear();
        if (v == null) return;
        String current = story.editor().text();
        summary.setText("Reading " + v.file().getFileName() + "…");
        io.execute(() -> {
            try {
                StoryData d = StoryFile.read(v.file());
                List<LineDiff.Line> lines = LineDiff.diff(current, d.text(), 2);
                long added = lines.stream()
                        .filter(l -> l.kind() == LineDiff.Kind.ADDED)
                        .count();
                long removed = lines.stream()
                        .filter(l -> l.kind() == LineDiff.Kind.REMOVED)
                        .count();
                fx.accept(() -> {
                    if (versions.getSelectionModel().getSelectedItem() != v) return;
                    shown = d;
                    diff.getItems().setAll(lines);
                    summary.setText(
                            LineDiff.same(lines)
                                    ? "Same text as now."
                                    : String.format(
                                            "Against the text now: %,d line%s would go, %,d would come back (%,d words then, %,d now).",
                                            removed,
                                            removed == 1 ? "" : "s",
                                            added,
                                            TextCounts.words(d.text()),
                                            TextCounts.words(current)));
                    restore.setDisable(LineDiff.same(lines));
                });
            } catch (StoryFileException e) {
                fx.accept(() -> summary.setText("Cannot read " + e.getMessage()));
            }
        });
    }

    /** Puts the shown version's text in the editor as one edit (only the part that differs is replaced). */
    public void restore() {
        if (shown == null || story.editor().streaming()) return;
        String now = story.editor().text(), then = shown.text();
        int pre = 0, max = Math.min(now.length(), then.length());
        while (pre < max && now.charAt(pre) == then.charAt(pre)) pre++;
        int suf = 0;
        while (suf < max - pre && now.charAt(now.length() - 1 - suf) == then.charAt(then.length() - 1 - suf)) suf++;
        story.editor().area().replaceText(pre, now.length() - suf, then.substring(pre, then.length() - suf));
        story.editor().area().moveTo(pre);
        story.editor().area().requestFollowCaret();
        summary.setText("Restored the version of "
                + versions.getSelectionModel().getSelectedItem().time().format(SHOWN) + ". Edit ▸ Undo takes it back.");
        restore.setDisable(true);
        diff.getItems().clear();
    }
}
