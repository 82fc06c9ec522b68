package org.longform.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How many bytes can still be written under a folder. Injectable so tests can simulate a full disk. */
@FunctionalInterface
public interface FreeSpace {
    long usableBytes(Path dir) throws IOException;

    /** The file store's usable space at the nearest existing folder at or above {@code dir}. */
    static FreeSpace system() {
        return dir -> Files.getFileStore(existingAncestor(dir)).getUsableSpace();
    }

    static Path existingAncestor(Path dir) {
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.exists(p)) p = p.getParent();
        return p != null ? p : dir.toAbsolutePath().getRoot();
    }
}
