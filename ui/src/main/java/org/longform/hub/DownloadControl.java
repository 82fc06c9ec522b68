package org.longform.hub;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Pauses a running download from another thread (the UI's pause button). The downloader checks
 * between buffers and returns {@link DownloadResult.Status#PAUSED}, keeping the {@code .part}
 * file; running the same download again resumes it with an HTTP range request.
 */
public final class DownloadControl {
    private final AtomicBoolean paused = new AtomicBoolean();

    public void pause() {
        paused.set(true);
    }

    public boolean pauseRequested() {
        return paused.get();
    }

    /** Clears a pause so the same control can drive the resumed run. */
    public void reset() {
        paused.set(false);
    }
}
