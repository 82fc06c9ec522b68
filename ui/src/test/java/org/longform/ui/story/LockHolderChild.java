package org.longform.ui.story;

import java.nio.file.Path;

/** A second Longform process for {@link StoryLockTest}: takes the story's lock, says so, and waits to be killed. */
public final class LockHolderChild {
    public static void main(String[] args) throws Exception {
        StoryLock.Result r = StoryLock.acquire(
                Path.of(args[0]), StoryLock.Owner.of(ProcessHandle.current().pid()));
        System.out.println(r instanceof StoryLock.Acquired ? "LOCKED" : "NOT LOCKED " + r);
        System.out.flush();
        Thread.sleep(120_000);
    }
}
