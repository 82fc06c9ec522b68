package org.longform.ui.firstrun;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.scene.Scene;
import javafx.scene.control.ScrollPane;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.longform.hub.SystemReport;

/**
 * The first-run screen and Help ▸ System check…. On the first start (no {@value #MARKER} file in
 * the settings folder) it runs the system check off the FX thread, opens the sample story and
 * shows the result; later starts show nothing. The check probes CUDA and may wait for nvidia-smi,
 * so it runs on its own worker, never on the I/O thread that autosave uses.
 *
 * @param configDir   where the marker lives (the app's settings folder)
 * @param worker      runs the check and touches the marker
 * @param fx          how the FX thread is reached
 * @param check       the system check ({@code SystemCheck.run(STORYWRITER)} in the app, a fixed report in tests)
 * @param sampleStory the story opened on the first run (a chapter of a public-domain novel in assets/stories)
 */
public record FirstRun(
        Path configDir, Executor worker, Consumer<Runnable> fx, Supplier<SystemReport> check, Path sampleStory) {
    public static final String MARKER = "first-run-done";

    /** What the screen's buttons do in the app. */
    public record Hooks(Window owner, Runnable openDownloadPage, Consumer<Path> openStory, Consumer<Scene> styler) {}

    /**
     * Shows the screen if this is the first run. The future says (once decided) whether it was
     * shown, so callers and tests need not guess with timeouts.
     */
    public CompletableFuture<Stage> showIfFirstRun(Hooks hooks) {
        CompletableFuture<Stage> shown = new CompletableFuture<>();
        worker.execute(() -> {
            try {
                Path marker = configDir.resolve(MARKER);
                if (Files.exists(marker)) {
                    shown.complete(null);
                    return;
                }
                SystemReport r = check.get();
                try {
                    Files.createDirectories(configDir);
                    Files.writeString(
                            marker,
                            "The first-run screen was shown; delete this file to see it again on the next start.\n");
                } catch (IOException e) {
                    // then it shows again next time, which is harmless
                }
                fx.accept(() -> {
                    if (sampleStory != null) hooks.openStory().accept(sampleStory);
                    shown.complete(show(r, true, hooks));
                });
            } catch (RuntimeException e) {
                shown.completeExceptionally(e);
            }
        });
        return shown;
    }

    /** Help ▸ System check…: runs the check again (off the FX thread) and shows it. */
    public CompletableFuture<Stage> showSystemCheck(Hooks hooks) {
        CompletableFuture<Stage> shown = new CompletableFuture<>();
        worker.execute(() -> {
            try {
                SystemReport r = check.get();
                fx.accept(() -> shown.complete(show(r, false, hooks)));
            } catch (RuntimeException e) {
                shown.completeExceptionally(e);
            }
        });
        return shown;
    }

    private Stage show(SystemReport r, boolean firstRun, Hooks hooks) {
        FirstRunPane pane = new FirstRunPane(r, firstRun);
        Stage stage = new Stage();
        pane.downloadButton().setOnAction(e -> {
            stage.hide();
            hooks.openDownloadPage().run();
        });
        pane.sampleButton().setOnAction(e -> hooks.openStory().accept(sampleStory));
        pane.sampleButton().setDisable(sampleStory == null);
        pane.closeButton().setOnAction(e -> stage.hide());
        ScrollPane sp = new ScrollPane(pane);
        sp.setFitToWidth(true);
        Scene scene = new Scene(sp, 720, 600);
        if (hooks.styler() != null) hooks.styler().accept(scene);
        stage.setScene(scene);
        stage.setTitle(firstRun ? "Welcome to Longform" : "System check — Longform");
        if (hooks.owner() != null) stage.initOwner(hooks.owner());
        stage.show();
        return stage;
    }
}
