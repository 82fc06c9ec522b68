package org.longform.engine.context;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.Fixtures;
import org.longform.engine.kv.KvCache;
import org.longform.engine.kv.KvDType;
import org.longform.engine.kv.KvPool;
import org.longform.engine.model.Model;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.runtime.Session;

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

import static org.junit.jupiter.api.Assertions.*;

/** The incremental, crash-safe KV store and the app's cache folder. */
class KvStoreTest {
    static Model model;

    @BeforeAll
    static void load() { model = Model.load(Fixtures.modelDir("tiny-mpt-4h")); }

    @AfterAll
    static void close() { model.close(); }

    static int[] ids(int n, int seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = 2 + r.nextInt(50000);
        return a;
    }

    /** Scalar backend: bit comparisons must not depend on when C2 compiles the vector kernels. */
    static EngineOptions opts(int block, KvDType t) {
        return EngineOptions.defaults().withBlockSize(block).withChunkSize(32).withKvDType(t).withBackend("scalar");
    }

    static Session session(int block, KvDType t) { return new Session(model, opts(block, t)); }

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

    static void assertSameCache(Session want, Session got, String what) {
        assertArrayEquals(want.tokens(), got.tokens(), what + ": tokens");
        for (int i = 0; i < want.length(); i++) assertArrayEquals(slot(want.cache(), i), slot(got.cache(), i), what + ": slot " + i);
    }

    /** A fresh session restored from the store holds exactly what {@code live} holds. */
    static void assertRestoresTo(Session live, Path dir, String what) {
        try (Session back = session(live.cache().blockSize(), live.cache().pool().dtype); KvStore s = new KvStore(dir)) {
            KvFile.Restore r = back.loadKv(s, null);
            assertTrue(r.used(), what + ": " + r.reason());
            assertSameCache(live, back, what);
        }
    }

    static Path pages(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("pages-")).findFirst().orElseThrow();
        }
    }

    @Test
    void aSaveWritesOnlyThePagesThatChanged(@TempDir Path dir) throws IOException {
        int[] story = ids(100, 1);
        try (Session s = session(16, KvDType.F32); KvStore store = new KvStore(dir)) {
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

            s.feed(5);   // one token more: only the last, partly filled page
            KvStore.Stats one = s.saveKv(store);
            assertEquals(1, one.pagesWritten());
            assertEquals(page + 96 + 4 * 101 + 8 * 7 + 4, one.bytesWritten(), "one page and the manifest");
            assertRestoresTo(s, dir, "after one token");

            s.feed(ids(12, 2), 0, 12, null, null, null);   // 113: the 7th page fills, an 8th begins
            assertEquals(2, s.saveKv(store).pagesWritten());
            assertRestoresTo(s, dir, "after 12 tokens");

            // the window moves on by whole pages: blocks are re-linked, their contents unchanged, nothing is rewritten
            s.evict(16, 48);
            KvStore.Stats shifted = s.saveKv(store);
            assertEquals(0, shifted.pagesWritten(), "an aligned context shift writes no page");
            assertEquals(6, shifted.pages());
            assertRestoresTo(s, dir, "after an aligned shift");

            // a shift inside pages moves the slots after it: those pages change and are written, the first is not
            s.evict(20, 30);
            KvStore.Stats moved = s.saveKv(store);
            assertEquals(4, moved.pagesWritten(), "pages 1-4 of the 71 tokens hold moved slots; page 0 is kept");
            assertRestoresTo(s, dir, "after an unaligned shift");
        }
    }

    /** A long background prefill saved after every chunk writes the pages its new tokens touched, not the whole cache. */
    @Test
    void savingBetweenPrefillChunksCostsOnlyTheNewPages(@TempDir Path dir) throws IOException {
        int[] story = ids(500, 3);
        try (Session s = session(16, KvDType.BF16); KvStore store = new KvStore(dir)) {
            long page = s.cache().pool().blockBytes();
            int total = 0;
            for (int at = 0; at < story.length; at += 40) {
                int to = Math.min(story.length, at + 40);
                s.feed(story, at, to, null, null, null);
                KvStore.Stats st = s.saveKv(store);
                int touched = (to - 1) / 16 - at / 16 + 1;
                assertEquals(touched, st.pagesWritten(), "tokens [" + at + ", " + to + ")");
                assertTrue(st.bytesWritten() < (touched + 1) * page, "pages and a small manifest: " + st.bytesWritten());
                total += st.pagesWritten();
            }
            assertEquals(32 + 6, total, "32 pages; the 6 chunk ends inside a page (40, 120, .., 440) write that page twice");
            assertRestoresTo(s, dir, "after the prefill");
        }
    }

    private static byte[] model(Session s) { return s.modelIdentity(); }
}
