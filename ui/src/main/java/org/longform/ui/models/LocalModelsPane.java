package org.longform.ui.models;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.input.MouseButton;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.longform.hub.LocalModel;
import org.longform.hub.RecentModels;

/**
 * "On this computer": open an MPT folder or a GGUF file, see what it is before loading it, and the
 * recent models (missing ones marked). Inspection and the recent list run on the I/O thread; a bad
 * folder shows one line naming the file and the problem.
 */
public final class LocalModelsPane extends VBox {
    private final ModelServices services;
    private final Consumer<Path> loader;
    private final Supplier<Window> owner;
    private final Label summary = new Label("Choose a model folder (config.json + weights) or a .gguf file.");
    private final Label details = new Label();
    private final Label error = new Label();
    private final Label status = new Label();
    private final Button load = new Button("Load this model");
    private final ObservableList<Row> recent = FXCollections.observableArrayList();
    private final ListView<Row> recentList = new ListView<>(recent);
    private final Button recentLoad = new Button("Load");
    private final Button recentRemove = new Button("Remove from list");
    private LocalModel inspected;

    public LocalModelsPane(ModelServices services, Consumer<Path> loader, Supplier<Window> owner) {
        this.services = services;
        this.loader = loader;
        this.owner = owner;
        setSpacing(8);
        setPadding(new Insets(12));
        Button openFolder = new Button("Open model folder…");
        Button openGguf = new Button("Open GGUF file…");
        openFolder.setId("open-folder");
        openGguf.setId("open-gguf");
        summary.setId("local-summary");
        details.setId("local-details");
        error.setId("local-error");
        status.setId("local-status");
        load.setId("local-load");
        recentList.setId("recent-list");
        recentLoad.setId("recent-load");
        recentRemove.setId("recent-remove");
        summary.getStyleClass().add("model-name");
        error.getStyleClass().add("error-text");
        for (Label l : new Label[] {summary, details, error, status}) l.setWrapText(true);
        load.setDisable(true);
        openFolder.setOnAction(e -> {
            Path p = services.choosers()
                    .folder(owner.get(), "Choose a model folder (config.json + weights), e.g. mpt-7b-storywriter");
            if (p != null) inspect(p);
        });
        openGguf.setOnAction(e -> {
            Path p = services.choosers().ggufFile(owner.get());
            if (p != null) inspect(p);
        });
        load.setOnAction(e -> {
            if (inspected != null) load(inspected);
        });

        recentList.setCellFactory(v -> new RecentCell());
        recentList.setPrefHeight(180);
        VBox.setVgrow(recentList, Priority.ALWAYS);
        recentList.setOnMouseClicked(e -> {
            if (e.getButton() == MouseButton.PRIMARY && e.getClickCount() == 2) loadSelectedRecent();
        });
        var nothing = recentList.getSelectionModel().selectedItemProperty().isNull();
        recentLoad.disableProperty().bind(nothing);
        recentRemove.disableProperty().bind(nothing);
        recentLoad.setOnAction(e -> loadSelectedRecent());
        recentRemove.setOnAction(e -> removeSelectedRecent());
        Label recentTitle = new Label("Recent models");
        recentTitle.getStyleClass().add("model-name");
        getChildren()
                .addAll(
                        new HBox(6, openFolder, openGguf),
                        summary,
                        details,
                        error,
                        load,
                        recentTitle,
                        recentList,
                        new HBox(6, recentLoad, recentRemove),
                        status);
        refreshRecent();
    }

    /** Checks what {@code path} is (off the FX thread) and shows it; the Load button goes live only for a usable model. */
    public void inspect(Path path) {
        inspected = null;
        load.setDisable(true);
        error.setText("");
        summary.setText("Checking " + path + "…");
        details.setText("");
        services.io().execute(() -> {
            try {
                LocalModel m = LocalModel.inspect(path);
                services.fx().accept(() -> showInspected(m));
            } catch (RuntimeException e) {
                services.fx().accept(() -> {
                    summary.setText("Not a model Longform can open");
                    error.setText(problem(path, e));
                });
            }
        });
    }

    private void showInspected(LocalModel m) {
        inspected = m;
        summary.setText(m.summary());
        String what = switch (m.kind()) {
            case MPT_FOLDER ->
                "MPT folder · " + m.config().nLayers() + " layers, d_model "
                        + m.config().dModel() + " · trained context "
                        + String.format("%,d", m.config().maxSeqLen()) + " tokens";
            case GGUF -> "GGUF file · architecture " + m.gguf().architecture();
        };
        details.setText(m.path() + "\n" + what + "\ntokenizer: " + m.tokenizer()
                + (m.isDemo()
                        ? "\nThis is the small embedded demo model: it writes story-shaped English, not good fiction."
                        : ""));
        load.setDisable(false);
    }

    /** "PATH: problem", as the inspector words it; never a stack trace. */
    static String problem(Path path, RuntimeException e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
        return m.contains(path.toString()) ? "Cannot use " + m : "Cannot use " + path + ": " + m;
    }

    /** Puts the model first in the recent list (I/O thread), then hands it to the app to load. */
    void load(LocalModel m) {
        status.setText("Loading " + m.name() + "… (progress in the Model panel)");
        services.io().execute(() -> {
            String note = "";
            try {
                services.recent().add(m);
            } catch (IOException e) {
                note = " (the recent-models list could not be saved: " + e.getMessage() + ")";
            }
            List<Row> list = rows();
            String n = note;
            services.fx().accept(() -> {
                recent.setAll(list);
                if (!n.isEmpty()) status.setText(status.getText() + n);
                loader.accept(m.path());
            });
        });
    }

    public void refreshRecent() {
        services.io().execute(() -> {
            List<Row> list = rows();
            services.fx().accept(() -> recent.setAll(list));
        });
    }

    void loadSelectedRecent() {
        Row r = recentList.getSelectionModel().getSelectedItem();
        if (r == null) return;
        RecentModels.Entry e = r.entry();
        error.setText("");
        services.io().execute(() -> {
            try {
                LocalModel m = LocalModel.inspect(e.path()); // it may have moved or broken since
                services.fx().accept(() -> {
                    showInspected(m);
                    load(m);
                });
            } catch (RuntimeException ex) {
                services.fx().accept(() -> error.setText(problem(e.path(), ex)));
            }
        });
    }

    void removeSelectedRecent() {
        Row r = recentList.getSelectionModel().getSelectedItem();
        if (r == null) return;
        RecentModels.Entry e = r.entry();
        services.io().execute(() -> {
            try {
                services.recent().remove(e.path());
                List<Row> list = rows();
                services.fx().accept(() -> {
                    recent.setAll(list);
                    status.setText("Removed " + e.name() + " from the list (the files are untouched)");
                });
            } catch (IOException ex) {
                services.fx()
                        .accept(() -> error.setText(
                                "Cannot update " + services.recent().file() + ": " + ex.getMessage()));
            }
        });
    }

    public ListView<Row> recentList() {
        return recentList;
    }

    public String errorText() {
        return error.getText();
    }

    public String summaryText() {
        return summary.getText();
    }

    /** A recent model and whether it is still there (checked on the I/O thread when the list is read). */
    public record Row(RecentModels.Entry entry, boolean exists) {}

    private List<Row> rows() {
        return services.recent().list().stream()
                .map(e -> new Row(e, e.exists()))
                .toList();
    }

    /** One recent model: name, kind, path; a missing one greyed and labelled. */
    private static final class RecentCell extends ListCell<Row> {
        @Override
        protected void updateItem(Row r, boolean empty) {
            super.updateItem(r, empty);
            getStyleClass().remove("missing-model");
            if (empty || r == null) {
                setText(null);
                return;
            }
            RecentModels.Entry e = r.entry();
            boolean there = r.exists();
            setText(e.name() + (there ? "" : "  (missing: moved or deleted)") + "\n" + e.path() + " · "
                    + (e.kind() == LocalModel.Kind.GGUF ? "GGUF" : "MPT folder"));
            if (!there) getStyleClass().add("missing-model");
        }
    }
}
