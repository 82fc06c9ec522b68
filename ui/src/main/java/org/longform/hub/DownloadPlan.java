package org.longform.hub;

import java.nio.file.Path;
import java.util.List;

/**
 * What a download will do, known before the first byte: the repository pinned to one commit (so a
 * resumed download cannot mix two revisions), the files, and how many bytes are still missing.
 *
 * @param bytesTotal   size of all selected files
 * @param bytesMissing what is not on disk yet (complete files and {@code .part} prefixes subtracted)
 * @param skipped      files of the repository left out (other frameworks' weights, duplicates)
 */
public record DownloadPlan(
        String endpoint,
        String repo,
        String revision,
        String commit,
        Path dir,
        List<RepoFile> files,
        List<String> skipped,
        long bytesTotal,
        long bytesMissing) {
    public DownloadPlan {
        files = List.copyOf(files);
        skipped = List.copyOf(skipped);
    }

    public String shortCommit() {
        return commit.length() > 10 ? commit.substring(0, 10) : commit;
    }
}
