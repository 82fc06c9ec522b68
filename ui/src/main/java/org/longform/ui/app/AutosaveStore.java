package org.longform.ui.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.longform.ui.story.AtomicFiles;
import org.longform.ui.story.DiskStamp;
import org.longform.ui.story.StoryChangedException;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.StoryFile;
import org.longform.ui.story.StoryFileException;

/**
 * Autosave and crash recovery on disk, under the config folder:
 * <pre>
 *   autosave/PID/ID.longform   latest state of each open story of the running app (PID)
 *   autosave/PID/ID.path       the story's own file, if it has one
 *   history/ID/TIME.longform   rolling versions, one per minute at most (newest {@value #KEEP_VERSIONS} kept)
 * </pre>
 * A clean exit deletes autosave/PID; a folder whose process is gone means a crash, and its
 * stories are offered for recovery. Called on the I/O worker, never on the FX thread.
 */
public final class AutosaveStore {
    public static final int KEEP_VERSIONS = 20;
    /** Versions closer together than this are merged (the newer one replaces the older). */
    static long VERSION_SPACING_SECONDS = 60;

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");

    private final Path root;
    private final long pid;
    private final Clock clock;

    /** A story left behind by a session that did not exit cleanly. */
    public record Recoverable(Path file, Path originalPath, StoryData story, long savedAt) {}

    public AutosaveStore(Path configDir, long pid) {
        this(configDir, pid, Clock.systemDefaultZone());
    }

    /** {@code clock} names the history versions (tests fix it to make saves collide). */
    public AutosaveStore(Path configDir, long pid, Clock clock) {
        this.root = configDir;
        this.pid = pid;
        this.clock = clock;
    }

    public Path sessionDir() {
        return root.resolve("autosave").resolve(Long.toString(pid));
    }

    /** Saves the recovery copy, the story's own file (if any) and a history version; all writes atomic. */
    public void save(StoryData story, Path userFile) throws StoryFileException {
        save(story, userFile, null);
    }

    /**
     * As {@link #save(StoryData, Path)}, but the story's own file is written only if it is still
     * what {@code expected} describes (null: unchecked). The recovery copy and the history version
     * are written either way, so the text is on disk even when the story file is not.
     *
     * @return the stamp of the story file as written (null without one)
     * @throws StoryChangedException the story file changed on disk and was left as it was
     */
    public DiskStamp save(StoryData story, Path userFile, DiskStamp expected) throws StoryFileException {
        Path dir = sessionDir();
        Path rec = dir.resolve(story.id() + StoryFile.EXTENSION);
        StoryFile.write(rec, story);
        Path pathFile = dir.resolve(story.id() + ".path");
        try {
            if (userFile != null)
                AtomicFiles.write(pathFile, userFile.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8));
            else Files.deleteIfExists(pathFile);
        } catch (IOException e) {
            throw new StoryFileException(pathFile, "cannot write: " + e.getMessage(), e);
        }
        DiskStamp written = null;
        try {
            if (userFile != null) written = StoryFile.writeChecked(userFile, story, expected);
        } catch (StoryChangedException e) {
            saveVersion(story); // the writer's text is kept in the history as well as the recovery copy
            throw e;
        }
        saveVersion(story);
        return written;
    }

    private void saveVersion(StoryData story) throws StoryFileException {
        Path dir = root.resolve("history").resolve(story.id());
        List<Path> before = versions(story.id());
        Path written = dir.resolve(LocalDateTime.now(clock).format(STAMP) + StoryFile.EXTENSION);
        StoryFile.write(written, story);
        // Keep at most one version per minute: a newer save replaces a version younger than that,
        // so a long evening of autosaves still leaves a useful spread of older versions. A save in
        // the same millisecond has just replaced that version under its own name: it must stay.
        if (!before.isEmpty() && !before.getLast().equals(written) && isRecent(before.getLast())) {
            try {
                Files.deleteIfExists(before.getLast());
            } catch (IOException ignored) {
                // an extra version is harmless
            }
        }
        // Oldest names first; the version just written is never one of them, even when the clock
        // went back (daylight saving ends, a corrected clock) and its name sorts before the others.
        List<Path> versions = new ArrayList<>(versions(story.id()));
        versions.remove(written);
        for (int i = 0; i < versions.size() + 1 - KEEP_VERSIONS; i++) {
            try {
                Files.deleteIfExists(versions.get(i));
            } catch (IOException ignored) {
                // an old version that cannot be removed is harmless
            }
        }
    }

    private boolean isRecent(Path version) {
        String name = version.getFileName().toString();
        try {
            LocalDateTime at =
                    LocalDateTime.parse(name.substring(0, name.length() - StoryFile.EXTENSION.length()), STAMP);
            return at.isAfter(LocalDateTime.now(clock).minusSeconds(VERSION_SPACING_SECONDS));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** History versions of a story, oldest first. */
    public List<Path> versions(String storyId) {
        Path dir = root.resolve("history").resolve(storyId);
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(StoryFile.EXTENSION))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The story was closed deliberately (saved or discarded): it needs no recovery. */
    public void forget(String storyId) {
        try {
            Files.deleteIfExists(sessionDir().resolve(storyId + StoryFile.EXTENSION));
            Files.deleteIfExists(sessionDir().resolve(storyId + ".path"));
        } catch (IOException ignored) {
            // a leftover copy is only offered for recovery; never fatal
        }
    }

    /** Clean exit. */
    public void closeSession() {
        deleteTree(sessionDir());
    }

    /** Stories from sessions whose process is gone. Unreadable leftovers are reported through {@code problems}. */
    public List<Recoverable> recoverable(List<String> problems) {
        List<Recoverable> out = new ArrayList<>();
        Path auto = root.resolve("autosave");
        if (!Files.isDirectory(auto)) return out;
        try (DirectoryStream<Path> sessions = Files.newDirectoryStream(auto)) {
            for (Path s : sessions) {
                long other;
                try {
                    other = Long.parseLong(s.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue;
                }
                if (other == pid
                        || ProcessHandle.of(other).map(ProcessHandle::isAlive).orElse(false)) continue;
                try (DirectoryStream<Path> files = Files.newDirectoryStream(s, "*" + StoryFile.EXTENSION)) {
                    for (Path f : files) {
                        try {
                            StoryData d = StoryFile.read(f);
                            String id = d.id();
                            Path pf = s.resolve(id + ".path");
                            Path orig = Files.isRegularFile(pf)
                                    ? Path.of(Files.readString(pf).strip())
                                    : null;
                            out.add(new Recoverable(
                                    f, orig, d, Files.getLastModifiedTime(f).toMillis()));
                        } catch (StoryFileException | IOException e) {
                            problems.add(e.getMessage());
                        }
                    }
                }
            }
        } catch (IOException e) {
            problems.add(auto + ": " + e.getMessage());
        }
        out.sort(Comparator.comparingLong(Recoverable::savedAt).reversed());
        return out;
    }

    /** Removes the crashed sessions' folders once their stories are reopened or declined. */
    public void discardRecoverable(List<Recoverable> items) {
        for (Recoverable r : items) {
            try {
                Files.deleteIfExists(r.file());
                Files.deleteIfExists(r.file().resolveSibling(r.story().id() + ".path"));
                Path dir = r.file().getParent();
                try (Stream<Path> left = Files.list(dir)) {
                    if (left.findAny().isEmpty()) Files.deleteIfExists(dir);
                }
            } catch (IOException ignored) {
                // offered again next time; harmless
            }
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
