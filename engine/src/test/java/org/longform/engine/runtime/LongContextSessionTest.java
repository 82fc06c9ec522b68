package org.longform.engine.runtime;

import static org.junit.jupiter.api.Assertions.*;
import static org.longform.engine.runtime.SessionReuseTest.ids;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.Fixtures;
import org.longform.engine.context.KvFile;
import org.longform.engine.kv.KvCache;
import org.longform.engine.kv.KvDType;
import org.longform.engine.kv.KvPool;
import org.longform.engine.model.Model;

/** Approximate reuse after an edit, and KV caches saved with the story and restored. */
class LongContextSessionTest {
    static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(Fixtures.modelDir("tiny-mpt-4h"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static EngineOptions opts(int block, int chunk, KvDType t) {
        return EngineOptions.defaults()
                .withBlockSize(block)
                .withChunkSize(chunk)
                .withKvDType(t);
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

    static int[] splice(int[] a, int from, int to, int[] insert) {
        int[] r = new int[a.length - (to - from) + insert.length];
        System.arraycopy(a, 0, r, 0, from);
        System.arraycopy(insert, 0, r, from, insert.length);
        System.arraycopy(a, to, r, from + insert.length, a.length - to);
        return r;
    }

    @Test
    void exactModeRecomputesFromTheEditApproximateOnlyTheEditedSpan() {
        int[] story = ids(400, 11);
        int[] edited = splice(story, 192, 250, ids(30, 12)); // 58 tokens became 30; the last 150 are unchanged
        // scalar backend: the bit comparisons below must not depend on when C2 compiles the vector kernels
        EngineOptions o = opts(16, 64, KvDType.F32).withBackend("scalar");
        try (CpuSession exact = new CpuSession(model, o);
                CpuSession approx = new CpuSession(model, o)) {
            exact.sync(story, null, null);
            exact.sync(edited, Session.Reuse.EXACT, null, null);
            assertEquals(edited.length - 192, exact.lastRecomputed());
            assertEquals(0, exact.lastApproximate());

            approx.sync(story, null, null);
            float[][] tail = new float[150][];
            for (int i = 0; i < 150; i++) tail[i] = slot(approx.cache(), 250 + i);
            float[] logits = approx.sync(edited, Session.Reuse.APPROXIMATE, null, null);
            assertEquals(30 + 1, approx.lastRecomputed(), "the new span, then the last token for fresh logits");
            assertEquals(149, approx.lastApproximate());
            assertArrayEquals(edited, approx.tokens());
            // the unchanged tail kept its K and V, moved down by 28 slots
            for (int i = 0; i < 149; i++) assertArrayEquals(tail[i], slot(approx.cache(), 222 + i), "tail slot " + i);
            // the new span was computed exactly as a fresh session computes it after the same prefix
            try (CpuSession fresh = new CpuSession(model, o)) {
                fresh.feed(edited, 0, 192, null, null, null);
                fresh.feed(edited, 192, 222, null, null, null);
                for (int i = 0; i < 222; i++)
                    assertArrayEquals(slot(fresh.cache(), i), slot(approx.cache(), i), "slot " + i);
            }
            // approximate, but close: the model still reads the same recent text
            float[] want = exact.lastLogits();
            assertEquals(Fixtures.argmax(want, 0, want.length), Fixtures.argmax(logits, 0, logits.length));
        }
    }

    @Test
    void approximateReuseHandlesLongerEditsInsertionsAndAppendedText() {
        int[] story = ids(300, 21);
        for (KvDType t : new KvDType[] {KvDType.F32, KvDType.INT8}) {
            for (int block : new int[] {16, 7}) {
                try (CpuSession s = new CpuSession(model, opts(block, 32, t))) {
                    s.sync(story, null, null);
                    // insert 50 tokens at 100 (a new lorebook entry) and append 5 tokens of new text
                    int[] grown = splice(story, 100, 100, ids(50, 22));
                    int[] next = Arrays.copyOf(grown, grown.length + 5);
                    System.arraycopy(ids(5, 23), 0, next, grown.length, 5);
                    float[][] tail = new float[200][];
                    for (int i = 0; i < 200; i++) tail[i] = slot(s.cache(), 100 + i);
                    s.sync(next, Session.Reuse.APPROXIMATE, null, null);
                    assertEquals(55, s.lastRecomputed(), t + " block " + block);
                    assertEquals(200, s.lastApproximate());
                    assertArrayEquals(next, s.tokens());
                    for (int i = 0; i < 200; i++)
                        assertArrayEquals(tail[i], slot(s.cache(), 150 + i), t + " block " + block + " tail slot " + i);
                    // a short unchanged tail is not worth it: exact recompute
                    int[] small = splice(next, next.length - 20, next.length - 20, ids(3, 24));
                    s.sync(small, Session.Reuse.APPROXIMATE, null, null);
                    assertEquals(0, s.lastApproximate());
                    assertEquals(23, s.lastRecomputed());
                }
            }
        }
    }

    @Test
    void cancelledApproximateEditLeavesAConsistentCache() {
        int[] story = ids(300, 31);
        int[] edited = splice(story, 50, 60, ids(100, 32));
        try (CpuSession s = new CpuSession(model, opts(16, 32, KvDType.F32))) {
            s.sync(story, null, null);
            int[] calls = {0};
            assertNull(s.sync(edited, Session.Reuse.APPROXIMATE, (d, t) -> calls[0]++, () -> calls[0] >= 2));
            assertEquals(50 + 64, s.length());
            assertArrayEquals(Arrays.copyOf(edited, 114), s.tokens());
            float[] resumed = s.sync(edited, null, null).clone();
            assertEquals(edited.length - 114, s.lastRecomputed());
            SessionReuseTest.assertSameLogits(fresh(edited), resumed, "resuming after a cancel is exact");
        }
    }

    static float[] fresh(int[] prompt) {
        try (CpuSession s = new CpuSession(model, opts(16, 32, KvDType.F32))) {
            s.feed(prompt, 0, 114, null, null, null);
            return s.feed(prompt, 114, prompt.length, null, null, null).clone();
        }
    }

    /**
     * Restored pages equal the saved ones byte for byte, so logits after a restore are bit-identical
     * to the live session's. (Compared on the scalar backend: Vector API reductions may sum in
     * another order before and after C2 compiles them, so two vector runs can differ in the last
     * bit whatever the cache does.)
     */
    @Test
    void savedCacheRestoresBitIdenticalLogits(@TempDir Path dir) throws IOException {
        int[] story = ids(300, 41);
        for (KvDType t : KvDType.values()) {
            Path file = KvFile.beside(dir.resolve("story-" + t.label() + ".txt"));
            EngineOptions o = opts(16, 64, t).withBackend("scalar");
            try (CpuSession live = new CpuSession(model, o);
                    CpuSession back = new CpuSession(model, o)) {
                live.sync(story, null, null);
                live.saveKv(file);
                KvFile.Restore r = back.loadKv(file, story);
                assertTrue(r.used(), r.reason());
                assertEquals(300, back.length());
                assertArrayEquals(story, back.tokens());
                for (int i = 0; i < 300; i++)
                    assertArrayEquals(slot(live.cache(), i), slot(back.cache(), i), t + " slot " + i);
                assertArrayEquals(
                        live.feed(7, 8, 9).clone(), back.feed(7, 8, 9), t + ": restored logits are bit-identical");
                // the file does not depend on the block size: pages are re-cut on load
                try (CpuSession other = new CpuSession(model, opts(7, 64, t))) {
                    assertTrue(other.loadKv(file));
                    for (int i : new int[] {0, 6, 7, 255, 299})
                        assertArrayEquals(slot(live.cache(), i), slot(other.cache(), i));
                }
            }
        }
    }

    @Test
    void reopeningWithTheSameTextRecomputesOneTokenAndAnEditedTailOnlyTheEdit(@TempDir Path dir) throws IOException {
        int[] story = ids(400, 51);
        Path file = dir.resolve("s.longform-kv");
        try (CpuSession s = new CpuSession(model, opts(16, 64, KvDType.BF16))) {
            s.sync(story, null, null);
            s.saveKv(file);
        }
        try (CpuSession s = new CpuSession(model, opts(16, 64, KvDType.BF16))) {
            assertTrue(s.loadKv(file, story).used());
            s.sync(story, null, null);
            assertEquals(1, s.lastRecomputed(), "only the last token, for fresh logits");
        }
        int[] edited = splice(story, 380, 400, ids(25, 52));
        try (CpuSession s = new CpuSession(model, opts(16, 64, KvDType.BF16))) {
            KvFile.Restore r = s.loadKv(file, edited);
            assertTrue(r.used());
            assertEquals(380, r.tokens(), "only the prefix the text still shares");
            s.sync(edited, null, null);
            assertEquals(25, s.lastRecomputed());
        }
    }

    @Test
    void staleOrDamagedCachesAreNotUsed(@TempDir Path dir) throws IOException {
        Path copy = dir.resolve("model");
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(Fixtures.modelDir("tiny-mpt-4h"))) {
            for (Path f : files.toList()) Files.copy(f, copy.resolve(f.getFileName()));
        }
        int[] story = ids(200, 61);
        Path file = dir.resolve("s.longform-kv");
        try (Model m = Model.load(copy);
                CpuSession s = new CpuSession(m, opts(16, 64, KvDType.F32))) {
            s.sync(story, null, null);
            s.saveKv(file);
            assertTrue(
                    new CpuSession(m, opts(16, 64, KvDType.F32)).loadKv(file),
                    "sanity: a fresh session of the same model uses it");
        }
        try (CpuSession s = new CpuSession(model, opts(16, 64, KvDType.F32))) {
            s.sync(ids(10, 62), null, null);
            KvFile.Restore r = s.loadKv(file, story);
            assertFalse(r.used(), "the fixture folder has other file times: another model as far as we can tell");
            assertEquals(10, s.length(), "a refused cache leaves the session as it was");
        }
        try (Model m = Model.load(copy);
                CpuSession s = new CpuSession(m, opts(16, 64, KvDType.BF16))) {
            KvFile.Restore r = s.loadKv(file, story);
            assertFalse(r.used());
            assertTrue(r.reason().contains("f32") && r.reason().contains("bf16"), r.reason());
        }
        try (Model m = Model.load(copy);
                CpuSession s = new CpuSession(m, opts(16, 64, KvDType.F32))) {
            assertFalse(s.loadKv(file, ids(200, 63)).used(), "text changed from its first token");
        }
        // damaged: truncated, or not a cache at all
        Path cut = dir.resolve("cut.longform-kv");
        Files.write(cut, Arrays.copyOf(Files.readAllBytes(file), (int) Files.size(file) - 100));
        Path junk = dir.resolve("junk.longform-kv");
        Files.writeString(junk, "not a cache, just a story someone named oddly");
        try (Model m = Model.load(copy);
                CpuSession s = new CpuSession(m, opts(16, 64, KvDType.F32))) {
            assertFalse(s.loadKv(cut, story).used());
            assertFalse(s.loadKv(junk, story).used());
            assertFalse(s.loadKv(dir.resolve("missing"), story).used());
            assertEquals(0, s.length());
            assertTrue(s.loadKv(file, story).used());
        }
        // a changed config
        Path config = copy.resolve("config.json");
        String original = Files.readString(config);
        FileTime configTime = Files.getLastModifiedTime(config);
        Files.writeString(config, original.replace("\"verbose\": 0", "\"verbose\": 1"));
        Files.setLastModifiedTime(config, configTime);
        try (Model m = Model.load(copy);
                CpuSession s = new CpuSession(m, opts(16, 64, KvDType.F32))) {
            assertFalse(s.loadKv(file, story).used());
        }
        Files.writeString(config, original);
        Files.setLastModifiedTime(config, configTime);
        try (Model m = Model.load(copy);
                CpuSession s = new CpuSession(m, opts(16, 64, KvDType.F32))) {
            assertTrue(s.loadKv(file, story).used(), "config back as it was");
        }
        // weights edited in place (same size, time put back): the content sample notices
        Path shard = copy.resolve("pytorch_model-00001-of-00002.bin");
        FileTime time = Files.getLastModifiedTime(shard);
        try (var ch = FileChannel.open(shard, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long at = Files.size(shard) * 8 / 17 + 100; // inside a sampled piece, inside tensor data
            var b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 1)).rewind();
            ch.write(b, at);
        }
        Files.setLastModifiedTime(shard, time);
        try (Model m = Model.load(copy);
                CpuSession s = new CpuSession(m, opts(16, 64, KvDType.F32))) {
            assertFalse(s.loadKv(file, story).used());
        }
    }

    @Test
    void windowsBeyondTheBudgetAreRefusedWithWhatFits() {
        var o = opts(16, 64, KvDType.BF16).withKvBudget(1 << 20);
        try (CpuSession s = new CpuSession(model, o)) {
            long per = s.cache().pool().bytesPerToken();
            assertEquals(2L * 2 * 64 * 2, per, "2 · layers · d_model · 2 bytes");
            ContextFullException e = assertThrows(ContextFullException.class, () -> s.checkWindow(100_000));
            assertTrue(
                    e.getMessage().contains(per + " bytes per token")
                            && e.getMessage().contains("holds " + s.cache().capacity() + " tokens")
                            && e.getMessage().contains("int8"),
                    e.getMessage());
            s.checkWindow(s.cache().capacity());
        }
        assertEquals(
                2L * 2 * 64 + 2L * 2 * 4 * 4,
                KvPool.bytesPerToken(model.config(), KvDType.INT8),
                "int8: one f32 scale per row");
        IllegalArgumentException tooBig = assertThrows(
                IllegalArgumentException.class,
                () -> new CpuSession(model, opts(16, 64, KvDType.F32).withKvBudget(Long.MAX_VALUE / 2)));
        assertTrue(tooBig.getMessage().contains("more than this machine"), tooBig.getMessage());
    }
}
