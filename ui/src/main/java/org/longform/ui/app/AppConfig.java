package org.longform.ui.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Function;
import javafx.application.Platform;
import org.longform.engine.Assets;
import org.longform.ui.gen.EngineSettings;
import org.longform.ui.gen.EngineTextGenerator;
import org.longform.ui.gen.TextGenerator;

/**
 * How the app is wired: where its config lives, which threads do model work and file I/O, how the
 * FX thread is reached, how a model is opened and how long autosave waits. Tests pass their own
 * (a fake generator, a temp config folder, short delays).
 */
public record AppConfig(
        Path configDir,
        Executor modelWorker,
        Executor io,
        Consumer<Runnable> fx,
        Function<Path, TextGenerator> modelLoader,
        Path defaultModel,
        Duration autosaveIdle,
        Duration recountDelay,
        long pid) {

    /** The real app: ~/.config/longform (or -Dlongform.config), one model thread, one I/O thread, the engine. */
    public static AppConfig defaults() {
        String custom = System.getProperty("longform.config");
        Path dir = custom != null && !custom.isBlank()
                ? Path.of(custom)
                : Path.of(System.getProperty("user.home"), ".config", "longform");
        return new AppConfig(
                dir,
                daemon("longform-model"),
                daemon("longform-io"),
                Platform::runLater,
                engineLoader(dir, 0),
                Assets.demoModel(),
                Duration.ofSeconds(3),
                Duration.ofMillis(350),
                ProcessHandle.current().pid());
    }

    /** Opens a model folder in the engine with the settings saved in CONFIG/engine.json at that moment (read on the model worker). */
    public static Function<Path, TextGenerator> engineLoader(Path configDir, int threads) {
        return d -> EngineTextGenerator.open(d, threads, EngineSettings.load(configDir.resolve(EngineSettings.FILE)));
    }

    public static ExecutorService daemon(String name) {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }
}
