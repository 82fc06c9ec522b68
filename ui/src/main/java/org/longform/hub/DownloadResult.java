package org.longform.hub;

import java.nio.file.Path;

/** How a download run ended: complete (every file verified) or paused (resume by running it again). */
public record DownloadResult(Status status, Path dir, String commit, long bytesDownloaded) {
    public enum Status {
        COMPLETE,
        PAUSED
    }

    public boolean complete() {
        return status == Status.COMPLETE;
    }
}
