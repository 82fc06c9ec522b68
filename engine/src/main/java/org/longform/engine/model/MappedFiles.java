package org.longform.engine.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.longform.engine.io.ModelFormatException;

/**
 * The files a loaded model maps, as they were when it was loaded: size, modification time and file
 * key (the inode). A mapped file truncated in place makes a read past its new end a SIGBUS; JDK 25
 * turns that into an {@link InternalError} ("a fault occurred in an unsafe memory access
 * operation") for MemorySegment reads, plain, bulk and Vector API alike, but the weights are gone
 * either way. So the engine checks before each generation and refuses with one line; a file
 * replaced by a new one (another inode: a download finishing, {@code mv}) is harmless, since the
 * mapping keeps the old one alive, and is not refused.
 */
public final class MappedFiles {
    private record Seen(Path path, Object key, long size, FileTime modified) {}

    private final List<Seen> files;

    private MappedFiles(List<Seen> files) {
        this.files = files;
    }

    /** A snapshot of {@code paths} now (files that cannot be read are left out: loading has already failed on them). */
    public static MappedFiles of(List<Path> paths) {
        List<Seen> seen = new ArrayList<>();
        for (Path p : paths) {
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                seen.add(new Seen(p, a.fileKey(), a.size(), a.lastModifiedTime()));
            } catch (IOException e) {
                // not mapped after all
            }
        }
        return new MappedFiles(List.copyOf(seen));
    }

    public List<Path> paths() {
        return files.stream().map(Seen::path).toList();
    }

    /**
     * Throws {@link ModelFormatException} naming the first file that was truncated or rewritten in
     * place since the model was loaded (its mapped bytes are no longer the weights that were loaded).
     */
    public void check() {
        for (Seen s : files) {
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(s.path(), BasicFileAttributes.class);
            } catch (NoSuchFileException e) {
                continue; // deleted: the mapping keeps the loaded file alive
            } catch (IOException e) {
                continue; // cannot tell; the mapping is unaffected by a path we cannot stat
            }
            if (s.key() != null && !Objects.equals(s.key(), a.fileKey())) continue; // replaced by another file
            if (a.size() < s.size())
                throw new ModelFormatException(
                        s.path(),
                        "was truncated while the model was loaded (" + s.size() + " bytes, now " + a.size()
                                + "); load the model again");
            if (a.size() != s.size() || !a.lastModifiedTime().equals(s.modified()))
                throw new ModelFormatException(
                        s.path(), "was rewritten in place while the model was loaded; load the model again");
        }
    }
}
