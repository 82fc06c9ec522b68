package org.longform.ui.app;

import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.animation.PauseTransition;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.util.Duration;
import org.longform.ui.story.DiskStamp;
import org.longform.ui.story.StoryChangedException;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.StoryFileException;

/**
 * Saves a story after a few idle seconds and after every generation: snapshot on the FX thread,
 * atomic writes on the I/O worker (see {@link AutosaveStore}). Failures show in the status line;
 * they never interrupt writing.
 */
public final class Autosaver {
    private final AppConfig config;
    private final AutosaveStore store;
    private final StorySession story;
    private final PauseTransition idle;
    private final StringProperty status;
    private long savedChange = -1;
    private Consumer<StoryChangedException> onConflict = e -> {};

    public Autosaver(AppConfig config, AutosaveStore store, StorySession story, StringProperty status) {
        this.config = config;
        this.store = store;
        this.story = story;
        this.status = status == null ? new SimpleStringProperty() : status;
        this.idle = new PauseTransition(Duration.millis(config.autosaveIdle().toMillis()));
        idle.setOnFinished(e -> saveNow());
        story.changesProperty().addListener(x -> {
            if (!story.editor().streaming()) idle.playFromStart();
        });
    }

    /** Saves now unless nothing changed since the last save. */
    public void saveNow() {
        idle.stop();
        long change = story.changesProperty().get();
        if (change == savedChange || story.editor().streaming()) return;
        savedChange = change;
        // The generated spans are walked on the I/O worker: a novel's take 5-20 ms.
        Supplier<StoryData> data = story.snapshotLater();
        Path file = story.readOnlyProperty().get() ? null : story.fileProperty().get();
        config.io().execute(() -> {
            try {
                // read here, on the I/O worker, after the saves queued before this one recorded theirs
                DiskStamp written = store.save(data.get(), file, story.expectedOnDisk(file));
                if (written != null) story.setOnDisk(file, written);
                String at = LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss"));
                config.fx().accept(() -> {
                    status.set("Autosaved " + at
                            + (file != null
                                    ? " to " + file.getFileName()
                                    : story.readOnlyProperty().get()
                                            ? " (read-only: recovery copy only; Save As keeps a copy)"
                                            : " (recovery copy; use Save As to choose a file)"));
                    if (story.changesProperty().get() == change && file != null)
                        story.dirtyProperty().set(false);
                });
            } catch (StoryChangedException e) {
                config.fx().accept(() -> {
                    savedChange = -1;
                    status.set("Not saved to " + file.getFileName() + ": it changed on disk");
                    onConflict.accept(e);
                });
            } catch (StoryFileException e) {
                config.fx().accept(() -> {
                    savedChange = -1;
                    status.set("Autosave failed: " + e.getMessage());
                });
            }
        });
    }

    /** Saves now even if nothing changed since the last save (the file to save to did). */
    public void saveAgain() {
        savedChange = -1;
        saveNow();
    }

    /**
     * Called on the FX thread when the story file changed on disk and was not overwritten (the
     * text is in the recovery copy and the history); the main window offers a copy.
     */
    public void setOnConflict(Consumer<StoryChangedException> c) {
        onConflict = c;
    }

    public void stop() {
        idle.stop();
    }
}
