package org.longform.engine.context;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.Fixtures;
import org.longform.engine.kv.KvDType;
import org.longform.engine.model.Model;
import org.longform.engine.runtime.CpuSession;

/** The single-file KV cache's checksum: a file changed on disk is never restored. */
class KvFileTest {
    static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(Fixtures.modelDir("tiny-mpt-4h"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static Path saved(Path dir, KvDType t, int[] story) throws IOException {
        Path file = dir.resolve("s-" + t.label() + ".longform-kv");
        try (CpuSession s = new CpuSession(model, KvStoreTest.opts(16, t))) {
            s.sync(story, null, null);
            s.saveKv(file);
        }
        return file;
    }

    /** Before the checksum, a file whose size and header were right but whose rows changed was restored as is. */
    @Test
    void aChangedRowWasRestoredAsIs(@TempDir Path dir) throws IOException {
        int[] story = KvStoreTest.ids(120, 7);
        for (KvDType t : KvDType.values()) {
            Path file = saved(dir, t, story);
            byte[] good = Files.readAllBytes(file);
            try (CpuSession back = new CpuSession(model, KvStoreTest.opts(16, t))) {
                assertTrue(back.loadKv(file, story).used(), t + ": sanity, the saved file restores");
            }
            // one bit in a K/V row, one in a token id, one in the trailer's CRC itself
            int rows = (int) KvFile.tokensEnd(story.length);
            for (int at : new int[] {rows + 1000, KvFile.HEADER + 40, good.length - KvFile.TRAILER + 1}) {
                byte[] bad = good.clone();
                bad[at] ^= 0x10;
                Files.write(file, bad);
                try (CpuSession back = new CpuSession(model, KvStoreTest.opts(16, t))) {
                    back.sync(KvStoreTest.ids(5, 8), null, null);
                    KvFile.Restore r = back.loadKv(file, story);
                    assertFalse(r.used(), t + ": byte " + at + " changed and the cache was used");
                    assertTrue(r.reason().contains("CRC32C"), r.reason());
                    assertEquals(5, back.length(), "a refused cache leaves the session as it was");
                }
            }
        }
    }

    /** Format 1 files (no checksum) are refused with a reason, never trusted. */
    @Test
    void aFormatOneFileIsRefusedWithAReason(@TempDir Path dir) throws IOException {
        int[] story = KvStoreTest.ids(64, 9);
        Path file = saved(dir, KvDType.F32, story);
        byte[] b = Files.readAllBytes(file);
        // what format 1 wrote: the same bytes without the trailer, version 1
        byte[] v1 = Arrays.copyOf(b, b.length - KvFile.TRAILER);
        ByteBuffer.wrap(v1).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 1);
        Files.write(file, v1);
        try (CpuSession back = new CpuSession(model, KvStoreTest.opts(16, KvDType.F32))) {
            KvFile.Restore r = back.loadKv(file, story);
            assertFalse(r.used());
            assertEquals("KV cache format 1 has no checksum; this version recomputes it", r.reason());
            assertEquals(0, back.length());
        }
    }
}
