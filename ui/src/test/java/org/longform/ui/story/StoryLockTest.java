package org.longform.ui.story;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two Longform instances on one story: the second is told who has it; a dead holder's lock is taken over. */
class StoryLockTest {
    @TempDir
    Path dir;

    static final long PID = ProcessHandle.current().pid();

    @Test
    void aSecondWindowIsToldWhoHasTheStoryAndGetsItAfterTheFirstCloses() throws Exception {
        Path story = dir.resolve("novel.longform");
        StoryLock.Owner first = StoryLock.Owner.of(PID), second = StoryLock.Owner.of(PID);
        StoryLock.Result a = StoryLock.acquire(story, first);
        StoryLock lock = assertInstanceOf(StoryLock.Acquired.class, a).lock();
        assertTrue(Files.isRegularFile(StoryLock.lockFileOf(story)));
        assertEquals(
                ".novel.longform.lock",
                StoryLock.lockFileOf(story).getFileName().toString());

        StoryLock.Result b = StoryLock.acquire(story, second);
        StoryLock.Holder h = assertInstanceOf(StoryLock.Held.class, b).holder();
        assertEquals(PID, h.pid());
        assertFalse(h.otherMachine());
        assertTrue(h.describe().matches("pid " + PID + ", since \\d\\d:\\d\\d"), h.describe());
        // the holder itself may open it again (a second tab of the same file selects the first)
        assertInstanceOf(StoryLock.Acquired.class, StoryLock.acquire(story, first));

        lock.release();
        assertFalse(Files.exists(StoryLock.lockFileOf(story)));
        assertInstanceOf(StoryLock.Acquired.class, StoryLock.acquire(story, second));
    }

    @Test
    void openAnywayTakesTheLockAndTheFirstWindowsReleaseLeavesIt() throws Exception {
        Path story = dir.resolve("novel.longform");
        StoryLock.Owner first = StoryLock.Owner.of(PID), second = StoryLock.Owner.of(PID);
        StoryLock mine = ((StoryLock.Acquired) StoryLock.acquire(story, first)).lock();
        StoryLock theirs = ((StoryLock.Acquired) StoryLock.takeOver(story, second)).lock();
        mine.release(); // the first window closes: the lock is the second's now and stays
        assertTrue(Files.exists(StoryLock.lockFileOf(story)));
        assertInstanceOf(StoryLock.Held.class, StoryLock.acquire(story, StoryLock.Owner.of(PID)));
        theirs.release();
        assertFalse(Files.exists(StoryLock.lockFileOf(story)));
    }

    @Test
    void staleLocksAreTakenOver() throws Exception {
        Path story = dir.resolve("novel.longform");
        Path lf = StoryLock.lockFileOf(story);
        StoryLock.Owner me = StoryLock.Owner.of(PID);
        // a pid that has exited
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor(10, TimeUnit.SECONDS);
        writeLock(lf, gone.pid(), -1, me.host());
        assertInstanceOf(StoryLock.Acquired.class, StoryLock.acquire(story, me));
        // our own pid, but a process that started at another time: the pid was reused
        writeLock(lf, PID, me.processStart() - 3_600_000, me.host());
        assertInstanceOf(StoryLock.Acquired.class, StoryLock.acquire(story, StoryLock.Owner.of(PID)));
        // not a lock at all
        Files.writeString(lf, "garbage\u0000");
        assertInstanceOf(StoryLock.Acquired.class, StoryLock.acquire(story, StoryLock.Owner.of(PID)));
        // another machine: cannot be checked, so it counts
        writeLock(lf, gone.pid(), -1, "other-box");
        StoryLock.Holder h = assertInstanceOf(StoryLock.Held.class, StoryLock.acquire(story, StoryLock.Owner.of(PID)))
                .holder();
        assertTrue(h.describe().endsWith(", on other-box"), h.describe());
    }

    @Test
    void aReadOnlyFolderOpensUnlocked() throws Exception {
        Path story = dir.resolve("no such folder").resolve("novel.longform");
        assertInstanceOf(StoryLock.Unlocked.class, StoryLock.acquire(story, StoryLock.Owner.of(PID)));
    }

    /** The liveness check against a real second process: held while it runs, taken over after kill -9. */
    @Test
    @Timeout(60)
    void aLockHeldByAnotherProcessCountsUntilThatProcessIsKilled() throws Exception {
        Path story = dir.resolve("shared.longform");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(
                        java,
                        "-XX:-UsePerfData",
                        "-cp",
                        System.getProperty("java.class.path"),
                        LockHolderChild.class.getName(),
                        story.toString())
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()));
            assertEquals("LOCKED", out.readLine());
            StoryLock.Result r = StoryLock.acquire(story, StoryLock.Owner.of(PID));
            StoryLock.Holder h = assertInstanceOf(StoryLock.Held.class, r).holder();
            assertEquals(child.pid(), h.pid());
            assertTrue(h.describe().startsWith("pid " + child.pid() + ", since "), h.describe());

            child.destroyForcibly(); // SIGKILL: the lock file stays behind
            assertTrue(child.waitFor(20, TimeUnit.SECONDS));
            assertTrue(Files.exists(StoryLock.lockFileOf(story)), "a killed process leaves its lock");
            assertInstanceOf(StoryLock.Acquired.class, StoryLock.acquire(story, StoryLock.Owner.of(PID)));
        } finally {
            child.destroyForcibly();
        }
    }

    private static void writeLock(Path lf, long pid, long start, String host) throws Exception {
        Files.writeString(
                lf,
                "longform-lock 1\npid=" + pid + "\nprocess-start=" + start + "\nhost=" + host + "\ntoken=t-" + pid
                        + "\nsince=" + Instant.now() + "\n");
    }
}
