package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.StoryFile;

class AutosaveStoreTest {
    @TempDir
    Path config;

    /** A pid that is certainly not running: a child that has already exited. */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    @Test
    void savesFileRecoveryCopyAndRollingVersions() throws Exception {
        AutosaveStore.VERSION_SPACING_SECONDS = 0; // every save is a version here
        AutosaveStore store = new AutosaveStore(config, ProcessHandle.current().pid());
        Path file = config.resolve("mine.longform");
        StoryData s = StoryData.blank("Mine").withText("v0");
        for (int i = 1; i <= AutosaveStore.KEEP_VERSIONS + 5; i++) {
            s = s.withText("version " + i);
            store.save(s, file);
            Thread.sleep(2); // distinct timestamps
        }
        assertEquals("version 25", StoryFile.read(file).text());
        assertEquals(
                "version 25",
                StoryFile.read(store.sessionDir().resolve(s.id() + ".longform")).text());
        List<Path> versions = store.versions(s.id());
        assertEquals(AutosaveStore.KEEP_VERSIONS, versions.size());
        assertEquals("version 25", StoryFile.read(versions.getLast()).text());
        assertEquals("version 6", StoryFile.read(versions.getFirst()).text());
        assertTrue(store.recoverable(new ArrayList<>()).isEmpty(), "our own live session is not 'crashed'");
        store.closeSession();
        assertFalse(Files.exists(store.sessionDir()));
    }

    @Test
    void savesWithinAMinuteShareOneVersion() throws Exception {
        AutosaveStore.VERSION_SPACING_SECONDS = 60;
        AutosaveStore store = new AutosaveStore(config, ProcessHandle.current().pid());
        StoryData s = StoryData.blank("Quick");
        for (int i = 0; i < 5; i++) {
            s = s.withText("edit " + i);
            store.save(s, config.resolve("quick.longform"));
            Thread.sleep(2);
        }
        List<Path> versions = store.versions(s.id());
        assertEquals(1, versions.size());
        assertEquals("edit 4", StoryFile.read(versions.getFirst()).text(), "the newest state is the one kept");
    }

    @Test
    void storiesOfADeadSessionAreRecoverableAndDiscardable() throws Exception {
        AutosaveStore crashed = new AutosaveStore(config, deadPid());
        StoryData s = StoryData.blank("Lost").withText("unsaved words");
        crashed.save(s, config.resolve("lost.longform"));
        Files.writeString(crashed.sessionDir().resolve("junk.longform"), "{broken");

        AutosaveStore now = new AutosaveStore(config, ProcessHandle.current().pid());
        List<String> problems = new ArrayList<>();
        var found = now.recoverable(problems);
        assertEquals(1, found.size());
        assertEquals("unsaved words", found.getFirst().story().text());
        assertEquals(
                config.resolve("lost.longform").toAbsolutePath(),
                found.getFirst().originalPath());
        assertEquals(1, problems.size());
        assertTrue(problems.getFirst().contains("junk.longform"), problems.toString());
        now.discardRecoverable(found);
        assertTrue(now.recoverable(new ArrayList<>()).isEmpty());
    }
}
