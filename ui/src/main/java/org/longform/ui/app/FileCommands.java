package org.longform.ui.app;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import javafx.scene.control.Button;
import javafx.scene.control.TextInputDialog;
import javafx.stage.FileChooser;
import org.longform.ui.story.DiskStamp;
import org.longform.ui.story.EpubExport;
import org.longform.ui.story.Export;
import org.longform.ui.story.StoryChangedException;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.StoryFile;
import org.longform.ui.story.StoryFileException;
import org.longform.ui.story.StoryLock;

/**
 * Open, save, import, export and crash recovery. Reading and writing run on the I/O worker; every
 * failure is shown in the notice bar with the file and the problem, and the open story is kept.
 */
public final class FileCommands {
    private final MainWindow w;
    private String lastAuthor = "";
    /** This window, as its story locks name it. */
    private final StoryLock.Owner owner;

    FileCommands(MainWindow w) {
        this.w = w;
        this.owner = StoryLock.Owner.of(w.config.pid());
    }

    public void openDialog() {
        FileChooser fc = chooser("Open story");
        fc.getExtensionFilters()
                .addAll(
                        new FileChooser.ExtensionFilter("Stories and text", "*.longform", "*.txt", "*.md", "*.json"),
                        new FileChooser.ExtensionFilter("All files", "*.*"));
        File f = fc.showOpenDialog(w.stage);
        if (f != null) open(f.toPath());
    }

    public void importKoboldDialog() {
        FileChooser fc = chooser("Import KoboldAI / KoboldCpp story");
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("KoboldAI story JSON", "*.json"));
        File f = fc.showOpenDialog(w.stage);
        if (f != null) open(f.toPath());
    }

    /**
     * Opens a .longform story, or imports .txt/.md/KoboldAI .json as a new story. A story another
     * live Longform window has open is not opened for writing: the writer is told and chooses.
     */
    public void open(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        boolean native_ = abs.getFileName().toString().endsWith(StoryFile.EXTENSION);
        w.config.io().execute(() -> {
            try {
                Read r = read(abs, native_);
                StoryLock.Result lock = native_ ? StoryLock.acquire(abs, owner) : null;
                w.config.fx().accept(() -> {
                    if (lock instanceof StoryLock.Held h && !isOpenHere(abs)) offerReadOnly(abs, r, h.holder());
                    else opened(abs, r, native_, lock);
                });
            } catch (StoryFileException e) {
                w.config.fx().accept(() -> w.notice().error("Cannot open " + e.getMessage()));
            } catch (RuntimeException e) {
                w.config.fx().accept(() -> w.notice().error("Cannot open " + abs + ": " + e));
            }
        });
    }

    /** A story as read, with the stamp of the bytes read (null for imports). */
    private record Read(StoryFile.Opened opened, DiskStamp stamp) {}

    private static Read read(Path abs, boolean native_) throws StoryFileException {
        for (int attempt = 0; ; attempt++) {
            try {
                DiskStamp before = native_ ? DiskStamp.read(abs) : null;
                StoryFile.Opened o = StoryFile.openWithNotice(abs);
                // written while we read it (another window saving): read again, so the stamp is of these bytes
                if (before == null || before.matches(abs) || attempt == 2) return new Read(o, before);
            } catch (IOException e) {
                throw new StoryFileException(abs, "cannot read: " + e.getMessage(), e);
            }
        }
    }

    private boolean isOpenHere(Path abs) {
        return w.stories().stream().anyMatch(s -> abs.equals(s.fileProperty().get()));
    }

    private StorySession opened(Path abs, Read r, boolean native_, StoryLock.Result lock) {
        StoryData d = r.opened().story();
        boolean fresh = !isOpenHere(abs);
        StorySession s = w.addStory(d, native_ ? abs : null);
        if (fresh && native_) {
            s.setOnDisk(abs, r.stamp());
            if (lock instanceof StoryLock.Acquired a) s.setLock(a.lock());
        }
        if (!native_) {
            w.saveStatus()
                    .set("Imported " + abs.getFileName() + " as a new story, saved as "
                            + s.fileProperty().get().getFileName());
            w.autosaver(s).saveNow();
        }
        if (r.opened().notice() != null) w.notice().info(r.opened().notice());
        w.setPrefs(w.prefs().withRecent(abs));
        return s;
    }

    /** Another live window has the story: open it read-only (nothing written to it) or anyway. */
    private void offerReadOnly(Path abs, Read r, StoryLock.Holder holder) {
        Button readOnly = new Button("Open read-only");
        readOnly.setId("open-read-only");
        Button anyway = new Button("Open anyway");
        anyway.setId("open-anyway");
        readOnly.setOnAction(e -> {
            w.notice().hide();
            StorySession s = opened(abs, r, true, null);
            s.readOnlyProperty().set(true);
            s.editor().area().setEditable(false);
            // the end of a generation makes the editor editable again: not while read-only
            s.editor().area().editableProperty().addListener((o, was, now) -> {
                if (now && s.readOnlyProperty().get()) s.editor().area().setEditable(false);
            });
            w.saveStatus().set(abs.getFileName() + " is open read-only: nothing is written to it");
        });
        anyway.setOnAction(e -> {
            w.notice().hide();
            // the other window's later saves find the file changed and save a copy instead
            w.config.io().execute(() -> {
                StoryLock.Result lock = StoryLock.takeOver(abs, owner);
                w.config.fx().accept(() -> opened(abs, r, true, lock));
            });
        });
        w.notice()
                .show(
                        "This story is open in another Longform window (" + holder.describe() + "): "
                                + abs.getFileName() + ". Open it read-only, or open anyway (each window then "
                                + "saves only over its own last save; a change from the other is kept as a copy).",
                        "notice-info",
                        readOnly,
                        anyway);
    }

    /**
     * The story file changed on disk since this window read or saved it: the writer's text goes to
     * a copy beside it (the file is left as the other program wrote it) and the writer may
     * overwrite it after all or open the other version.
     */
    public void changedOnDisk(StorySession s, StoryChangedException e) {
        Path file = e.file();
        if (!file.equals(s.fileProperty().get())) return; // already moved on (Save As, an earlier copy)
        Path copy = StoryFile.conflictCopy(file);
        moveLock(s, copy);
        s.fileProperty().set(copy);
        w.autosaver(s).saveAgain();
        Button overwrite = new Button("Overwrite it");
        overwrite.setId("overwrite-changed");
        Button theirs = new Button("Open the other version");
        theirs.setId("open-changed");
        overwrite.setOnAction(x -> {
            w.notice().hide();
            moveLock(s, file);
            s.setOnDisk(file, null); // the writer chose: not checked this once
            s.fileProperty().set(file);
            w.autosaver(s).saveAgain();
        });
        theirs.setOnAction(x -> {
            w.notice().hide();
            open(file);
        });
        w.notice()
                .show(
                        file.getFileName() + " was changed on disk by another window or program since Longform "
                                + "last saved it. It was not overwritten: your version is saved as "
                                + copy.getFileName() + ".",
                        "notice-error",
                        overwrite,
                        theirs);
    }

    /** The story's lock follows its file (Save As, a conflict copy); released and taken on the I/O worker. */
    private void moveLock(StorySession s, Path to) {
        StoryLock old = s.lock();
        s.setLock(null);
        w.config.io().execute(() -> {
            if (old != null) old.release();
            if (StoryLock.acquire(to, owner) instanceof StoryLock.Acquired a) s.setLock(a.lock());
        });
    }

    /** The story's tab closed: its lock goes after the queued saves. */
    void closed(StorySession s) {
        StoryLock l = s.lock();
        if (l != null) w.config.io().execute(l::release);
    }

    public void save() {
        StorySession s = w.active();
        if (s == null) return;
        w.autosaver(s).saveNow();
    }

    public void saveAsDialog() {
        StorySession s = w.active();
        if (s == null) return;
        FileChooser fc = chooser("Save story as");
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("Longform story", "*" + StoryFile.EXTENSION));
        fc.setInitialFileName(s.titleProperty().get() + StoryFile.EXTENSION);
        File f = fc.showSaveDialog(w.stage);
        if (f != null) saveAs(s, f.toPath());
    }

    public void saveAs(StorySession s, Path file) {
        Path p = file.getFileName().toString().endsWith(StoryFile.EXTENSION)
                ? file
                : file.resolveSibling(file.getFileName() + StoryFile.EXTENSION);
        moveLock(s, p);
        s.setOnDisk(p, null); // the writer chose this file (the dialog asked before replacing one)
        if (s.readOnlyProperty().get()) { // a read-only story saved as a file of its own is the writer's
            s.readOnlyProperty().set(false);
            if (!s.editor().streaming()) s.editor().area().setEditable(true);
        }
        s.fileProperty().set(p);
        s.titleProperty().set(StoryFile.titleOf(p)); // also marks it changed, so the save below writes
        w.autosaver(s).saveNow();
        w.setPrefs(w.prefs().withRecent(p));
    }

    public void exportDialog(boolean markdown) {
        StorySession s = w.active();
        if (s == null) return;
        FileChooser fc = chooser(markdown ? "Export as Markdown" : "Export as text");
        fc.getExtensionFilters()
                .add(
                        markdown
                                ? new FileChooser.ExtensionFilter("Markdown", "*.md")
                                : new FileChooser.ExtensionFilter("Text", "*.txt"));
        fc.setInitialFileName(s.titleProperty().get() + (markdown ? ".md" : ".txt"));
        File f = fc.showSaveDialog(w.stage);
        if (f != null) export(s, f.toPath(), markdown);
    }

    public void export(StorySession s, Path file, boolean markdown) {
        StoryData d = s.snapshot();
        w.config.io().execute(() -> {
            try {
                if (markdown) Export.markdown(file, d);
                else Export.txt(file, d);
                w.config.fx().accept(() -> w.saveStatus().set("Exported to " + file));
            } catch (StoryFileException e) {
                w.config.fx().accept(() -> w.notice().error("Cannot export: " + e.getMessage()));
            }
        });
    }

    /** File ▸ Export as EPUB…: asks for the author (optional), then where to write. */
    public void exportEpubDialog() {
        StorySession s = w.active();
        if (s == null) return;
        TextInputDialog ask = new TextInputDialog(lastAuthor);
        ask.initOwner(w.stage);
        ask.setTitle("Export as EPUB");
        ask.setHeaderText("The book's author (optional; the title is the story's: "
                + s.titleProperty().get() + ")");
        ask.setContentText("Author:");
        Optional<String> author = ask.showAndWait();
        if (author.isEmpty()) return;
        FileChooser fc = chooser("Export as EPUB");
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("EPUB e-book", "*.epub"));
        fc.setInitialFileName(s.titleProperty().get() + ".epub");
        File f = fc.showSaveDialog(w.stage);
        if (f != null) exportEpub(s, f.toPath(), author.get());
    }

    /** Writes the story text as EPUB 3 on the I/O worker (the same writer as {@code longform export --format epub}). */
    public void exportEpub(StorySession s, Path file, String author) {
        lastAuthor = author == null ? "" : author;
        StoryData d = s.snapshot();
        w.config.io().execute(() -> {
            try {
                EpubExport.write(file, d, d.title(), author);
                w.config.fx().accept(() -> w.saveStatus().set("Exported to " + file));
            } catch (StoryFileException e) {
                w.config.fx().accept(() -> w.notice().error("Cannot export: " + e.getMessage()));
            }
        });
    }

    /** After a crash: offers to reopen the stories the last session had open, from their newest autosave. */
    public void offerRecovery() {
        w.config.io().execute(() -> {
            List<String> problems = new ArrayList<>();
            List<AutosaveStore.Recoverable> found = w.store.recoverable(problems);
            w.config.fx().accept(() -> {
                if (!problems.isEmpty())
                    w.notice().error("Some autosaved stories could not be read: " + String.join("; ", problems));
                if (found.isEmpty()) return;
                String titles = found.stream()
                        .map(r -> "\u201C" + r.story().title() + "\u201D")
                        .collect(Collectors.joining(", "));
                Button recover = new Button("Recover");
                recover.setId("recover");
                Button discard = new Button("Discard");
                discard.setId("discard-recovery");
                recover.setOnAction(e -> {
                    for (AutosaveStore.Recoverable r : found) {
                        StorySession s = w.addStory(r.story(), r.originalPath());
                        s.dirtyProperty().set(true);
                        w.autosaver(s).saveNow();
                    }
                    w.notice().hide();
                    w.config.io().execute(() -> w.store.discardRecoverable(found));
                });
                discard.setOnAction(e -> {
                    w.notice().hide();
                    w.config.io().execute(() -> w.store.discardRecoverable(found));
                });
                w.notice()
                        .show(
                                "Longform did not close properly last time. " + found.size()
                                        + (found.size() == 1 ? " story has" : " stories have") + " autosaved changes: "
                                        + titles + ". Recover reopens them as they were at the last autosave.",
                                "notice-info",
                                recover,
                                discard);
            });
        });
    }

    private FileChooser chooser(String title) {
        FileChooser fc = new FileChooser();
        fc.setTitle(title);
        if (!w.prefs().recent().isEmpty()) {
            File dir = Path.of(w.prefs().recent().getFirst()).getParent().toFile();
            if (dir.isDirectory()) fc.setInitialDirectory(dir);
        }
        return fc;
    }
}
