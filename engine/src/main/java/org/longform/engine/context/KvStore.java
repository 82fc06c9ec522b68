package org.longform.engine.context;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;
import org.longform.engine.kv.KvCache;
import org.longform.engine.kv.KvDType;
import org.longform.engine.kv.KvPool;

/**
 * One session's KV cache saved incrementally in a directory, so that saving after every few new
 * tokens costs only the pages that changed, not the whole cache (tens of GiB for a 7B model's 65k
 * window). Two files:
 * <ul>
 * <li>{@code pages-<bytes>.bin}: page slots of exactly one pool block each ({@link KvPool#blockBytes},
 *     the pool's own layout, int8 scales included), so a page is written and read with one copy;</li>
 * <li>{@code manifest}: token ids, model identity, dtype, shape, block size, the first approximate
 *     slot, and for each block of the cache the page slot holding it with its CRC32C; the manifest
 *     ends with a CRC32C of itself.</li>
 * </ul>
 * A save is copy-on-write: pages whose pool block has not been written since they were saved or
 * restored (same block, same {@link KvPool#version}) are referenced again; the others go to slots
 * the on-disk manifest does not reference. The pages are forced to disk before the new manifest is
 * written to {@code manifest.tmp}, forced and atomically renamed over {@code manifest}: a crash at
 * any point leaves the previous save readable. Freed slots are reused (lowest first), trailing free
 * slots are cut off, and when the file holds more than twice the live pages the live pages are
 * moved down (a second manifest commit) and the file is cut.
 * <p>
 * One writer at a time: a save notices a manifest another handle or process wrote since (size and
 * CRC differ) and then treats every page as unknown, but two writers saving at the same moment are
 * not arbitrated. Not thread-safe.
 */
public final class KvStore implements AutoCloseable {
    static final int MAGIC = 0x534B464C; // "LFKS" little-endian
    static final int VERSION = 1;
    static final String MANIFEST = "manifest", MANIFEST_TMP = "manifest.tmp";
    private static final int HEADER = 64, IDENTITY = 32;
    private static final long MAX_MANIFEST = 1L << 30;

    /**
     * What a save did: changed pages written, bytes written (pages, moved pages and manifests), tokens
     * saved, live pages, pages moved by a compaction, and the bytes the store now takes on disk.
     */
    public record Stats(int pagesWritten, long bytesWritten, int tokens, int pages, int pagesMoved, long storeBytes) {}

    /** The on-disk manifest, as read or written. */
    record Manifest(
            int dtype,
            int layers,
            int heads,
            int headDim,
            int blockSize,
            long pageBytes,
            long sequence,
            byte[] identity,
            int[] tokens,
            int approximateFrom,
            int[] pages,
            int[] crcs) {
        int maxPage() {
            int m = -1;
            for (int p : pages) m = Math.max(m, p);
            return m;
        }
    }

    /** A page of the current manifest whose bytes equal a live pool block at a version. */
    private record Origin(int page, long version, int crc) {}

    private final Path dir;
    private final KvStores owner;
    private Manifest current; // the manifest on disk as this store last read or wrote it
    private long currentSize = -1; // its size and trailing CRC: a save notices another writer's manifest
    private int currentCrc;
    private boolean loaded;
    private KvPool mappedPool; // the pool whose blocks the origins describe
    private Map<Integer, Origin> origins = new HashMap<>(); // pool block -> page of the current manifest
    private boolean closed;
    Runnable beforeManifest = () -> {}; // test seam: a crash after the pages are forced, before the manifest

    /** A store in {@code dir} (created on the first save). */
    public KvStore(Path dir) {
        this(dir, null);
    }

    KvStore(Path dir, KvStores owner) {
        this.dir = dir.toAbsolutePath();
        this.owner = owner;
    }

    public Path dir() {
        return dir;
    }

    /** True when a manifest exists (it may still be refused by {@link #restore}). */
    public boolean exists() {
        return Files.isRegularFile(dir.resolve(MANIFEST));
    }

    /** Bytes of the store's files on disk (0 when there is none). */
    public long bytesOnDisk() {
        return sizeOf(dir);
    }

    static String pagesName(long pageBytes) {
        return "pages-" + pageBytes + ".bin";
    }

    /**
     * Saves the first {@code tokens.length} slots of {@code cache} (the tokens they hold), writing
     * only the pages that changed since the last save or restore through this store.
     *
     * @param approximateFrom the first slot whose K and V are approximate, -1 when the cache is exact
     */
    public Stats save(byte[] identity, KvCache cache, int[] tokens, int approximateFrom) throws IOException {
        if (closed) throw new IllegalStateException("the KV store " + dir + " is closed");
        if (cache.overwriting()) throw new IllegalStateException("the cache is being overwritten in place");
        if (identity.length != IDENTITY) {
            throw new IllegalArgumentException("model identity of " + identity.length + " bytes");
        }
        KvPool pool = cache.pool();
        int n = tokens.length, bs = pool.blockSize;
        if (n > cache.length()) {
            throw new IllegalArgumentException(n + " tokens but " + cache.length() + " cached slots");
        }
        Files.createDirectories(dir);
        loadCurrent();
        if (mappedPool != pool) {
            origins.clear();
            mappedPool = pool;
        }
        long pageBytes = pool.blockBytes();
        boolean samePages = current != null && current.pageBytes() == pageBytes;
        BitSet busy = new BitSet(); // slots the on-disk manifest references: never overwritten before the commit
        if (samePages) for (int p : current.pages()) busy.set(p);
        int count = (n + bs - 1) / bs;
        int[] pages = new int[count], crcs = new int[count];
        long[] versions = new long[count];
        boolean[] fresh = new boolean[count];
        for (int i = 0; i < count; i++) {
            int b = cache.blockId(i);
            versions[i] = pool.version(b);
            Origin o = samePages ? origins.get(b) : null;
            if (o != null && o.version() == versions[i]) {
                pages[i] = o.page();
                crcs[i] = o.crc();
            } else {
                fresh[i] = true;
            }
        }
        BitSet taken = new BitSet();
        for (int i = 0; i < count; i++) if (!fresh[i]) taken.set(pages[i]);
        BitSet used = (BitSet) busy.clone();
        used.or(taken);
        int written = 0;
        long bytes = 0;
        Path pagesFile = dir.resolve(pagesName(pageBytes));
        try (FileChannel ch = FileChannel.open(
                pagesFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            for (int i = 0; i < count; i++) {
                if (!fresh[i]) continue;
                int p = used.nextClearBit(0);
                used.set(p);
                taken.set(p);
                pages[i] = p;
                MemorySegment seg = pool.segment(cache.blockId(i)).asSlice(0, pageBytes);
                crcs[i] = crc(seg);
                writeFully(ch, seg, p * pageBytes);
                written++;
                bytes += pageBytes;
            }
            if (written > 0) ch.force(false);
            beforeManifest.run();
            long sequence = current == null ? 1 : current.sequence() + 1;
            int approx = approximateFrom >= 0 && approximateFrom < n ? approximateFrom : -1;
            Manifest m = new Manifest(
                    pool.dtype.ordinal(),
                    pool.layers,
                    pool.heads,
                    pool.headDim,
                    bs,
                    pageBytes,
                    sequence,
                    identity.clone(),
                    tokens.clone(),
                    approx,
                    pages,
                    crcs);
            bytes += commit(m, pool, cache, versions);
            // the new manifest is on disk: slots only the old one referenced are free now
            int moved = 0;
            long slots = ch.size() / pageBytes;
            if (slots > 2L * count && slots > count + 1) {
                moved = compact(ch, pool, cache, versions);
                bytes += (long) moved * pageBytes + manifestBytes(current);
            }
            long end = (current.maxPage() + 1L) * pageBytes;
            if (ch.size() > end) ch.truncate(end);
            dropOtherPageFiles(pageBytes);
            touch();
            Stats stats = new Stats(written, bytes, n, count, moved, bytesOnDisk());
            if (owner != null) owner.trim(this);
            return stats;
        }
    }

    /**
     * Moves live pages that lie at or past slot {@code count} into free slots below it (written
     * from the pool blocks, which hold the same bytes), commits a manifest naming the new slots;
     * the caller cuts the file. Returns the pages moved.
     */
    private int compact(FileChannel ch, KvPool pool, KvCache cache, long[] versions) throws IOException {
        int count = current.pages().length;
        int[] pages = current.pages().clone();
        BitSet used = new BitSet();
        for (int p : pages) used.set(p);
        int moved = 0;
        for (int i = 0; i < count; i++) {
            if (pages[i] < count) continue;
            int q = used.nextClearBit(0);
            used.set(q);
            pages[i] = q;
            writeFully(ch, pool.segment(cache.blockId(i)).asSlice(0, pool.blockBytes()), q * pool.blockBytes());
            moved++;
        }
        if (moved == 0) return 0;
        ch.force(false);
        Manifest m = current;
        Manifest relocated = new Manifest(
                m.dtype(),
                m.layers(),
                m.heads(),
                m.headDim(),
                m.blockSize(),
                m.pageBytes(),
                m.sequence() + 1,
                m.identity(),
                m.tokens(),
                m.approximateFrom(),
                pages,
                m.crcs());
        commit(relocated, pool, cache, versions);
        return moved;
    }

    /** Writes the manifest to a temporary file, forces it and renames it into place; returns its size. */
    private long commit(Manifest m, KvPool pool, KvCache cache, long[] versions) throws IOException {
        byte[] image = encode(m);
        Path tmp = dir.resolve(MANIFEST_TMP);
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(image);
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(MANIFEST), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory();
        current = m;
        currentSize = image.length;
        currentCrc = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).getInt(image.length - 4);
        loaded = true;
        Map<Integer, Origin> next = new HashMap<>();
        for (int i = 0; i < m.pages().length; i++) {
            next.put(cache.blockId(i), new Origin(m.pages()[i], versions[i], m.crcs()[i]));
        }
        origins = next;
        mappedPool = pool;
        return image.length;
    }

    /**
     * Replaces the contents of {@code cache} with the saved slots that match {@code prompt}'s
     * prefix (all of them when prompt is null), checking each page's CRC32C. A missing, foreign
     * (other model, dtype, shape or block size), stale (no common prefix), torn or damaged store is
     * refused with the reason; a refusal found before any page is read leaves the cache untouched, a
     * damaged page found while reading leaves it empty (nothing half-restored). Never throws for a
     * bad store.
     */
    public KvFile.Restore restore(byte[] identity, KvCache cache, int[] prompt) {
        if (closed) throw new IllegalStateException("the KV store " + dir + " is closed");
        if (cache.overwriting()) throw new IllegalStateException("the cache is being overwritten in place");
        KvPool pool = cache.pool();
        Manifest m;
        try {
            if (!exists()) return KvFile.Restore.no("no saved cache in " + dir);
            m = readCurrent();
        } catch (IOException | RuntimeException e) {
            current = null;
            currentSize = -1;
            loaded = false;
            origins = new HashMap<>();
            return KvFile.Restore.no("the saved cache in " + dir + " is damaged: " + e.getMessage());
        }
        current = m;
        loaded = true;
        origins = new HashMap<>(); // the manifest may be another process's: no page is known to match a block
        mappedPool = pool;
        if (!Arrays.equals(m.identity(), identity)) {
            return KvFile.Restore.no("saved by another model (or changed weights)");
        }
        if (m.dtype() != pool.dtype.ordinal()) {
            KvDType[] all = KvDType.values();
            String was = m.dtype() >= 0 && m.dtype() < all.length ? all[m.dtype()].label() : "?";
            return KvFile.Restore.no("saved in " + was + ", the session uses " + pool.dtype.label());
        }
        if (m.layers() != pool.layers || m.heads() != pool.heads || m.headDim() != pool.headDim) {
            return KvFile.Restore.no("saved for another model shape");
        }
        if (m.blockSize() != pool.blockSize) {
            return KvFile.Restore.no(
                    "saved with a block size of " + m.blockSize() + ", the session uses " + pool.blockSize);
        }
        if (m.pageBytes() != pool.blockBytes()) return KvFile.Restore.no("saved with pages of another size");
        int n = m.tokens().length, use = n;
        if (prompt != null) {
            use = 0;
            while (use < n && use < prompt.length && m.tokens()[use] == prompt[use]) use++;
        }
        use = Math.min(use, cache.capacity());
        if (use == 0) {
            return KvFile.Restore.no(n == 0 ? "the saved cache is empty" : "the text changed from its first token");
        }
        int bs = pool.blockSize, count = (use + bs - 1) / bs;
        long pageBytes = m.pageBytes();
        Path pagesFile = dir.resolve(pagesName(pageBytes));
        try (FileChannel ch = FileChannel.open(pagesFile, StandardOpenOption.READ)) {
            long need = 0;
            for (int i = 0; i < count; i++) need = Math.max(need, (m.pages()[i] + 1L) * pageBytes);
            if (ch.size() < need) {
                return KvFile.Restore.no("the saved cache in " + dir + " is truncated (" + ch.size()
                        + " bytes of pages, " + need + " needed)");
            }
            cache.truncate(0);
            if (!cache.reserve(use)) return KvFile.Restore.no("the KV budget cannot hold " + use + " tokens now");
            cache.advance(use);
            Map<Integer, Origin> found = new HashMap<>();
            for (int i = 0; i < count; i++) {
                int b = cache.blockId(i);
                MemorySegment seg = pool.segment(b).asSlice(0, pageBytes);
                readFully(ch, seg, m.pages()[i] * pageBytes);
                pool.touch(b);
                if (crc(seg) != m.crcs()[i]) {
                    cache.truncate(0);
                    return KvFile.Restore.no("the saved cache in " + dir + " is damaged: page " + i + " (tokens "
                            + i * bs + "-" + Math.min(n, (i + 1) * bs) + ") fails its CRC32C; nothing restored");
                }
                pool.measureKeyNorms(b, Math.min(bs, use - i * bs));
                found.put(b, new Origin(m.pages()[i], pool.version(b), m.crcs()[i]));
            }
            origins = found;
        } catch (IOException | RuntimeException e) {
            cache.truncate(0);
            return KvFile.Restore.no("the saved cache in " + dir + " is unreadable (" + e.getMessage() + ")");
        }
        touch();
        int approx = m.approximateFrom() >= 0 && m.approximateFrom() < use ? m.approximateFrom() : -1;
        String done = "restored " + use + " of " + n + " saved tokens";
        return new KvFile.Restore(true, Arrays.copyOf(m.tokens(), use), done, approx);
    }

    /** Reads the on-disk manifest once, to know which page slots it references; an unreadable one references none. */
    private void loadCurrent() {
        if (loaded && !changedOnDisk()) return;
        loaded = true;
        origins.clear(); // page slots may have changed hands
        try {
            current = exists() ? readCurrent() : null;
        } catch (IOException | RuntimeException e) {
            current = null; // damaged: nothing restorable to protect
            currentSize = -1;
        }
    }

    /** True when the manifest on disk is not the one this store last read or wrote (another writer saved). */
    private boolean changedOnDisk() {
        Path f = dir.resolve(MANIFEST);
        if (current == null) return Files.exists(f);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            if (ch.size() != currentSize) return true;
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) if (ch.read(b, currentSize - 4 + b.position()) < 0) return true;
            return b.getInt(0) != currentCrc;
        } catch (IOException e) {
            return true;
        }
    }

    private Manifest readCurrent() throws IOException {
        byte[] a = readManifestBytes(dir.resolve(MANIFEST));
        Manifest m = decode(a);
        currentSize = a.length;
        currentCrc = ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN).getInt(a.length - 4);
        return m;
    }

    static byte[] encode(Manifest m) {
        int n = m.tokens().length, count = m.pages().length;
        ByteBuffer b =
                ByteBuffer.allocate(HEADER + IDENTITY + 4 * n + 8 * count + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC)
                .putInt(VERSION)
                .putInt(m.dtype())
                .putInt(m.layers())
                .putInt(m.heads())
                .putInt(m.headDim())
                .putInt(m.blockSize())
                .putInt(n)
                .putInt(m.approximateFrom())
                .putInt(count)
                .putLong(m.pageBytes())
                .putLong(m.sequence());
        b.position(HEADER);
        b.put(m.identity());
        for (int t : m.tokens()) b.putInt(t);
        for (int i = 0; i < count; i++) b.putInt(m.pages()[i]).putInt(m.crcs()[i]);
        CRC32C c = new CRC32C();
        c.update(b.array(), 0, b.position());
        b.putInt((int) c.getValue());
        return b.array();
    }

    private static byte[] readManifestBytes(Path file) throws IOException {
        long size = Files.size(file);
        if (size < HEADER + IDENTITY + 4 || size > MAX_MANIFEST) {
            throw new IOException("manifest of " + size + " bytes");
        }
        byte[] a = Files.readAllBytes(file);
        if (a.length < HEADER + IDENTITY + 4) throw new IOException("manifest of " + a.length + " bytes");
        return a;
    }

    static Manifest decode(byte[] a) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN);
        CRC32C c = new CRC32C();
        c.update(a, 0, a.length - 4);
        if ((int) c.getValue() != b.getInt(a.length - 4)) {
            throw new IOException("the manifest fails its CRC32C (torn or overwritten)");
        }
        if (b.getInt() != MAGIC) throw new IOException("not a KV store manifest");
        int version = b.getInt();
        if (version != VERSION) throw new IOException("KV store format " + version + ", this version reads " + VERSION);
        int dtype = b.getInt(), layers = b.getInt(), heads = b.getInt(), headDim = b.getInt(), blockSize = b.getInt();
        int n = b.getInt(), approx = b.getInt(), count = b.getInt();
        long pageBytes = b.getLong(), sequence = b.getLong();
        if (n < 0
                || count < 0
                || blockSize < 1
                || pageBytes < 1
                || count != (int) ((n + (long) blockSize - 1) / blockSize)
                || a.length != HEADER + IDENTITY + 4L * n + 8L * count + 4) {
            throw new IOException(
                    "inconsistent manifest (" + n + " tokens, " + count + " pages, " + a.length + " bytes)");
        }
        b.position(HEADER);
        byte[] identity = new byte[IDENTITY];
        b.get(identity);
        int[] tokens = new int[n], pages = new int[count], crcs = new int[count];
        for (int i = 0; i < n; i++) tokens[i] = b.getInt();
        BitSet seen = new BitSet();
        for (int i = 0; i < count; i++) {
            pages[i] = b.getInt();
            crcs[i] = b.getInt();
            if (pages[i] < 0 || seen.get(pages[i])) {
                throw new IOException("inconsistent manifest (page slot " + pages[i] + ")");
            }
            seen.set(pages[i]);
        }
        return new Manifest(
                dtype, layers, heads, headDim, blockSize, pageBytes, sequence, identity, tokens, approx, pages, crcs);
    }

    private static long manifestBytes(Manifest m) {
        return HEADER + IDENTITY + 4L * m.tokens().length + 8L * m.pages().length + 4;
    }

    static int crc(MemorySegment seg) {
        CRC32C c = new CRC32C();
        for (long at = 0, n = seg.byteSize(); at < n; ) {
            long m = Math.min(n - at, 1 << 30);
            c.update(seg.asSlice(at, m).asByteBuffer());
            at += m;
        }
        return (int) c.getValue();
    }

    private static void writeFully(FileChannel ch, MemorySegment seg, long pos) throws IOException {
        for (long at = 0, n = seg.byteSize(); at < n; ) {
            ByteBuffer b = seg.asSlice(at, Math.min(n - at, 1 << 30)).asByteBuffer();
            while (b.hasRemaining()) at += ch.write(b, pos + at);
        }
    }

    private static void readFully(FileChannel ch, MemorySegment seg, long pos) throws IOException {
        for (long at = 0, n = seg.byteSize(); at < n; ) {
            ByteBuffer b = seg.asSlice(at, Math.min(n - at, 1 << 30)).asByteBuffer();
            while (b.hasRemaining()) {
                int r = ch.read(b, pos + at);
                if (r < 0) throw new IOException("pages file ends early");
                at += r;
            }
        }
    }

    /** Page files of another page size belong to an older manifest, which the commit replaced. */
    private void dropOtherPageFiles(long pageBytes) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "pages-*.bin")) {
            for (Path f : files) if (!f.getFileName().toString().equals(pagesName(pageBytes))) Files.deleteIfExists(f);
        }
    }

    /** Makes the rename durable; best effort where a directory cannot be opened (Windows). */
    private void forceDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // the manifest is renamed; only its durability across a power cut is less certain here
        }
    }

    /** Marks the store as used now ({@link KvStores} evicts the least recently used). */
    void touch() {
        try {
            if (Files.isDirectory(dir)) Files.setLastModifiedTime(dir, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException e) {
            // the time only orders eviction
        }
    }

    static long sizeOf(Path dir) {
        if (!Files.isDirectory(dir)) return 0;
        long total = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                try {
                    if (Files.isRegularFile(f)) total += Files.size(f);
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            return total;
        }
        return total;
    }

    boolean isClosed() {
        return closed;
    }

    /** Ends this handle's use of the directory (a {@link KvStores} may evict it from now on). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (owner != null) owner.closed(this);
    }
}
