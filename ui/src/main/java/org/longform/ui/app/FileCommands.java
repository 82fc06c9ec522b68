package org.longform.ui.app;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import javafx.scene.control.Button;
import javafx.scene.control.TextInputDialog;
import javafx.stage.FileChooser;
import org.longform.ui.story.EpubExport;
import org.longform.ui.story.Export;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.StoryFile;
import org.longform.ui.story.StoryFileException;

/**
 * Open, save, import, export and crash recovery. Reading and writing run on the I/O worker; every
 * failure is shown in the notice bar with the file and the problem, and the open story is kept.
 */
public final class FileCommands {
    private final MainWindow w;
    private String lastAuthor = "";

    FileCommands(MainWindow w) {
        this.w = w;
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

    /** Opens a .longform story, or imports .txt/.md/KoboldAI .json as a new story. */
    public void open(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        w.config.io().execute(() -> {
            try {
                StoryFile.Opened opened = StoryFile.openWithNotice(abs);
                StoryData d = opened.story();
                boolean native_ = abs.getFileName().toString().endsWith(StoryFile.EXTENSION);
                w.config.fx().accept(() -> {
                    StorySession s = w.addStory(d, native_ ? abs : null);
                    if (!native_) {
                        w.saveStatus()
                                .set("Imported " + abs.getFileName() + " as a new story, saved as "
                                        + s.fileProperty().get().getFileName());
                        w.autosaver(s).saveNow();
                    }
                    if (opened.notice() != null) w.notice().info(opened.notice());
                    w.setPrefs(w.prefs().withRecent(abs));
                });
            } catch (StoryFileException e) {
                w.config.fx().accept(() -> w.notice().error("Cannot open " + e.getMessage()));
            } catch (RuntimeException e) {
                w.config.fx().accept(() -> w.notice().error("Cannot open " + abs + ": " + e));
            }
        });
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
