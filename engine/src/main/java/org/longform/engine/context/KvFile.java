package org.longform.engine.context;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.longform.engine.kv.KvCache;
import org.longform.engine.kv.KvDType;
import org.longform.engine.kv.KvPool;

/**
 * A KV cache saved next to its story: header (magic, version, dtype, shape, token count, model
 * identity), the token ids, then every row in a block-size independent order [layer][k|v][head]
 * [slot][head_dim] (int8 scales after, [layer][k|v][head][slot]), then an 8-byte trailer: the
 * CRC32C of everything before it and the magic again. Written through a memory map to a temporary
 * file and moved into place, so a crash never leaves a half-written cache under the real name; read
 * back through a memory map straight into pool pages once the checksum holds.
 *
 * <p>Format 1 (before the checksum) is refused, not read: a cache is only ever a saving of compute,
 * and a file whose rows were changed on disk would be trusted as is, so the one recompute costs less
 * than the risk.
 */
public final class KvFile {
    private KvFile() {}

    static final int MAGIC = 0x564B464C; // "LFKV" little-endian
    static final int VERSION = 2; // 2: the CRC32C trailer
    static final int HEADER = 64; // 8 ints + 32 identity bytes
    static final int TRAILER = 8; // CRC32C of the bytes before it, then MAGIC
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;

    /** Where a story's cache lives: beside it, named after it. */
    public static Path beside(Path story) {
        return story.resolveSibling(story.getFileName() + ".longform-kv");
    }

    /** Saves {@code tokens.length} slots of {@code cache} (the tokens they hold) with the model's identity. */
    public static void save(Path file, byte[] identity, KvCache cache, int[] tokens) throws IOException {
        save(file, identity, cache, tokens, -1);
    }

    /**
     * As above, with the first slot whose K and V are approximate ({@code -1}: the cache is exact),
     * kept in the header's last word as value + 1 so that files written before it read as exact.
     */
    public static void save(Path file, byte[] identity, KvCache cache, int[] tokens, int approximateFrom)
            throws IOException {
        KvPool pool = cache.pool();
        int n = tokens.length;
        if (n > cache.length())
            throw new IllegalArgumentException(n + " tokens but " + cache.length() + " cached slots");
        long size = fileSize(pool, n);
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (Arena arena = Arena.ofConfined();
                    FileChannel ch = FileChannel.open(
                            tmp,
                            StandardOpenOption.READ,
                            StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING)) {
                MemorySegment out = ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
                int approx = approximateFrom >= 0 && approximateFrom < n ? approximateFrom + 1 : 0;
                int[] head = {MAGIC, VERSION, pool.dtype.ordinal(), pool.layers, pool.heads, pool.headDim, n, approx};
                MemorySegment.copy(head, 0, out, I32, 0, head.length);
                MemorySegment.copy(identity, 0, out, ValueLayout.JAVA_BYTE, 32, 32);
                MemorySegment.copy(tokens, 0, out, I32, HEADER, n);
                copy(pool, cache, n, n, out, tokensEnd(n), true);
                out.set(I32, size - TRAILER, crc(out, size - TRAILER));
                out.set(I32, size - TRAILER + 4, MAGIC);
                out.force();
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * What a restore did: {@code used} when the file matched the model and dtype and shared a
     * prefix with the prompt; {@code ids} are the tokens now cached; {@code reason} says why not;
     * {@code approximateFrom} is the first restored slot whose K and V are approximate (-1: exact).
     */
    public record Restore(boolean used, int[] ids, String reason, int approximateFrom) {
        public Restore(boolean used, int[] ids, String reason) {
            this(used, ids, reason, -1);
        }

        public int tokens() {
            return ids.length;
        }

        static Restore no(String reason) {
            return new Restore(false, new int[0], reason);
        }
    }

    /**
     * Replaces the contents of {@code cache} with the saved slots that match {@code prompt}'s
     * prefix (all of them when prompt is null). Any mismatch (other model, dtype or shape, a
     * truncated or foreign file, no common prefix) leaves the cache untouched and says why; so
     * does a read error, except that the cache is then left empty if copying had begun.
     */
    public static Restore restore(Path file, byte[] identity, KvCache cache, int[] prompt) {
        KvPool pool = cache.pool();
        if (!Files.isRegularFile(file)) return Restore.no("no saved cache at " + file);
        try (Arena arena = Arena.ofConfined();
                FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER) return Restore.no("not a KV cache file (too short)");
            MemorySegment in = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            int[] head = new int[8];
            MemorySegment.copy(in, I32, 0, head, 0, 8);
            if (head[0] != MAGIC) return Restore.no("not a KV cache file");
            if (head[1] == 1) return Restore.no("KV cache format 1 has no checksum; this version recomputes it");
            if (head[1] != VERSION) return Restore.no("KV cache format " + head[1] + ", this version reads " + VERSION);
            byte[] id = new byte[32];
            MemorySegment.copy(in, ValueLayout.JAVA_BYTE, 32, id, 0, 32);
            if (!Arrays.equals(id, identity)) return Restore.no("saved by another model (or changed weights)");
            if (head[2] != pool.dtype.ordinal()) {
                String was =
                        head[2] >= 0 && head[2] < KvDType.values().length ? KvDType.values()[head[2]].label() : "?";
                return Restore.no("saved in " + was + ", the session uses " + pool.dtype.label());
            }
            if (head[3] != pool.layers || head[4] != pool.heads || head[5] != pool.headDim)
                return Restore.no("saved for another model shape");
            int n = head[6];
            if (n < 0 || size != fileSize(pool, n)) return Restore.no("truncated or damaged (" + size + " bytes)");
            if (in.get(I32, size - TRAILER + 4) != MAGIC || in.get(I32, size - TRAILER) != crc(in, size - TRAILER))
                return Restore.no("damaged: the file fails its CRC32C; nothing restored");
            int[] saved = new int[n];
            MemorySegment.copy(in, I32, HEADER, saved, 0, n);
            int use = n;
            if (prompt != null) {
                use = 0;
                while (use < n && use < prompt.length && saved[use] == prompt[use]) use++;
            }
            use = Math.min(use, cache.capacity());
            if (use == 0) return Restore.no("the text changed from its first token");
            if (cache.overwriting()) throw new IllegalStateException("the cache is being overwritten in place");
            cache.truncate(0);
            if (!cache.reserve(use)) return Restore.no("the KV budget cannot hold " + use + " tokens now");
            cache.advance(use);
            copy(pool, cache, n, use, in, tokensEnd(n), false);
            for (int b = 0; b * pool.blockSize < use; b++) {
                pool.touch(cache.blockId(b));
                pool.measureKeyNorms(cache.blockId(b), Math.min(pool.blockSize, use - b * pool.blockSize));
            }
            int approx = head[7] > 0 && head[7] - 1 < use ? head[7] - 1 : -1;
            String done = "restored " + use + " of " + n + " saved tokens";
            return new Restore(true, Arrays.copyOf(saved, use), done, approx);
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalStateException) throw (IllegalStateException) e;
            return Restore.no("unreadable (" + e.getMessage() + ")");
        }
    }

    static long tokensEnd(int n) {
        return align(HEADER + 4L * n);
    }

    private static long align(long x) {
        return (x + 63) & ~63L;
    }

    static long fileSize(KvPool pool, int n) {
        long rows = 2L * pool.layers * pool.heads * n;
        long size = tokensEnd(n) + rows * pool.headDim * pool.dtype.bytes;
        return (pool.dtype == KvDType.INT8 ? size + rows * Float.BYTES : size) + TRAILER;
    }

    /** CRC32C of {@code seg[0, end)}, in slices a ByteBuffer can hold. */
    static int crc(MemorySegment seg, long end) {
        CRC32C c = new CRC32C();
        for (long at = 0; at < end; at += 1 << 30)
            c.update(seg.asSlice(at, Math.min(1 << 30, end - at)).asByteBuffer());
        return (int) c.getValue();
    }

    /** Moves slots [0, use) between pages and a file image holding {@code saved} slots per row group. */
    private static void copy(
            KvPool pool, KvCache cache, int saved, int use, MemorySegment file, long base, boolean toFile) {
        int bs = pool.blockSize, hd = pool.headDim;
        long rowBytes = (long) hd * pool.dtype.bytes;
        long scales = base + 2L * pool.layers * pool.heads * saved * rowBytes;
        int group = 0;
        for (int l = 0; l < pool.layers; l++)
            for (int kv = 0; kv < 2; kv++)
                for (int h = 0; h < pool.heads; h++, group++) {
                    long rows = base + (long) group * saved * rowBytes;
                    long sc = scales + (long) group * saved * Float.BYTES;
                    for (int s0 = 0; s0 < use; s0 += bs) {
                        int m = Math.min(bs, use - s0);
                        MemorySegment page = pool.segment(cache.blockId(s0 / bs));
                        long po = pool.rowOffset(l, kv, h, 0), fo = rows + s0 * rowBytes;
                        if (toFile) MemorySegment.copy(page, po, file, fo, m * rowBytes);
                        else MemorySegment.copy(file, fo, page, po, m * rowBytes);
                        if (pool.dtype == KvDType.INT8) {
                            long ps = pool.scaleOffset(l, kv, h, 0), fs = sc + 4L * s0;
                            if (toFile) MemorySegment.copy(page, ps, file, fs, 4L * m);
                            else MemorySegment.copy(file, fs, page, ps, 4L * m);
                        }
                    }
                }
    }
}
