package org.longform.ui.story;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * "This story is open in another Longform window": a small lock file beside the story
 * ({@code .NAME.longform.lock}) naming the process that has it open (pid, its start time, host)
 * and a token for the window. A second instance that finds a live holder tells the writer instead
 * of opening for writing; a lock whose process is gone (a crash, a kill) or whose pid now belongs
 * to another process is stale and taken over. The lock is advice between Longform windows; what
 * keeps a file from being overwritten blindly is the save-time check ({@link DiskStamp}).
 */
public final class StoryLock {
    private static final String MAGIC = "longform-lock 1";
    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");

    /**
     * Who holds (or wants) a lock.
     *
     * @param pid          the process
     * @param processStart when that process started (ms; -1 unknown): a pid reused by a later process is not the holder
     * @param host         the machine (a lock from another machine cannot be checked and counts as live)
     * @param token        one per app window: the same process may hold a story in one window only
     */
    public record Owner(long pid, long processStart, String host, String token) {
        /** A new window in process {@code pid} on this machine. */
        public static Owner of(long pid) {
            return new Owner(pid, startOf(pid), localHost(), UUID.randomUUID().toString());
        }
    }

    /** A live holder, as the writer is told about it. */
    public record Holder(long pid, String host, Instant since, boolean otherMachine) {
        /** "pid 4242, since 14:05" (plus "on HOST" from another machine). */
        public String describe() {
            return "pid " + pid + ", since " + HH_MM.format(since.atZone(ZoneId.systemDefault()))
                    + (otherMachine ? ", on " + host : "");
        }
    }

    /** What {@link #acquire} found. */
    public sealed interface Result {}

    /** The lock is ours now. */
    public record Acquired(StoryLock lock) implements Result {}

    /** Another live window has the story; nothing was written. */
    public record Held(Holder holder) implements Result {}

    /** No lock could be written (a read-only folder...): the story opens unlocked. */
    public record Unlocked(String why) implements Result {}

    private final Path file;
    private final Owner owner;

    private StoryLock(Path file, Owner owner) {
        this.file = file;
        this.owner = owner;
    }

    public static Path lockFileOf(Path story) {
        return story.toAbsolutePath().resolveSibling("." + story.getFileName() + ".lock");
    }

    /** Takes the lock of {@code story} unless another live window holds it; a stale lock is taken over. */
    public static Result acquire(Path story, Owner me) {
        Path lf = lockFileOf(story);
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                createNew(lf, me);
                return new Acquired(new StoryLock(lf, me));
            } catch (FileAlreadyExistsException e) {
                Optional<Holder> h = liveHolder(lf, me);
                if (h.isPresent()) return new Held(h.get());
                // stale or ours: replace it (a new attempt, in case another window just did the same)
                try {
                    if (ours(lf, me)) return new Acquired(new StoryLock(lf, me));
                    Files.deleteIfExists(lf);
                } catch (IOException io) {
                    return new Unlocked(lf + ": " + io.getMessage());
                }
            } catch (IOException e) {
                return new Unlocked(lf + ": " + e.getMessage());
            }
        }
        return new Unlocked(lf + ": another window keeps replacing the lock");
    }

    /** "Open anyway": the lock becomes ours whoever held it; the other window's saves still check the file. */
    public static Result takeOver(Path story, Owner me) {
        Path lf = lockFileOf(story);
        try {
            Path tmp = Files.createTempFile(lf.getParent(), lf.getFileName().toString(), ".tmp");
            try {
                Files.writeString(tmp, content(me));
                try {
                    Files.move(tmp, lf, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, lf, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return new Acquired(new StoryLock(lf, me));
        } catch (IOException e) {
            return new Unlocked(lf + ": " + e.getMessage());
        }
    }

    /** The live holder of {@code story}'s lock other than {@code me}, if any. */
    public static Optional<Holder> holder(Path story, Owner me) {
        return liveHolder(lockFileOf(story), me);
    }

    /** Removes the lock if it is still ours (after "open anyway" elsewhere it is not, and stays). */
    public void release() {
        try {
            if (ours(file, owner)) Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover lock names a dead process: the next open takes it over
        }
    }

    public Owner owner() {
        return owner;
    }

    public Path file() {
        return file;
    }

    private static void createNew(Path lf, Owner me) throws IOException {
        // written whole to a temp file, then linked in: a reader never sees half a lock
        Path tmp = Files.createTempFile(lf.getParent(), lf.getFileName().toString(), ".tmp");
        try {
            Files.writeString(tmp, content(me));
            try {
                Files.createLink(lf, tmp);
            } catch (FileAlreadyExistsException e) {
                throw e;
            } catch (UnsupportedOperationException | FileSystemException e) {
                Files.move(tmp, lf); // no hard links (FAT, some shares): fails if it exists, almost atomically
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String content(Owner me) {
        return MAGIC + "\npid=" + me.pid() + "\nprocess-start=" + me.processStart() + "\nhost=" + me.host() + "\ntoken="
                + me.token() + "\nsince=" + Instant.now() + "\n";
    }

    private static Map<String, String> parse(Path lf) throws IOException {
        Map<String, String> m = new HashMap<>();
        String s = Files.readString(lf, StandardCharsets.UTF_8);
        if (!s.startsWith(MAGIC)) return m;
        for (String line : s.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) m.put(line.substring(0, eq), line.substring(eq + 1).strip());
        }
        return m;
    }

    private static boolean ours(Path lf, Owner me) throws IOException {
        try {
            return me.token().equals(parse(lf).get("token"));
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static Optional<Holder> liveHolder(Path lf, Owner me) {
        Map<String, String> m;
        try {
            m = parse(lf);
        } catch (IOException e) {
            return Optional.empty(); // gone or unreadable: nothing to respect
        }
        try {
            long pid = Long.parseLong(m.get("pid"));
            long start = Long.parseLong(m.getOrDefault("process-start", "-1"));
            String host = m.getOrDefault("host", "");
            String token = m.getOrDefault("token", "");
            Instant since = Instant.parse(m.get("since"));
            if (token.equals(me.token())) return Optional.empty(); // ours
            Holder h = new Holder(pid, host, since, !host.equals(me.host()));
            if (h.otherMachine()) return Optional.of(h); // cannot check another machine's processes
            if (pid == me.pid() && start == me.processStart()) return Optional.of(h); // another window of ours
            return isAlive(pid, start) ? Optional.of(h) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty(); // not a lock this version wrote: stale
        }
    }

    /** True when process {@code pid} runs and, where both are known, started when the lock says. */
    static boolean isAlive(long pid, long recordedStart) {
        Optional<ProcessHandle> p = ProcessHandle.of(pid);
        if (p.isEmpty() || !p.get().isAlive()) return false;
        if (recordedStart < 0) return true;
        long now = p.get().info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
        // start times are read with clock-tick precision; a reused pid started much later
        return now < 0 || Math.abs(now - recordedStart) < 2000;
    }

    private static long startOf(long pid) {
        return ProcessHandle.of(pid)
                .flatMap(p -> p.info().startInstant())
                .map(Instant::toEpochMilli)
                .orElse(-1L);
    }

    private static volatile String localHost;

    /** This machine's name, without a DNS lookup where the system says it directly. */
    static String localHost() {
        String h = localHost;
        if (h != null) return h;
        try {
            h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException | RuntimeException e) {
            h = System.getenv("COMPUTERNAME");
            if (h == null) {
                try {
                    h = InetAddress.getLocalHost().getHostName();
                } catch (IOException x) {
                    h = "localhost";
                }
            }
        }
        localHost = h;
        return h;
    }
}
