package org.longform.hub;

/**
 * Progress of a download, called on the downloading thread (a UI hands these to its own thread).
 * Every method has a no-op default so a listener implements only what it shows.
 */
public interface DownloadListener {
    /** Before the first byte: what will be fetched. */
    default void planned(DownloadPlan plan) {}

    /** A file starts (or resumes at {@code offset} bytes). */
    default void fileStarted(RepoFile file, long offset) {}

    /** Bytes arrived: this file's count so far and the whole download's. Called often; throttle drawing. */
    default void progress(RepoFile file, long fileDone, long totalDone, long totalBytes) {}

    /** The connection dropped or the server failed; the file resumes from {@code offset} after a pause. */
    default void retrying(RepoFile file, int attempt, long offset, Exception cause) {}

    /** The file is complete and its checksum matched (or it was already complete). */
    default void fileDone(RepoFile file, boolean verified) {}
}
