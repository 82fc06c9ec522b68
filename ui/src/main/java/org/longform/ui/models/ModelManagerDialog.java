package org.longform.ui.models;

import java.nio.file.Path;
import java.util.function.Consumer;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.stage.Modality;
import javafx.stage.Stage;
import javafx.stage.Window;

/**
 * The model manager: a window with "On this computer" (open a folder or GGUF file, recent models)
 * and "Download from Hugging Face". Non-modal, so the writer keeps writing while a model
 * downloads; hiding it does not stop a download, reopening shows its progress.
 */
public final class ModelManagerDialog {
    private final Stage stage = new Stage();
    private final TabPane tabs = new TabPane();
    private final Tab localTab, downloadTab;
    private final LocalModelsPane local;
    private final DownloadPane download;

    /**
     * @param loader loads a model folder or GGUF file in the app (the main window's loadModel);
     *               the dialog closes once it has handed the model over
     */
    public ModelManagerDialog(Window owner, ModelServices services, Consumer<Path> loader, Consumer<Scene> styler) {
        Consumer<Path> loadAndClose = p -> {
            loader.accept(p);
            stage.hide();
        };
        local = new LocalModelsPane(services, loadAndClose, () -> stage);
        download = new DownloadPane(services, loadAndClose, () -> stage);
        localTab = new Tab("On this computer", scroll(local));
        downloadTab = new Tab("Download from Hugging Face", scroll(download));
        localTab.setId("models-local-tab");
        downloadTab.setId("models-download-tab");
        tabs.getTabs().addAll(localTab, downloadTab);
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        tabs.setId("model-manager");
        Scene scene = new Scene(tabs, 760, 620);
        if (styler != null) styler.accept(scene);
        stage.setScene(scene);
        stage.setTitle("Models — Longform");
        if (owner != null) stage.initOwner(owner);
        stage.initModality(Modality.NONE);
    }

    private static ScrollPane scroll(Node n) {
        ScrollPane sp = new ScrollPane(n);
        sp.setFitToWidth(true);
        return sp;
    }

    /** Shows the window on the local page or the download page. */
    public void show(boolean downloadPage) {
        tabs.getSelectionModel().select(downloadPage ? downloadTab : localTab);
        if (!downloadPage) local.refreshRecent();
        stage.show();
        stage.toFront();
    }

    public Stage stage() {
        return stage;
    }

    public LocalModelsPane local() {
        return local;
    }

    public DownloadPane download() {
        return download;
    }

    public boolean showingDownloadPage() {
        return tabs.getSelectionModel().getSelectedItem() == downloadTab;
    }
}
