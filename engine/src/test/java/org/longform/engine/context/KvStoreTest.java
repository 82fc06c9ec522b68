package org.longform.engine.context;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.Fixtures;
import org.longform.engine.kv.KvCache;
import org.longform.engine.kv.KvDType;
import org.longform.engine.kv.KvPool;
import org.longform.engine.model.Model;
import org.longform.engine.runtime.CpuSession;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.runtime.Session;

/** The incremental, crash-safe KV store and the app's cache folder. */
class KvStoreTest {
    static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(Fixtures.modelDir("tiny-mpt-4h"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static int[] ids(int n, int seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = 2 + r.nextInt(50000);
        return a;
    }

    /** Scalar backend: bit comparisons must not depend on when C2 compiles the vector kernels. */
    static EngineOptions opts(int block, KvDType t) {
        return EngineOptions.defaults()
                .withBlockSize(block)
                .withChunkSize(32)
                .withKvDType(t)
                .withBackend("scalar");
    }

    static CpuSession session(int block, KvDType t) {
        return new CpuSession(model, opts(block, t));
    }

    /** Every layer/K-V/head row of one slot, as f32. */
    static float[] slot(KvCache c, int slot) {
        KvPool p = c.pool();
        float[] all = new float[p.layers * 2 * p.heads * p.headDim], row = new float[p.headDim];
        int k = 0;
        for (int l = 0; l < p.layers; l++)
            for (int kv = 0; kv < 2; kv++)
                for (int h = 0; h < p.heads; h++) {
                    p.readRows(c.blockId(slot / p.blockSize), l, kv, h, slot % p.blockSize, 1, row);
                    System.arraycopy(row, 0, all, k, p.headDim);
                    k += p.headDim;
                }
        return all;
    }

    static void assertSameCache(CpuSession want, CpuSession got, String what) {
        assertArrayEquals(want.tokens(), got.tokens(), what + ": tokens");
        for (int i = 0; i < want.length(); i++) {
            assertArrayEquals(slot(want.cache(), i), slot(got.cache(), i), what + ": slot " + i);
        }
    }

    /** A fresh session restored from the store holds exactly what {@code live} holds. */
    static void assertRestoresTo(CpuSession live, Path dir, String what) {
        KvCache c = live.cache();
        try (CpuSession back = session(c.blockSize(), c.pool().dtype);
                KvStore s = new KvStore(dir)) {
            KvFile.Restore r = back.loadKv(s, null);
            assertTrue(r.used(), what + ": " + r.reason());
            assertSameCache(live, back, what);
        }
    }

    static Path pages(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("pages-"))
                    .findFirst()
                    .orElseThrow();
        }
    }

    @Test
    void aSaveWritesOnlyThePagesThatChanged(@TempDir Path dir) throws IOException {
        int[] story = ids(100, 1);
        try (CpuSession s = session(16, KvDType.F32);
                KvStore store = new KvStore(dir)) {
            long page = s.cache().pool().blockBytes();
            s.sync(story, null, null);
            KvStore.Stats first = store.save(model(s), s.cache(), s.tokens(), -1);
            assertEquals(7, first.pagesWritten(), "100 tokens in pages of 16");
            assertEquals(7, first.pages());
            assertEquals(100, first.tokens());
            assertEquals(7 * page, Files.size(pages(dir)));

            KvStore.Stats again = s.saveKv(store);
            assertEquals(0, again.pagesWritten(), "nothing changed");
            assertTrue(again.bytesWritten() < 1024, "only the manifest: " + again.bytesWritten());

            s.feed(5); // one token more: only the last, partly filled page
            KvStore.Stats one = s.saveKv(store);
            assertEquals(1, one.pagesWritten());
            assertEquals(page + 96 + 4 * 101 + 8 * 7 + 4, one.bytesWritten(), "one page and the manifest");
            assertRestoresTo(s, dir, "after one token");

            s.feed(ids(12, 2), 0, 12, null, null, null); // 113: the 7th page fills, an 8th begins
            assertEquals(2, s.saveKv(store).pagesWritten());
            assertRestoresTo(s, dir, "after 12 tokens");

            // the window moves on by whole pages: blocks are re-linked, their contents unchanged, nothing is rewritten
            s.evict(16, 48);
            KvStore.Stats shifted = s.saveKv(store);
            assertEquals(0, shifted.pagesWritten(), "an aligned context shift writes no page");
            assertEquals(6, shifted.pages());
            assertRestoresTo(s, dir, "after an aligned shift");

            // a shift by whole pages' worth from inside a page: that page takes the rest of its slots, one page
            s.evict(20, 52);
            assertEquals(1, s.saveKv(store).pagesWritten(), "a shift of 32 tokens from slot 20 writes one page");
            assertRestoresTo(s, dir, "after a shift by two pages' worth");
            s.feed(ids(32, 15), 0, 32, null, null, null);
            s.saveKv(store);
            // a shift of another length moves the slots after it: those pages change and are written, the first not
            s.evict(20, 30);
            KvStore.Stats moved = s.saveKv(store);
            assertEquals(4, moved.pagesWritten(), "pages 1-4 of the 71 tokens hold moved slots; page 0 is kept");
            assertRestoresTo(s, dir, "after an unaligned shift");
        }
    }

    /** A long background prefill saved after every chunk writes the pages its new tokens touched, not the whole. */
    @Test
    void savingBetweenPrefillChunksCostsOnlyTheNewPages(@TempDir Path dir) throws IOException {
        int[] story = ids(500, 3);
        try (CpuSession s = session(16, KvDType.BF16);
                KvStore store = new KvStore(dir)) {
            long page = s.cache().pool().blockBytes();
            int total = 0;
            for (int at = 0; at < story.length; at += 40) {
                int to = Math.min(story.length, at + 40);
                s.feed(story, at, to, null, null, null);
                KvStore.Stats st = s.saveKv(store);
                int touched = (to - 1) / 16 - at / 16 + 1;
                assertEquals(touched, st.pagesWritten(), "tokens [" + at + ", " + to + ")");
                assertTrue(st.bytesWritten() < (touched + 1) * page, "pages and a manifest: " + st.bytesWritten());
                total += st.pagesWritten();
            }
            assertEquals(32 + 6, total, "32 pages; 6 chunk ends fall inside a page (40, 120, .., 440): written twice");
            assertRestoresTo(s, dir, "after the prefill");
        }
    }

    /**
     * Restored pages equal the saved ones byte for byte: logits after a restore are bit-identical to
     * those of the session that prefilled the text (scalar backend, see {@link #opts}).
     */
    @Test
    void restoredLogitsAreThoseOfTheFreshPrefill(@TempDir Path tmp) throws IOException {
        int[] story = ids(300, 4), next = {7, 8, 9};
        for (KvDType t : KvDType.values()) {
            try (CpuSession live = session(16, t);
                    CpuSession back = session(16, t);
                    KvStore store = new KvStore(tmp.resolve(t.label()))) {
                live.sync(story, null, null);
                assertEquals(19, live.saveKv(store).pagesWritten());
                KvFile.Restore r = back.loadKv(store, story);
                assertTrue(r.used(), r.reason());
                assertEquals(300, r.tokens());
                assertEquals(-1, r.approximateFrom());
                assertEquals(-1, back.approximateFrom());
                assertSameCache(live, back, t.label());
                // the restored pages are known to the store: saving right away writes none
                assertEquals(0, back.saveKv(store).pagesWritten(), t + ": restore then save");
                assertArrayEquals(live.feed(next).clone(), back.feed(next), t + ": restored logits are bit-identical");
                assertEquals(1, back.saveKv(store).pagesWritten(), t + ": three tokens more, one page");
                // a prompt that shares only a prefix restores that prefix
                try (CpuSession part = session(16, t)) {
                    int[] edited = Arrays.copyOf(story, 320);
                    edited[250] ^= 1;
                    KvFile.Restore p = part.loadKv(store, edited);
                    assertTrue(p.used(), p.reason());
                    assertEquals(250, part.length());
                    assertArrayEquals(Arrays.copyOf(story, 250), part.tokens());
                    for (int i = 0; i < 250; i++) {
                        assertArrayEquals(slot(live.cache(), i), slot(part.cache(), i), t + " slot " + i);
                    }
                }
            }
        }
    }

    @Test
    void foreignOrStaleStoresAreRefusedAndLeaveTheCacheAsItWas(@TempDir Path dir) throws IOException {
        int[] story = ids(200, 5);
        try (CpuSession s = session(16, KvDType.F32);
                KvStore store = new KvStore(dir)) {
            s.sync(story, null, null);
            s.saveKv(store);
        }
        try (KvStore store = new KvStore(dir)) {
            try (CpuSession s = session(16, KvDType.F32)) {
                s.sync(ids(10, 6), null, null);
                byte[] other = s.modelIdentity();
                other[0] ^= 1;
                KvFile.Restore r = store.restore(other, s.cache(), story);
                assertFalse(r.used());
                assertTrue(r.reason().contains("another model"), r.reason());
                assertEquals(10, s.length(), "untouched");
                r = s.loadKv(store, ids(200, 7));
                assertFalse(r.used());
                assertTrue(r.reason().contains("first token"), r.reason());
                assertEquals(10, s.length());
            }
            try (CpuSession s = session(16, KvDType.BF16)) {
                KvFile.Restore r = s.loadKv(store, story);
                assertFalse(r.used());
                assertTrue(r.reason().contains("f32") && r.reason().contains("bf16"), r.reason());
            }
            try (CpuSession s = session(7, KvDType.F32)) {
                KvFile.Restore r = s.loadKv(store, story);
                assertFalse(r.used());
                assertTrue(r.reason().contains("block size of 16"), r.reason());
            }
            try (CpuSession s = session(16, KvDType.F32)) {
                KvFile.Restore r = s.loadKv(new KvStore(dir.resolve("none")), story);
                assertFalse(r.used());
                assertTrue(r.reason().startsWith("no saved cache"), r.reason());
                assertTrue(s.loadKv(store, story).used(), "sanity: the store itself is fine");
            }
        }
    }

    @Test
    void tornOrDamagedStoresAreRefused(@TempDir Path tmp) throws IOException {
        int[] story = ids(200, 8);
        Path good = tmp.resolve("good");
        try (CpuSession s = session(16, KvDType.INT8);
                KvStore store = new KvStore(good)) {
            s.sync(story, null, null);
            s.saveKv(store);
        }
        // a flipped byte in page 5's data: found while reading, the cache is left empty (never half-filled)
        Path flipped = copy(good, tmp.resolve("flipped"));
        flip(pages(flipped), 5 * pageBytes() + 100);
        try (CpuSession s = session(16, KvDType.INT8);
                KvStore store = new KvStore(flipped)) {
            s.sync(ids(10, 9), null, null);
            KvFile.Restore r = s.loadKv(store, story);
            assertFalse(r.used());
            assertTrue(r.reason().contains("page 5") && r.reason().contains("CRC32C"), r.reason());
            assertEquals(0, s.length(), "emptied, not left at a good prefix");
            assertEquals(0, s.tokens().length);
            assertEquals(-1, s.approximateFrom());
        }
        // a truncated pages file: found before reading, the cache is untouched
        Path cut = copy(good, tmp.resolve("cut"));
        try (FileChannel ch = FileChannel.open(pages(cut), StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 10);
        }
        try (CpuSession s = session(16, KvDType.INT8);
                KvStore store = new KvStore(cut)) {
            s.sync(ids(10, 9), null, null);
            KvFile.Restore r = s.loadKv(store, story);
            assertFalse(r.used());
            assertTrue(r.reason().contains("truncated"), r.reason());
            assertEquals(10, s.length());
            // a prompt that needs only the intact pages still restores them
            assertTrue(s.loadKv(store, Arrays.copyOf(story, 100)).used());
            assertEquals(100, s.length());
        }
        // a torn manifest: cut short, or a flipped byte
        Path shortManifest = copy(good, tmp.resolve("short"));
        Path m = shortManifest.resolve("manifest");
        Files.write(m, Arrays.copyOf(Files.readAllBytes(m), (int) Files.size(m) - 7));
        Path flippedManifest = copy(good, tmp.resolve("flipped-manifest"));
        flip(flippedManifest.resolve("manifest"), 100);
        Path junk = copy(good, tmp.resolve("junk"));
        Files.writeString(junk.resolve("manifest"), "not a manifest");
        for (Path bad : List.of(shortManifest, flippedManifest, junk)) {
            try (CpuSession s = session(16, KvDType.INT8);
                    KvStore store = new KvStore(bad)) {
                KvFile.Restore r = s.loadKv(store, story);
                assertFalse(r.used(), bad.toString());
                assertTrue(r.reason().contains("damaged"), r.reason());
                assertEquals(0, s.length());
                // and saving over a damaged store works
                s.sync(story, null, null);
                s.saveKv(store);
                assertTrue(s.loadKv(new KvStore(bad), story).used());
            }
        }
    }

    /** A kill after the pages are written and before the manifest is renamed leaves the previous save intact. */
    @Test
    void aCrashBeforeTheManifestLeavesThePreviousSave(@TempDir Path dir) throws IOException {
        int[] story = ids(150, 10);
        try (CpuSession s = session(16, KvDType.F32);
                CpuSession before = session(16, KvDType.F32)) {
            s.sync(story, null, null);
            before.sync(story, null, null);
            try (KvStore store = new KvStore(dir)) {
                s.saveKv(store);
            }
            // the writer changes everything (an edit near the start), saves, and dies before the manifest
            int[] edited = story.clone();
            edited[3] ^= 1;
            s.sync(edited, null, null);
            s.feed(11);
            KvStore dying = new KvStore(dir);
            dying.beforeManifest = () -> {
                throw new IllegalStateException("killed");
            };
            long sizeBefore = Files.size(pages(dir));
            assertThrows(IllegalStateException.class, () -> s.saveKv(dying));
            assertTrue(Files.size(pages(dir)) > sizeBefore, "the new pages were written");
            Files.writeString(dir.resolve(KvStore.MANIFEST_TMP), "half a manifest"); // and a torn temp file
            try (CpuSession back = session(16, KvDType.F32);
                    KvStore store = new KvStore(dir)) {
                KvFile.Restore r = back.loadKv(store, null);
                assertTrue(r.used(), r.reason());
                assertSameCache(before, back, "the previous save");
                // the next save goes on from there
                back.feed(12);
                back.saveKv(store);
                before.feed(12);
                assertRestoresTo(before, dir, "saved after the crash");
            }
        }
    }

    /** Two handles on one directory, one after the other: each notices the other's manifest and protects its pages. */
    @Test
    void aSecondWriterIsNoticedAndItsSaveProtected(@TempDir Path dir) throws IOException {
        try (CpuSession x = session(16, KvDType.F32);
                CpuSession y = session(16, KvDType.F32)) {
            x.sync(ids(160, 16), null, null);
            y.sync(ids(160, 17), null, null);
            KvStore a = new KvStore(dir), b = new KvStore(dir);
            x.saveKv(a); // slots 0-9
            assertEquals(10, y.saveKv(b).pagesWritten()); // slots 10-19; 0-9 free once b's manifest is in
            x.feed(5);
            a.beforeManifest = () -> {
                throw new IllegalStateException("killed");
            };
            assertThrows(IllegalStateException.class, () -> x.saveKv(a));
            assertRestoresTo(y, dir, "b's save, after a's interrupted one");
            a.beforeManifest = () -> {};
            assertEquals(11, x.saveKv(a).pagesWritten(), "a knows none of the pages on disk now: all 11 written");
            assertRestoresTo(x, dir, "a's save");
        }
    }

    /**
     * Random edits, shifts, approximate reuses, repairs and restores, saved after each step through one
     * handle: what a fresh session restores always equals the live cache, whatever pages were reused.
     */
    @Test
    void randomSessionsAlwaysRestoreWhatTheyHeld(@TempDir Path tmp) throws IOException {
        int approximate = 0, partial = 0, compacted = 0;
        for (int seed = 0; seed < 3; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            int bs = new int[] {16, 7, 5}[seed];
            Path dir = tmp.resolve("s" + seed);
            try (CpuSession s = session(bs, seed == 2 ? KvDType.INT8 : KvDType.F32);
                    KvStore store = new KvStore(dir)) {
                int[] text = ids(120, 100 + seed);
                s.sync(text, null, null);
                s.saveKv(store);
                for (int step = 0; step < 40; step++) {
                    int n = s.length();
                    switch (r.nextInt(7)) {
                        case 0 -> { // new text
                            int k = 1 + r.nextInt(40);
                            s.feed(ids(k, 1000 * seed + step), 0, k, null, null, null);
                        }
                        case 1 -> { // a shift: whole pages' worth or not
                            int start = r.nextInt(Math.max(1, n / 2));
                            int len = r.nextBoolean() ? bs * (1 + r.nextInt(3)) : 1 + r.nextInt(20);
                            if (start + len < n) s.evict(start, start + len);
                        }
                        case 2 -> { // an exact edit near the end
                            int[] t = s.tokens();
                            int at = Math.max(1, n - 1 - r.nextInt(30));
                            s.sync(splice(t, at, Math.min(n, at + r.nextInt(5)), ids(r.nextInt(10), step)), null, null);
                        }
                        case 3 -> { // an approximate edit in the middle
                            int[] t = s.tokens();
                            if (n > 80) {
                                int at = 10 + r.nextInt(n / 3);
                                s.sync(
                                        splice(t, at, at + r.nextInt(10), ids(1 + r.nextInt(20), step)),
                                        Session.Reuse.APPROXIMATE,
                                        null,
                                        null);
                            }
                        }
                        case 4 -> { // a repair, maybe cancelled after a chunk
                            int[] calls = {0};
                            s.repair((d, tot) -> calls[0]++, () -> r.nextBoolean() && calls[0] > 0);
                        }
                        case 5 -> { // reopened elsewhere: restore through the same handle
                            try (CpuSession other = session(bs, s.cache().pool().dtype)) {
                                KvFile.Restore res = other.loadKv(store, null);
                                assertTrue(res.used(), "seed " + seed + " step " + step + ": " + res.reason());
                            }
                        }
                        default -> {
                            if (n > 200) s.sync(Arrays.copyOf(s.tokens(), 60 + r.nextInt(60)), null, null);
                        }
                    }
                    KvStore.Stats st = s.saveKv(store);
                    if (s.approximateFrom() >= 0) approximate++;
                    if (st.pagesWritten() > 0 && st.pagesWritten() < st.pages()) partial++;
                    if (st.pagesMoved() > 0) compacted++;
                    try (CpuSession back = session(bs, s.cache().pool().dtype);
                            KvStore again = new KvStore(dir)) {
                        KvFile.Restore res = back.loadKv(again, null);
                        assertTrue(res.used(), "seed " + seed + " step " + step + ": " + res.reason());
                        assertEquals(s.approximateFrom(), back.approximateFrom(), "seed " + seed + " step " + step);
                        assertSameCache(s, back, "seed " + seed + " step " + step);
                    }
                    long page = s.cache().pool().blockBytes(), live = s.cache().blocks();
                    assertTrue(
                            Files.size(pages(dir)) <= page * Math.max(2 * live, live + 1),
                            "the pages file stays within twice the live pages");
                }
            }
        }
        // the random walk went where it matters
        assertTrue(approximate > 5 && partial > 20 && compacted > 0, approximate + " " + partial + " " + compacted);
    }

    @Test
    void freedPagesAreReusedAndTheFileIsCompacted(@TempDir Path dir) throws IOException {
        try (CpuSession s = session(16, KvDType.F32);
                KvStore store = new KvStore(dir)) {
            long page = s.cache().pool().blockBytes();
            s.sync(ids(160, 11), null, null); // 10 pages in slots 0-9
            s.saveKv(store);
            // everything rewritten: new pages go to free slots 10-19, then 0-9 are free
            s.sync(ids(160, 12), null, null);
            assertEquals(10, s.saveKv(store).pagesWritten());
            assertEquals(20 * page, Files.size(pages(dir)));
            // rewritten again: the slots freed last time are reused, and the trailing ones cut off
            s.sync(ids(160, 13), null, null);
            s.saveKv(store);
            assertEquals(10 * page, Files.size(pages(dir)));
            assertRestoresTo(s, dir, "after reuse");
            // the window moves on by 7 pages: the 3 live pages sit in slots 7-9 of 10: moved down, file cut
            s.evict(0, 112);
            KvStore.Stats st = s.saveKv(store);
            assertEquals(0, st.pagesWritten());
            assertEquals(3, st.pagesMoved());
            assertEquals(3 * page, Files.size(pages(dir)));
            assertRestoresTo(s, dir, "after compaction");
        }
    }

    @Test
    void theCacheFolderEvictsLeastRecentlyUsedStoresBeyondItsCap(@TempDir Path root) throws IOException {
        try (CpuSession s = session(16, KvDType.F32)) {
            s.sync(ids(100, 14), null, null);
            byte[] id = s.modelIdentity();
            long one;
            try (KvStore probe = new KvStore(root.resolve("probe"))) {
                one = s.saveKv(probe).storeBytes();
                Files.walk(probe.dir())
                        .sorted((a, b) -> b.compareTo(a))
                        .forEach(f -> f.toFile().delete());
            }
            KvStores stores = new KvStores(root, one * 5 / 2); // room for two stores and a half
            long now = System.currentTimeMillis();
            Path a = saveAndClose(stores, "a", s, now - 300_000);
            Path b = saveAndClose(stores, "b", s, now - 200_000);
            assertEquals(2 * one, stores.totalBytes());
            Path c = saveAndClose(stores, "c", s, now - 100_000);
            assertFalse(Files.exists(a), "the least recently used store went");
            assertTrue(Files.exists(b) && Files.exists(c));
            assertEquals(2 * one, stores.totalBytes());
            // a store open in this process is never evicted: "a" again, kept open, then "d"
            try (KvStore again = stores.open("a", id, KvDType.F32)) {
                s.saveKv(again);
                assertFalse(Files.exists(b), "b was the oldest not in use");
                setTime(again.dir(), now - 400_000); // older than everything, but open
                Path d = saveAndClose(stores, "d", s, now);
                assertTrue(Files.exists(again.dir()) && Files.exists(d));
                assertFalse(Files.exists(c));
            }
            // the store just saved stays even when it alone is over the cap; the rest go
            KvStores tiny = new KvStores(root, 1);
            try (KvStore e = tiny.open("e", id, KvDType.F32)) {
                s.saveKv(e);
                assertTrue(Files.exists(e.dir()));
                assertEquals(one, tiny.totalBytes());
            }
            // another story, model or dtype is another store
            assertNotEquals(KvStores.key("a", id, KvDType.F32), KvStores.key("a", id, KvDType.BF16));
            byte[] other = id.clone();
            other[0] ^= 1;
            assertNotEquals(KvStores.key("a", id, KvDType.F32), KvStores.key("a", other, KvDType.F32));
        }
    }

    @Test
    void storeNamesAreFilesystemSafeAndDistinct() {
        byte[] id = new byte[32];
        List<String> stories = List.of(
                "../../etc/passwd",
                "C:\\Users\\me\\Moby Dick.longform",
                "CON",
                "",
                "a/b:c*?\"<>|",
                "Ahab\u00e9\u6f22\uD83D\uDC33",
                "x".repeat(500),
                "moby-dick",
                "Moby-Dick",
                "moby_dick");
        List<String> keys =
                stories.stream().map(k -> KvStores.key(k, id, KvDType.INT8)).toList();
        for (String k : keys) {
            assertTrue(k.matches("[A-Za-z0-9_-]+"), k);
            assertTrue(k.length() <= 40 + 1 + 16 + 1 + 8 + 1 + 4, k);
        }
        assertEquals(
                keys.size(),
                keys.stream().map(String::toLowerCase).distinct().count(),
                "distinct even where case is ignored");
    }

    private static Path saveAndClose(KvStores stores, String story, CpuSession s, long time) throws IOException {
        try (KvStore store = stores.open(story, s.modelIdentity(), KvDType.F32)) {
            s.saveKv(store);
            setTime(store.dir(), time);
            return store.dir();
        }
    }

    private static void setTime(Path dir, long millis) throws IOException {
        Files.setLastModifiedTime(dir, FileTime.fromMillis(millis));
    }

    static int[] splice(int[] a, int from, int to, int[] insert) {
        int[] r = new int[a.length - (to - from) + insert.length];
        System.arraycopy(a, 0, r, 0, from);
        System.arraycopy(insert, 0, r, from, insert.length);
        System.arraycopy(a, to, r, from + insert.length, a.length - to);
        return r;
    }

    static long pageBytes() {
        try (CpuSession s = session(16, KvDType.INT8)) {
            return s.cache().pool().blockBytes();
        }
    }

    static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) Files.copy(f, to.resolve(f.getFileName()));
        }
        return to;
    }

    static void flip(Path file, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x10)).rewind();
            ch.write(b, at);
        }
    }

    private static byte[] model(CpuSession s) {
        return s.modelIdentity();
    }
}
