package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.StoryFile;
import org.longform.ui.story.StoryFileException;

/**
 * Saving when the disk will not take it: the previous version stays byte for byte, no temp file is
 * left behind, the history keeps its versions, and the writer is told in one line. The full disk is
 * real: a child JVM under {@code ulimit -f} (the JVM ignores SIGXFSZ, so every write past the cap
 * fails with EFBIG, as a full disk fails with ENOSPC, midway through the bytes).
 */
class DiskFaultTest {
    static final long PID = 4242;

    @TempDir
    Path tmp;

    /** Every file under {@code dir} with its bytes. */
    static Map<Path, byte[]> snapshot(Path dir) throws IOException {
        Map<Path, byte[]> m = new HashMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) m.put(dir.relativize(p), Files.readAllBytes(p));
        }
        return m;
    }

    static void assertSameFiles(Map<Path, byte[]> want, Map<Path, byte[]> got) {
        assertEquals(want.keySet(), got.keySet(), "files after the failed save (no temp file left, none removed)");
        for (var e : want.entrySet()) assertArrayEquals(e.getValue(), got.get(e.getKey()), e.getKey() + " changed");
    }

    static String runChild(Path config, Path story, int kb, int ulimitKb) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cmd = "ulimit -f " + ulimitKb + "; exec '" + java + "' -XX:-UsePerfData -Xshare:off -cp '"
                + System.getProperty("java.class.path") + "' " + DiskFaultChild.class.getName()
                + " '" + config + "' " + PID + " '" + story + "' " + kb;
        Process p =
                new ProcessBuilder("bash", "-c", cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child finished");
        return out.strip();
    }

    @Test
    void aFullDiskKeepsThePreviousVersionAndSaysSo() throws Exception {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "ulimit -f is a Linux check here");
        Path home = Files.createDirectories(tmp.resolve("home")), config = home.resolve("config");
        Path story = home.resolve("novel.longform");
        StoryData v1 = StoryData.blank("Novel").withText("Chapter one. The previous good version.");
        new AutosaveStore(config, PID).save(v1, story);
        Map<Path, byte[]> before = snapshot(home);

        String out = runChild(config, story, 300, 64); // 300 KB of text, 64 KB allowed
        assertTrue(out.startsWith("FAILED Autosave failed: "), out);
        assertFalse(out.contains("\n"), "one line: " + out);
        assertTrue(out.contains("disk") || out.contains("larger than"), "says what is wrong: " + out);
        assertSameFiles(before, snapshot(home));
        assertEquals(v1.text(), StoryFile.read(story).text());

        // Room again (a smaller save): saving works and the history grows.
        assertEquals("SAVED", runChild(config, story, 20, 64));
        assertEquals(20 * 1024, StoryFile.read(story).text().length());
    }

    @Test
    void aReadOnlyFolderKeepsTheStoryAndSaysSo() throws Exception {
        Path config = tmp.resolve("config"), folder = Files.createDirectories(tmp.resolve("shared"));
        Path story = folder.resolve("novel.longform");
        StoryData v1 = StoryData.blank("Novel").withText("Chapter one.");
        AutosaveStore store = new AutosaveStore(config, PID);
        store.save(v1, story);
        byte[] good = Files.readAllBytes(story);
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(Files.isWritable(folder), "running as root: permissions do not stop root");
            StoryData v2 = v1.withText("Chapter two.");
            StoryFileException e = assertThrows(StoryFileException.class, () -> store.save(v2, story));
            assertTrue(e.getMessage().startsWith(folder.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("permission denied"), e.getMessage());
            assertArrayEquals(good, Files.readAllBytes(story));
            List<Path> left = new ArrayList<>();
            try (Stream<Path> s = Files.list(folder)) {
                s.forEach(left::add);
            }
            assertEquals(List.of(story), left, "no temp file left");
            // the recovery copy has the new text: nothing typed is lost
            Path recovery = store.sessionDir().resolve(v1.id() + StoryFile.EXTENSION);
            assertEquals("Chapter two.", StoryFile.read(recovery).text());
        } finally {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }
}
