package org.longform.engine.context;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.longform.engine.kv.KvDType;

/**
 * The app's cache folder: one {@link KvStore} per (story id, model identity, KV dtype) under a root,
 * kept below a size cap by deleting the least recently used whole stores (by the store directory's
 * modification time, set on every open, restore and save). A store open in this process, and the
 * one just saved, are never evicted; a store larger than the cap on its own is kept. Thread-safe.
 */
public final class KvStores {
    /** Store directory names: [safe story prefix]-[16 hex of the story id's SHA-256]-[8 hex of the model]-[dtype]. */
    private static final Pattern STORE_NAME = Pattern.compile("[A-Za-z0-9_.-]*-[0-9a-f]{16}-[0-9a-f]{8}-[a-z0-9]+");
    /** A store's own files, and extra-NAME.bin files a caller keeps with the cache (the editor's view of the story). */
    private static final Pattern STORE_FILE =
            Pattern.compile("manifest|manifest\\.tmp|pages-[0-9]+\\.bin|extra-[a-z]+\\.bin(\\.tmp)?");

    private final Path root;
    private final long capBytes;
    private final Map<Path, Integer> inUse = new HashMap<>();

    /** @param capBytes the most bytes the stores together may take (0 or less: no cap) */
    public KvStores(Path root, long capBytes) {
        this.root = root.toAbsolutePath();
        this.capBytes = capBytes;
    }

    public Path root() {
        return root;
    }

    public long capBytes() {
        return capBytes;
    }

    /**
     * The directory name of a store: filesystem-safe on every OS (ASCII letters, digits, '-', '_'),
     * short, and distinct for distinct keys (the hashes decide; the readable prefix is for people).
     */
    public static String key(String storyId, byte[] modelIdentity, KvDType dtype) {
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < storyId.length() && prefix.length() < 40; i++) {
            char c = storyId.charAt(i);
            boolean safe = c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '_');
            prefix.append(safe ? c : '_');
        }
        String story = HexFormat.of().formatHex(sha256(storyId.getBytes(StandardCharsets.UTF_8)), 0, 8);
        String model = HexFormat.of().formatHex(modelIdentity, 0, Math.min(4, modelIdentity.length));
        return prefix + "-" + story + "-" + model + "-" + dtype.label();
    }

    /** Opens (without reading or creating anything) the store of a story for a model and dtype; close it when done. */
    public synchronized KvStore open(String storyId, byte[] modelIdentity, KvDType dtype) {
        Path dir = root.resolve(key(storyId, modelIdentity, dtype));
        inUse.merge(dir, 1, Integer::sum);
        KvStore s = new KvStore(dir, this);
        s.touch();
        return s;
    }

    synchronized void closed(KvStore s) {
        inUse.computeIfPresent(s.dir(), (k, n) -> n == 1 ? null : n - 1);
    }

    /** Bytes all stores under the root take on disk. */
    public synchronized long totalBytes() {
        long total = 0;
        for (Path d : stores()) total += KvStore.sizeOf(d);
        return total;
    }

    /**
     * Deletes least recently used stores until the total is within the cap, sparing {@code keep}
     * (the store just saved) and every store open in this process. Returns the directories deleted.
     */
    public synchronized List<Path> trim(KvStore keep) {
        List<Path> deleted = new ArrayList<>();
        if (capBytes <= 0) return deleted;
        record Entry(Path dir, long bytes, long time) {}
        List<Entry> all = new ArrayList<>();
        long total = 0;
        for (Path d : stores()) {
            long bytes = KvStore.sizeOf(d);
            total += bytes;
            long time;
            try {
                time = Files.getLastModifiedTime(d).toMillis();
            } catch (IOException e) {
                time = 0;
            }
            all.add(new Entry(d, bytes, time));
        }
        all.sort(Comparator.comparingLong(Entry::time));
        for (Entry e : all) {
            if (total <= capBytes) break;
            if (keep != null && e.dir().equals(keep.dir()) || inUse.containsKey(e.dir())) continue;
            if (delete(e.dir())) {
                total -= e.bytes();
                deleted.add(e.dir());
            }
        }
        return deleted;
    }

    /** Store directories under the root (directories named as {@link #key} names them). */
    private List<Path> stores() {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path d : dirs) {
                if (Files.isDirectory(d)
                        && STORE_NAME.matcher(d.getFileName().toString()).matches()) out.add(d);
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /** Deletes a store's own files, then its directory; anything else inside keeps the directory (it is not ours). */
    private static boolean delete(Path dir) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files)
                if (STORE_FILE.matcher(f.getFileName().toString()).matches()) Files.deleteIfExists(f);
        } catch (IOException e) {
            return false;
        }
        try {
            Files.delete(dir);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
