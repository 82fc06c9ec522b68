package org.longform.hub;

import java.nio.file.Path;

/** Refused before the first byte: the target disk cannot hold what is left to download. */
public final class NotEnoughSpaceException extends HubException {
    private final long needed, available;
    private final Path dir;

    public NotEnoughSpaceException(String what, Path dir, long needed, long available) {
        super("not enough disk space for " + what + " in " + dir + ": needs " + Sizes.exact(needed) + ", only "
                + Sizes.exact(available) + " available; free some space or choose another folder with --to");
        this.needed = needed;
        this.available = available;
        this.dir = dir;
    }

    public long needed() {
        return needed;
    }

    public long available() {
        return available;
    }

    public Path dir() {
        return dir;
    }
}
