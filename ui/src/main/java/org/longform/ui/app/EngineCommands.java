package org.longform.ui.app;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.longform.ui.engine.EngineSettingsDialog;
import org.longform.ui.gen.EngineSettings;
import org.longform.ui.gen.ModelInfo;

/**
 * Model ▸ Engine settings…: shows the saved settings (read on the I/O worker), saves new ones and
 * reloads the local model with them through the app's model loader, on the model worker.
 */
public final class EngineCommands {
    private final MainWindow w;
    private EngineSettings settings = EngineSettings.defaults();

    EngineCommands(MainWindow w) {
        this.w = w;
        Path file = w.config.configDir().resolve(EngineSettings.FILE);
        w.config.io().execute(() -> {
            List<String> problems = new ArrayList<>();
            EngineSettings saved = EngineSettings.load(file, problems::add);
            w.config.fx().accept(() -> {
                settings = saved;
                if (!problems.isEmpty()) w.notice().error("Engine settings: " + String.join("; ", problems));
            });
        });
    }

    public EngineSettings settings() {
        return settings;
    }

    /** Opens the dialog (FX thread); returns it so tests can drive it. */
    public EngineSettingsDialog showDialog() {
        ModelInfo m = w.model.infoProperty().get();
        String current = m == null || m.isRemote() || m.dir() == null
                ? null
                : m.name() + ": weights " + (m.weights() != null ? m.weights() : "as stored") + ", KV " + m.kvDtype()
                        + ", window " + String.format("%,d", m.contextWindow()) + " tokens";
        EngineSettingsDialog d = new EngineSettingsDialog(w.stage, settings, current, this::apply);
        d.show();
        return d;
    }

    /** Saves {@code s} (I/O worker), then reloads the loaded local model with it; done(null) or done(message), on the FX thread. */
    public void apply(EngineSettings s, Consumer<String> done) {
        settings = s;
        Path file = w.config.configDir().resolve(EngineSettings.FILE);
        ModelInfo m = w.model.infoProperty().get();
        Path dir = m == null || m.isRemote() ? null : m.dir();
        w.config.io().execute(() -> {
            try {
                s.save(file);
            } catch (IOException e) {
                w.config.fx().accept(() -> done.accept("Cannot save the settings to " + file + ": " + e.getMessage()));
                return;
            }
            w.config.fx().accept(() -> {
                if (dir == null) {
                    done.accept(null); // a remote server or nothing loaded: the next local model uses them
                    return;
                }
                w.model.open(
                        () -> w.config.modelLoader().apply(dir),
                        "Cannot load the model in " + dir + ": ",
                        () -> {
                            w.monitor.schedule(); // the window may have changed: recount the context map
                            done.accept(null);
                        },
                        done);
            });
        });
    }
}
