package org.longform.ui.app;

import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.longform.ui.gen.ModelInfo;
import org.longform.ui.gen.TextGenerator;

/** The loaded model. Loading and closing happen on the model worker; the properties change on the FX thread. */
public final class ModelManager {
    private final AppConfig config;
    private final ObjectProperty<TextGenerator> generator = new SimpleObjectProperty<>();
    private final ObjectProperty<ModelInfo> info = new SimpleObjectProperty<>();
    private final BooleanProperty loading = new SimpleBooleanProperty();
    private final StringProperty error = new SimpleStringProperty();

    public ModelManager(AppConfig config) {
        this.config = config;
    }

    public void load(Path dir, Runnable onLoaded) {
        open(() -> config.modelLoader().apply(dir), "Cannot load the model in " + dir + ": ", onLoaded, null);
    }

    /**
     * Opens a generator with {@code opener} on the model worker (disk or network work never runs on
     * the FX thread) and swaps it in; the old one is closed after. On failure the error property
     * gets {@code failurePrefix} + the message and {@code onFailed} (if any) the message alone.
     */
    public void open(
            Supplier<TextGenerator> opener, String failurePrefix, Runnable onLoaded, Consumer<String> onFailed) {
        loading.set(true);
        error.set(null);
        config.modelWorker().execute(() -> {
            try {
                TextGenerator g = opener.get();
                config.fx().accept(() -> {
                    TextGenerator old = generator.get();
                    generator.set(g);
                    info.set(g.info());
                    loading.set(false);
                    if (old != null) config.modelWorker().execute(old::close);
                    if (onLoaded != null) onLoaded.run();
                });
            } catch (RuntimeException | LinkageError e) {
                String msg = e.getMessage() == null ? e.toString() : e.getMessage();
                config.fx().accept(() -> {
                    loading.set(false);
                    error.set(failurePrefix + msg);
                    if (onFailed != null) onFailed.accept(msg);
                });
            }
        });
    }

    /** Uses an already-open generator (tests). */
    public void set(TextGenerator g) {
        generator.set(g);
        info.set(g == null ? null : g.info());
    }

    public TextGenerator get() {
        return generator.get();
    }

    public ObjectProperty<TextGenerator> generatorProperty() {
        return generator;
    }

    public ObjectProperty<ModelInfo> infoProperty() {
        return info;
    }

    public BooleanProperty loadingProperty() {
        return loading;
    }

    public StringProperty errorProperty() {
        return error;
    }

    public void close() {
        TextGenerator g = generator.get();
        generator.set(null);
        if (g != null) config.modelWorker().execute(g::close);
    }
}
