package org.longform.ui.models;

import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.stage.Window;
import org.longform.hub.AppDirs;
import org.longform.hub.HubClient;
import org.longform.hub.HubDownloader;
import org.longform.hub.RecentModels;
import org.longform.ui.app.AppConfig;

/**
 * What the model manager needs from the outside world, injectable so tests run it against a fake
 * hub, a temp folder and no native choosers.
 *
 * @param io          short local file work (inspecting a folder, the recent list)
 * @param network     hub requests and downloads: their own thread, because a 13 GB download on the
 *                    app's I/O thread would hold up autosave for hours
 * @param fx          how the FX thread is reached
 * @param recent      the recent-models list (shared with {@code longform download})
 * @param downloaders a downloader for a hub endpoint (null: {@code HF_ENDPOINT} or the public hub)
 * @param modelDir    the default folder for a repository
 * @param choosers    the file and folder choosers
 */
public record ModelServices(
        Executor io,
        Executor network,
        Consumer<Runnable> fx,
        RecentModels recent,
        Function<String, HubDownloader> downloaders,
        Function<String, Path> modelDir,
        Choosers choosers) {

    /** Picks a model folder or a .gguf file; null when the person cancelled. */
    public interface Choosers {
        Path folder(Window owner, String title);

        Path ggufFile(Window owner);
    }

    /** The real app: the app's I/O thread, a download thread, the standard recent list and folders, native choosers. */
    public static ModelServices forApp(AppConfig config) {
        return new ModelServices(
                config.io(),
                AppConfig.daemon("longform-download"),
                config.fx(),
                recentFor(config.configDir()),
                endpoint -> new HubDownloader(HubClient.fromEnvironment(endpoint)),
                repo -> AppDirs.detect().modelDir(repo),
                nativeChoosers());
    }

    /**
     * The standard list (the one {@code longform download} adds to) when the app runs with its
     * standard settings folder; a list inside the app's own folder otherwise (tests, a portable setup).
     */
    static RecentModels recentFor(Path appConfigDir) {
        String custom = System.getProperty("longform.config");
        Path standard = custom != null && !custom.isBlank()
                ? Path.of(custom)
                : Path.of(System.getProperty("user.home"), ".config", "longform");
        return appConfigDir
                        .toAbsolutePath()
                        .normalize()
                        .equals(standard.toAbsolutePath().normalize())
                ? RecentModels.standard()
                : new RecentModels(appConfigDir.resolve("recent-models.json"), 12);
    }

    public static Choosers nativeChoosers() {
        return new Choosers() {
            @Override
            public Path folder(Window owner, String title) {
                DirectoryChooser dc = new DirectoryChooser();
                dc.setTitle(title);
                File f = dc.showDialog(owner);
                return f == null ? null : f.toPath();
            }

            @Override
            public Path ggufFile(Window owner) {
                FileChooser fc = new FileChooser();
                fc.setTitle("Choose a GGUF model file");
                fc.getExtensionFilters()
                        .addAll(
                                new FileChooser.ExtensionFilter("GGUF models", "*.gguf"),
                                new FileChooser.ExtensionFilter("All files", "*.*"));
                File f = fc.showOpenDialog(owner);
                return f == null ? null : f.toPath();
            }
        };
    }
}
