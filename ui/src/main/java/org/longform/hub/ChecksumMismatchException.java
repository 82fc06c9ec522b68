package org.longform.hub;

import java.nio.file.Path;

/** A downloaded file whose content does not match the hub's checksum; the partial file has been deleted. */
public final class ChecksumMismatchException extends HubException {
    private final Path file;

    public ChecksumMismatchException(Path file, String algorithm, String expected, String actual) {
        super(file + ": checksum mismatch (" + algorithm + " expected " + expected + ", got " + actual
                + "); the corrupt download was deleted, run the download again to fetch it anew");
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
