package org.longform.ui.app;

import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.longform.ui.gen.RemoteTextGenerator;
import org.longform.ui.remote.RemoteDialog;
import org.longform.ui.remote.RemoteSettings;

/**
 * "Connect to server…": keeps the remote settings of this session (the key in memory unless the
 * writer asks to remember it), opens the dialog, and swaps the app's generator for a remote one
 * through {@link ModelManager#open}, so the connection is made on the model worker.
 */
public final class RemoteCommands {
    private final MainWindow w;
    private RemoteSettings settings;
    private Executor
            probes; // the dialog's Fetch/Test calls: not the model worker (a generation may hold it) nor the I/O one
    // (autosave)

    RemoteCommands(MainWindow w) {
        this.w = w;
        this.settings = RemoteSettings.defaults();
        // Read on the I/O worker (no file I/O on the FX thread); a connection made before it lands wins.
        var dir = w.config.configDir();
        w.config.io().execute(() -> {
            RemoteSettings saved = RemoteSettings.load(dir);
            w.config.fx().accept(() -> {
                if (!touched) settings = saved;
            });
        });
    }

    private boolean touched;

    /** Opens the dialog (FX thread); returns it so tests can drive it. */
    public RemoteDialog showDialog() {
        if (probes == null) probes = AppConfig.daemon("longform-remote-probe");
        RemoteDialog d = new RemoteDialog(w.stage, settings, probes, w.config.fx(), this::connect);
        d.show();
        return d;
    }

    /** Connects with {@code s} (FX thread); the callbacks run on the FX thread. */
    public void connect(RemoteSettings s, Runnable onConnected, Consumer<String> onFailed) {
        settings = s;
        touched = true;
        w.model.open(
                () -> RemoteTextGenerator.connect(s.url(), s.apiKey(), s.model(), s.contextTokens(), s.standardOnly()),
                "Cannot connect to the server: ",
                () -> {
                    save(s);
                    w.monitor.schedule(); // recount the context map with the new window
                    if (onConnected != null) onConnected.run();
                },
                onFailed);
    }

    public RemoteSettings settings() {
        return settings;
    }

    private void save(RemoteSettings s) {
        var dir = w.config.configDir();
        w.config.io().execute(() -> {
            try {
                s.save(dir);
            } catch (IOException e) {
                w.config
                        .fx()
                        .accept(() -> w.saveStatus()
                                .set("Cannot save the server settings to " + dir.resolve(RemoteSettings.FILE) + ": "
                                        + e.getMessage()));
            }
        });
    }
}
