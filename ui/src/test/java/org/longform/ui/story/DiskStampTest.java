package org.longform.ui.story;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances (two writers of one file, as two Longform windows or another program): a save
 * overwrites only the file it last read or wrote.
 */
class DiskStampTest {
    @TempDir
    Path dir;

    @Test
    void theSecondWriterDoesNotOverwriteTheFirstsSave() throws Exception {
        Path f = dir.resolve("novel.longform");
        StoryData start = StoryData.blank("Novel").withText("Chapter one.");
        DiskStamp written = StoryFile.writeChecked(f, start, null);

        // both instances read the same file
        DiskStamp a = DiskStamp.read(f), b = DiskStamp.read(f);
        assertEquals(written, a);
        byte[] before = Files.readAllBytes(f);

        DiskStamp aSaved = StoryFile.writeChecked(f, start.withText("Chapter one. A wrote this."), a);
        byte[] afterA = Files.readAllBytes(f);
        assertFalse(java.util.Arrays.equals(before, afterA));
        StoryChangedException e = assertThrows(
                StoryChangedException.class,
                () -> StoryFile.writeChecked(f, start.withText("Chapter one. B wrote this."), b));
        assertTrue(e.getMessage().startsWith(f + ": changed on disk"), e.getMessage());
        assertArrayEquals(afterA, Files.readAllBytes(f), "A's save is intact");
        // A goes on saving over its own save
        StoryFile.writeChecked(f, start.withText("Chapter one. A wrote more."), aSaved);
    }

    @Test
    void aTouchedButEqualFileIsNotAChangeAndADeletedOneIsWrittenAgain() throws Exception {
        Path f = dir.resolve("novel.longform");
        DiskStamp s = StoryFile.writeChecked(f, StoryData.blank("Novel").withText("Text."), null);
        Files.setLastModifiedTime(f, FileTime.fromMillis(s.modified() + 60_000)); // a sync client touched it
        assertTrue(s.matches(f));
        Files.delete(f);
        assertTrue(s.matches(f), "nothing to lose: the file is written again");
        assertFalse(DiskStamp.ABSENT.matches(writeSomething(f)), "a file that appeared where none was");
    }

    @Test
    void sameSizeSameTimeDifferentBytesIsStillCaughtWhenTheTimeMoves() throws Exception {
        Path f = dir.resolve("novel.longform");
        DiskStamp s = StoryFile.writeChecked(f, StoryData.blank("Novel").withText("aaaa"), null);
        byte[] other = Files.readAllBytes(f);
        int i = new String(other).indexOf("aaaa");
        other[i] = 'b';
        Files.write(f, other);
        Files.setLastModifiedTime(f, FileTime.fromMillis(s.modified() + 1000));
        assertFalse(s.matches(f));
    }

    @Test
    void conflictCopiesNeverReplaceAFile() throws Exception {
        Path f = dir.resolve("novel.longform");
        Path c1 = StoryFile.conflictCopy(f);
        assertTrue(c1.getFileName().toString().startsWith("novel (conflict "), c1.toString());
        Files.writeString(c1, "x");
        Path c2 = StoryFile.conflictCopy(f);
        assertNotEquals(c1, c2);
    }

    private static Path writeSomething(Path f) throws Exception {
        Files.writeString(f, "someone else's");
        return f;
    }
}
