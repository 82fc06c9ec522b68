package org.longform.ui.story;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a story file looked like when this instance last read or wrote it: size, modification time
 * and SHA-256 of its bytes. A save first checks that the file is still that (another Longform
 * window, a sync client or another editor may have written it since) and never overwrites it
 * blindly otherwise. Size and time equal mean unchanged without hashing; a touched file whose bytes
 * are the same is unchanged too.
 *
 * @param size     bytes; {@code -1} for a file that does not exist
 * @param modified modification time in ms
 * @param sha256   lowercase hex of the bytes
 */
public record DiskStamp(long size, long modified, String sha256) {
    /** No file at that path. */
    public static final DiskStamp ABSENT = new DiskStamp(-1, 0, "");

    /** The stamp of bytes just read from or written to {@code file}. */
    public static DiskStamp of(Path file, byte[] bytes) throws IOException {
        return new DiskStamp(bytes.length, Files.getLastModifiedTime(file).toMillis(), sha256(bytes));
    }

    /** The file as it is on disk now ({@link #ABSENT} if there is none). */
    public static DiskStamp read(Path file) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            byte[] bytes = Files.readAllBytes(file);
            return new DiskStamp(bytes.length, a.lastModifiedTime().toMillis(), sha256(bytes));
        } catch (NoSuchFileException e) {
            return ABSENT;
        }
    }

    /**
     * True when {@code file} is still what this stamp describes, or has gone (a file deleted or
     * moved away loses nothing when it is written again).
     */
    public boolean matches(Path file) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return true;
        }
        if (size < 0) return false; // it was absent and now exists: someone else created it
        if (a.size() != size) return false;
        if (a.lastModifiedTime().toMillis() == modified) return true;
        return sha256(Files.readAllBytes(file)).equals(sha256);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
