package org.longform.hub;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads a hub repository into a folder: pinned to one commit, one file at a time into
 * {@code FILE.part}, resumed with {@code Range: bytes=N-} after a dropped connection, a pause or a
 * killed process, verified against the hub's sha256 (LFS) or git blob sha1 (small files), then
 * renamed into place. Refuses before the first byte when the disk cannot hold what is missing.
 */
public final class HubDownloader {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");
    private static final int BUFFER = 1 << 20;

    private final HubClient client;
    private final FreeSpace freeSpace;
    private final int maxRetries;
    private final Duration retryDelay;

    /**
     * @param maxRetries how many times in a row a file may fail without progress before we give up
     * @param retryDelay first pause before a retry; doubles each time, at most 30 s
     */
    public HubDownloader(HubClient client, FreeSpace freeSpace, int maxRetries, Duration retryDelay) {
        this.client = client;
        this.freeSpace = freeSpace;
        this.maxRetries = maxRetries;
        this.retryDelay = retryDelay;
    }

    public HubDownloader(HubClient client) {
        this(client, FreeSpace.system(), 5, Duration.ofSeconds(2));
    }

    public HubClient client() {
        return client;
    }

    /** Asks the hub what {@code repo@revision} holds and what of it is missing in {@code dir}. No file is written. */
    public DownloadPlan plan(String repo, String revision, Path dir, boolean allFiles) throws IOException {
        String commit = client.resolveCommit(repo, revision);
        List<RepoFile> listed = client.listFiles(repo, commit);
        if (listed.isEmpty()) throw new HubException(repo + "@" + revision + ": the repository has no files");
        FileSelection.Result sel = FileSelection.select(listed, allFiles);
        DownloadManifest m = DownloadManifest.read(dir);
        long total = 0, missing = 0;
        for (RepoFile f : sel.selected()) {
            total += f.size();
            missing += f.size() - onDisk(dir, f, m);
        }
        return new DownloadPlan(
                client.endpoint(),
                repo,
                revision,
                commit,
                dir.toAbsolutePath(),
                sel.selected(),
                sel.skipped(),
                total,
                missing);
    }

    /** Bytes of {@code f} already usable in {@code dir}: the whole file, a resumable prefix, or nothing. */
    private static long onDisk(Path dir, RepoFile f, DownloadManifest m) throws IOException {
        Path target = dir.resolve(f.path());
        if (Files.isRegularFile(target) && Files.size(target) == f.size()) return f.size();
        Path part = partOf(target);
        if (Files.isRegularFile(part) && Files.size(part) <= f.size() && partMatches(m, f)) return Files.size(part);
        return 0;
    }

    private static boolean partMatches(DownloadManifest m, RepoFile f) {
        String want = f.expectedDigest();
        return m != null && want != null && want.equals(m.partial().get(f.path()));
    }

    /** Throws {@link NotEnoughSpaceException} naming the bytes needed and available. */
    public void checkSpace(DownloadPlan plan) throws IOException {
        long available = freeSpace.usableBytes(plan.dir());
        if (plan.bytesMissing() > available) {
            throw new NotEnoughSpaceException(
                    plan.repo(), FreeSpace.existingAncestor(plan.dir()), plan.bytesMissing(), available);
        }
    }

    /** Checks the space, then fetches every missing file; returns early (PAUSED) when {@code control} asks. */
    public DownloadResult download(DownloadPlan plan, DownloadListener listener, DownloadControl control)
            throws IOException {
        checkSpace(plan);
        Files.createDirectories(plan.dir());
        DownloadManifest m = DownloadManifest.read(plan.dir());
        if (m == null || !plan.commit().equals(m.commit()) || !plan.repo().equals(m.repo())) {
            // keep the verified list only for files whose checksum is unchanged (checked per file below)
            m = m == null
                    ? DownloadManifest.empty(plan)
                    : new DownloadManifest(
                            plan.endpoint(), plan.repo(), plan.revision(), plan.commit(), m.verified(), m.partial());
        }
        m.write(plan.dir());
        listener.planned(plan);
        long[] done = {plan.bytesTotal() - plan.bytesMissing()};
        long before = done[0];
        for (RepoFile f : plan.files()) {
            if (control.pauseRequested())
                return new DownloadResult(DownloadResult.Status.PAUSED, plan.dir(), plan.commit(), done[0] - before);
            boolean finished = fetch(plan, f, m, listener, control, done);
            if (!finished)
                return new DownloadResult(DownloadResult.Status.PAUSED, plan.dir(), plan.commit(), done[0] - before);
        }
        return new DownloadResult(DownloadResult.Status.COMPLETE, plan.dir(), plan.commit(), done[0] - before);
    }

    /**
     * Cancels for good what a pause kept: deletes the {@code .part} files of {@code plan} (complete,
     * verified files stay). Returns the bytes freed.
     */
    public long discardPartial(DownloadPlan plan) throws IOException {
        long freed = 0;
        for (RepoFile f : plan.files()) {
            Path part = partOf(plan.dir().resolve(f.path()).normalize());
            if (part.startsWith(plan.dir()) && Files.isRegularFile(part)) {
                freed += Files.size(part);
                Files.delete(part);
            }
        }
        DownloadManifest m = DownloadManifest.read(plan.dir());
        if (m != null) {
            m.partial().clear();
            m.write(plan.dir());
        }
        return freed;
    }

    /** One file: true when it is complete and verified, false when paused. */
    private boolean fetch(
            DownloadPlan plan,
            RepoFile f,
            DownloadManifest m,
            DownloadListener listener,
            DownloadControl control,
            long[] done)
            throws IOException {
        Path target = plan.dir().resolve(f.path()).normalize();
        if (!target.startsWith(plan.dir())) throw new HubException(f.path() + ": path leaves the target folder");
        Path part = partOf(target);
        String want = f.expectedDigest();
        if (Files.isRegularFile(target) && Files.size(target) == f.size()) {
            if (want == null || want.equals(m.verified().get(f.path()))) {
                listener.fileDone(f, want != null);
                return true;
            }
            // a file of the right size we did not verify ourselves (an older commit, a copy): hash it, keep it if it
            // matches
            if (want.equals(hashFile(target, f))) {
                m.verified().put(f.path(), want);
                m.write(plan.dir());
                listener.fileDone(f, true);
                return true;
            }
            done[0] -= f.size(); // counted as present in the plan; it is not
            Files.delete(target);
        }
        Files.createDirectories(target.getParent());
        long have = 0;
        if (Files.isRegularFile(part)) {
            if (Files.size(part) <= f.size() && partMatches(m, f)) have = Files.size(part);
            else Files.delete(part);
        }
        m.partial().put(f.path(), want == null ? "" : want);
        m.write(plan.dir());
        MessageDigest md = digest(f);
        if (have > 0) hashInto(md, part, have);
        listener.fileStarted(f, have);

        long[] pos = {have}; // bytes in the part file that the digest has seen; transfer() advances it per write
        int failures = 0;
        while (pos[0] < f.size()) {
            if (control.pauseRequested()) return false;
            long start = pos[0];
            try {
                if (!transfer(
                        plan, f, part, pos, md, listener, control, done)) { // the server ignored the range: start over
                    md = digest(f);
                    continue;
                }
                if (pos[0] < f.size() && !control.pauseRequested()) {
                    throw new IOException("connection closed after " + pos[0] + " of " + f.size() + " bytes");
                }
            } catch (HubException e) {
                throw e; // HTTP errors that retrying will not fix (404, 401, ...)
            } catch (IOException e) {
                // a write that failed halfway may have left bytes the digest never saw: cut them off
                if (Files.isRegularFile(part) && Files.size(part) != pos[0]) {
                    try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE)) {
                        ch.truncate(pos[0]);
                    }
                }
                failures = pos[0] > start ? 1 : failures + 1;
                if (failures > maxRetries) {
                    throw new HubException(
                            f.path() + ": download failed " + failures + " times in a row (" + e.getMessage()
                                    + "); " + Sizes.human(pos[0]) + " of " + Sizes.human(f.size()) + " kept in "
                                    + part.getFileName()
                                    + ", run again to resume",
                            e);
                }
                listener.retrying(f, failures, pos[0], e);
                sleep(retryDelay.multipliedBy(1L << Math.min(failures - 1, 4)));
            }
        }
        have = pos[0];
        if (have > f.size()) {
            Files.deleteIfExists(part);
            throw new HubException(f.path() + ": server sent " + have + " bytes, the listing says " + f.size()
                    + "; partial file deleted");
        }
        if (!Files.exists(part)) Files.createFile(part);
        String got = HexFormat.of().formatHex(md.digest());
        if (want != null && !want.equalsIgnoreCase(got)) {
            Files.deleteIfExists(part);
            m.partial().remove(f.path());
            m.write(plan.dir());
            throw new ChecksumMismatchException(target, f.lfs() ? "sha256" : "git sha1", want, got);
        }
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        m.partial().remove(f.path());
        if (want != null) m.verified().put(f.path(), want);
        m.write(plan.dir());
        listener.fileDone(f, want != null);
        return true;
    }

    /**
     * One HTTP request from {@code pos[0]} on, appended to {@code part}; {@code pos[0]} and the
     * digest advance with each write, so a dropped connection loses nothing. Returns false when the
     * server answered 200 to a range request (the part was emptied: start over).
     */
    private boolean transfer(
            DownloadPlan plan,
            RepoFile f,
            Path part,
            long[] pos,
            MessageDigest md,
            DownloadListener listener,
            DownloadControl control,
            long[] done)
            throws IOException {
        HttpURLConnection c = client.open(client.fileUrl(plan.repo(), plan.commit(), f.path()), pos[0]);
        try {
            int code = c.getResponseCode();
            if (code == 200 && pos[0] > 0) {
                // no range support on this hop: the body is the whole file
                done[0] -= pos[0];
                pos[0] = 0;
                Files.write(part, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
                return false;
            }
            if (code == 206) {
                Matcher r = CONTENT_RANGE.matcher(String.valueOf(c.getHeaderField("Content-Range")));
                if (!r.find() || Long.parseLong(r.group(1)) != pos[0]) {
                    throw new HubException(f.path() + ": server answered range " + c.getHeaderField("Content-Range")
                            + " to a request from byte " + pos[0]);
                }
            } else if (code != 200) {
                if (code >= 500 || code == 408 || code == 429) throw new IOException("HTTP " + code); // worth a retry
                throw client.httpError(c, code, plan.repo(), "downloading " + f.path());
            }
            try (InputStream in = c.getInputStream();
                    FileChannel out = FileChannel.open(
                            part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                byte[] buf = new byte[BUFFER];
                int n;
                while ((n = in.read(buf)) > 0) {
                    int len =
                            (int) Math.min(n, f.size() + 1 - pos[0]); // one byte past the listed size is enough to tell
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, len);
                    while (bb.hasRemaining()) out.write(bb);
                    md.update(buf, 0, len);
                    pos[0] += len;
                    done[0] += len;
                    listener.progress(f, pos[0], done[0], plan.bytesTotal());
                    if (pos[0] > f.size() || control.pauseRequested()) break;
                }
            }
            return true;
        } finally {
            c.disconnect();
        }
    }

    static Path partOf(Path target) {
        return target.resolveSibling(target.getFileName() + ".part");
    }

    private static MessageDigest digest(RepoFile f) {
        try {
            if (f.lfs()) return MessageDigest.getInstance("SHA-256");
            // the git blob id: sha1 over a "blob SIZE\0" header and the content
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            md.update(("blob " + f.size() + "\0").getBytes(StandardCharsets.US_ASCII));
            return md;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hashFile(Path file, RepoFile f) throws IOException {
        MessageDigest md = digest(f);
        hashInto(md, file, Files.size(file));
        return HexFormat.of().formatHex(md.digest());
    }

    private static void hashInto(MessageDigest md, Path file, long bytes) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[BUFFER];
            long left = bytes;
            int n;
            while (left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0) {
                md.update(buf, 0, n);
                left -= n;
            }
        }
    }

    private static void sleep(Duration d) throws HubException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException("download interrupted");
        }
    }
}
