package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import javafx.application.Platform;
import javafx.scene.control.Button;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.StoryFile;
import org.longform.ui.story.StoryLock;

/**
 * A story another Longform process has open, and a story file another window writes while this one
 * has it open: the writer is told, nothing is overwritten blindly, no text is lost.
 */
class TwoInstancesFxTest extends FxTestBase {
    private Path sharedStory() throws Exception {
        Path dir = Files.createDirectories(config.resolve("books"));
        Path f = dir.resolve("Shared.longform");
        StoryFile.write(f, StoryData.blank("Shared").withText("The other window's text."));
        return f;
    }

    /** A live second process (a stand-in: any running process may hold a lock) holding {@code file}. */
    private static Process holdLock(Path file) throws Exception {
        Process p = new ProcessBuilder("sleep", "60").start();
        assertInstanceOf(StoryLock.Acquired.class, StoryLock.acquire(file, StoryLock.Owner.of(p.pid())));
        return p;
    }

    @Test
    void aStoryOpenInAnotherProcessIsOfferedReadOnlyAndIsNotWritten() throws Exception {
        waitForModel();
        Path f = sharedStory();
        byte[] before = Files.readAllBytes(f);
        Process other = holdLock(f);
        try {
            interact(() -> window.files().open(f));
            String want = "This story is open in another Longform window (pid " + other.pid() + ", since ";
            waitFor("the notice", () -> window.notice().message().startsWith(want));
            assertTrue(fx(() -> lookup("#open-anyway").tryQuery().isPresent()));
            clickOn("#open-read-only");
            waitFor(
                    "opened read-only",
                    () -> f.equals(window.active().fileProperty().get()));
            assertTrue(fx(() -> window.active().readOnlyProperty().get()));
            assertFalse(fx(() -> window.active().editor().area().isEditable()));
            assertEquals("The other window's text.", text());
            interact(() -> window.active().memoryProperty().set("Changed here."));
            interact(() -> window.files().save());
            waitFor(
                    "saved to the recovery copy",
                    () -> window.saveStatus().get().contains("read-only"));
            assertArrayEquals(before, Files.readAllBytes(f), "the other process's story is not written");
            assertTrue(Files.readString(StoryLock.lockFileOf(f)).contains("pid=" + other.pid()), "its lock stays");

            // Save As makes it the writer's own story, written and editable
            Path mine = f.resolveSibling("Mine.longform");
            interact(() -> window.files().saveAs(window.active(), mine));
            waitFor("saved as", () -> Files.exists(mine));
            assertFalse(fx(() -> window.active().readOnlyProperty().get()));
            assertTrue(fx(() -> window.active().editor().area().isEditable()));
            assertArrayEquals(before, Files.readAllBytes(f), "the original is still not written");
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void openAnywayTakesTheLock() throws Exception {
        waitForModel();
        Path f = sharedStory();
        Process other = holdLock(f);
        try {
            interact(() -> window.files().open(f));
            waitFor("the notice", () -> window.notice().message().startsWith("This story is open in another"));
            clickOn("#open-anyway");
            waitFor("opened", () -> f.equals(window.active().fileProperty().get()));
            assertFalse(fx(() -> window.active().readOnlyProperty().get()));
            waitFor("the lock is ours", () -> window.active().lock() != null);
            assertTrue(Files.readString(StoryLock.lockFileOf(f))
                    .contains("pid=" + ProcessHandle.current().pid()));
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void aStaleLockIsTakenOverWithoutAWord() throws Exception {
        waitForModel();
        Path f = sharedStory();
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        assertInstanceOf(StoryLock.Acquired.class, StoryLock.acquire(f, StoryLock.Owner.of(gone.pid())));
        interact(() -> window.files().open(f));
        waitFor(
                "opened",
                () -> f.equals(window.active().fileProperty().get())
                        && window.active().lock() != null);
        assertEquals("", fx(() -> window.notice().message()));
        // closing the story releases its lock
        closeSelectedStory();
        waitFor("lock released", () -> !Files.exists(StoryLock.lockFileOf(f)));
    }

    /** Two app windows in this JVM (two MainWindow, FileCommands, StorySession), each with its own config folder. */
    @Test
    void aSecondWindowIsToldAndItsLaterSaveDoesNotOverwriteTheFirsts() throws Exception {
        waitForModel();
        Path f = sharedStory();
        interact(() -> window.files().open(f));
        waitFor(
                "first window has it",
                () -> f.equals(window.active().fileProperty().get())
                        && window.active().lock() != null);
        AppConfig c2 = new AppConfig(
                Files.createDirectories(config.resolve("second")),
                AppConfig.daemon("test-model-2"),
                AppConfig.daemon("test-io-2"),
                Platform::runLater,
                dir -> fake,
                Path.of("fake-model"),
                Duration.ofMillis(200),
                Duration.ofMillis(50),
                ProcessHandle.current().pid());
        MainWindow second = fx(() -> {
            MainWindow m = new MainWindow(c2, new Stage());
            m.start(List.of());
            return m;
        });
        try {
            interact(() -> second.files().open(f));
            String want = "This story is open in another Longform window (pid "
                    + ProcessHandle.current().pid();
            waitFor("the second window is told", () -> second.notice().message().startsWith(want));
            interact(() -> ((Button) second.scene().lookup("#open-anyway")).fire());
            waitFor(
                    "opened anyway",
                    () -> f.equals(second.active().fileProperty().get()));

            // the first window saves; then the second, which read the file before that save
            interact(() -> window.active().memoryProperty().set("First window's memory."));
            interact(() -> window.files().save());
            waitFor("first saved", () -> readMemory(f).equals("First window's memory."));
            byte[] first = Files.readAllBytes(f);
            interact(() -> second.active().memoryProperty().set("Second window's memory."));
            interact(() -> second.files().save());
            waitFor("the second is told", () -> second.notice().message().contains("was changed on disk"));
            assertArrayEquals(first, Files.readAllBytes(f), "the first window's save is intact");
            Path copy = fx(() -> second.active().fileProperty().get());
            waitFor("the second's text in its copy", () -> readMemory(copy).equals("Second window's memory."));
        } finally {
            interact(second::quit);
        }
    }

    private static String readMemory(Path p) {
        try {
            return StoryFile.read(p).memory();
        } catch (Exception e) {
            return "";
        }
    }

    @Test
    void aFileChangedOnDiskIsNotOverwrittenAndTheWritersTextGoesToACopy() throws Exception {
        waitForModel();
        Path f = sharedStory();
        interact(() -> window.files().open(f));
        waitFor("opened", () -> f.equals(window.active().fileProperty().get()));
        // another window (or a sync client) saves the story meanwhile
        StoryFile.write(f, StoryData.blank("Shared").withText("Written by the other window, later."));
        byte[] theirs = Files.readAllBytes(f);
        clickOn(".story-editor");
        write(" Mine.");
        waitFor("the conflict notice", () -> window.notice().message().contains("was changed on disk"));
        assertArrayEquals(theirs, Files.readAllBytes(f), "their save is intact");
        Path copy = fx(() -> window.active().fileProperty().get());
        assertTrue(copy.getFileName().toString().startsWith("Shared (conflict "), copy.toString());
        waitFor("my text in the copy", () -> readText(copy).endsWith(" Mine."));
        try (Stream<Path> s = Files.list(f.getParent())) {
            assertEquals(2, s.filter(p -> p.toString().endsWith(".longform")).count());
        }

        clickOn("#overwrite-changed"); // the writer decides: mine wins
        waitFor("overwritten on request", () -> readText(f).endsWith(" Mine."));
        assertEquals(f, fx(() -> window.active().fileProperty().get()));
    }

    private static String readText(Path p) {
        try {
            return StoryFile.read(p).text();
        } catch (Exception e) {
            return "";
        }
    }
}
