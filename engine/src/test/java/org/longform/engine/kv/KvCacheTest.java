package org.longform.engine.kv;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.longform.engine.model.Config;

/** Page bookkeeping: rows survive evictions and span resizes on every dtype; waste stays under a block. */
class KvCacheTest {
    static final Config C = new Config(32, 2, 2, 4, 16, 128, 1e-5f, 8, 0, 0.25f, 1);

    /** A row whose values say which token it came from (exact in every dtype: small integers, one value per row max). */
    static float[] row(int token, int l, int kv, int h) {
        float[] r = new float[16];
        r[(l * 4 + kv * 2 + h) % 16] = token % 100;
        r[15] = 127; // int8 scale 1: small integers are exact in every dtype
        return r;
    }

    static void fill(KvCache c, int from, int to, int tokenBase) {
        assertTrue(c.reserve(to - c.length()));
        for (int s = from; s < to; s++)
            for (int l = 0; l < 2; l++)
                for (int kv = 0; kv < 2; kv++)
                    for (int h = 0; h < 2; h++) c.writeRow(s, l, kv, h, row(tokenBase + s, l, kv, h), 0);
        c.advance(to - c.length());
    }

    static void check(KvCache c, int slot, int token) {
        KvPool p = c.pool();
        float[] got = new float[16];
        for (int l = 0; l < 2; l++)
            for (int kv = 0; kv < 2; kv++)
                for (int h = 0; h < 2; h++) {
                    p.readRows(c.blockId(slot / p.blockSize), l, kv, h, slot % p.blockSize, 1, got);
                    assertArrayEquals(row(token, l, kv, h), got, 0f, "slot " + slot);
                }
    }

    @Test
    void resizeAndEvictKeepRowsOnEveryDtypeAndBlockSize() {
        for (KvDType t : KvDType.values()) {
            for (int bs : new int[] {1, 4, 7, 16}) {
                try (KvPool pool = new KvPool(C, bs, 1 << 22, t);
                        KvCache c = new KvCache(pool)) {
                    fill(c, 0, 50, 0); // tokens 0..49
                    assertTrue(c.wasteSlots() >= 0 && c.wasteSlots() < bs);
                    assertTrue(c.resizeSpan(10, 20, 13)); // 10 slots become 13 new ones: 20..49 move up by 3
                    assertEquals(53, c.length());
                    for (int s = 23; s < 53; s++) check(c, s, s - 3);
                    for (int s = 0; s < 10; s++) check(c, s, s);
                    c.overwrite(10, 23);
                    assertEquals(10, c.length());
                    for (int s = 10; s < 23; s++)
                        for (int l = 0; l < 2; l++)
                            for (int kv = 0; kv < 2; kv++)
                                for (int h = 0; h < 2; h++) c.writeRow(s, l, kv, h, row(1000 + s, l, kv, h), 0);
                    assertTrue(c.reserve(13));
                    c.advance(13);
                    c.endOverwrite();
                    assertEquals(53, c.length());
                    for (int s = 10; s < 23; s++) check(c, s, 1000 + s);
                    for (int s = 23; s < 53; s++) check(c, s, s - 3);
                    assertTrue(c.resizeSpan(5, 30, 0)); // pure eviction
                    assertEquals(28, c.length());
                    for (int s = 5; s < 28; s++) check(c, s, s + 22);
                    assertTrue(c.resizeSpan(0, 0, 2 * bs)); // whole blocks in front (aligned path when bs divides)
                    for (int s = 2 * bs + 5; s < 2 * bs + 28; s++) check(c, s, s - 2 * bs + 22);
                    assertTrue(c.wasteSlots() < bs, t + " bs " + bs);
                }
            }
        }
    }

    /** A span a multiple of the block size long is evicted by copying one block's tail and unlinking the rest. */
    @Test
    void evictingWholeBlocksWorthCopiesOneBlock() {
        for (KvDType t : KvDType.values()) {
            for (int bs : new int[] {1, 4, 7, 16}) {
                for (int start : new int[] {0, 1, 5, bs + 3, 30}) {
                    for (int k : new int[] {1, 2, 5}) {
                        for (int n : new int[] {100, 30 + k * bs + 1, 99}) {
                            int end = start + k * bs;
                            if (end >= n) continue;
                            try (KvPool pool = new KvPool(C, bs, 1 << 22, t);
                                    KvCache c = new KvCache(pool)) {
                                fill(c, 0, n, 0);
                                Map<Integer, Long> before = new HashMap<>();
                                for (int i = 0; i < c.blocks(); i++)
                                    before.put(c.blockId(i), pool.version(c.blockId(i)));
                                c.evict(start, end);
                                String what = t + " bs " + bs + " evict [" + start + ", " + end + ") of " + n;
                                assertEquals(n - k * bs, c.length(), what);
                                for (int s = 0; s < start; s++) check(c, s, s);
                                for (int s = start; s < c.length(); s++) check(c, s, s + k * bs);
                                assertTrue(c.wasteSlots() >= 0 && c.wasteSlots() < bs, what);
                                int changed = 0;
                                for (int i = 0; i < c.blocks(); i++) {
                                    if (pool.version(c.blockId(i)) != before.get(c.blockId(i))) changed++;
                                }
                                assertTrue(
                                        changed <= (start % bs == 0 ? 0 : 1),
                                        what + ": " + changed + " blocks written");
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void overwriteGuardsTheSpan() {
        try (KvPool pool = new KvPool(C, 8, 1 << 20, KvDType.F32);
                KvCache c = new KvCache(pool)) {
            fill(c, 0, 20, 0);
            c.overwrite(5, 8);
            assertThrows(IllegalStateException.class, () -> c.truncate(3));
            assertThrows(IllegalStateException.class, () -> c.endOverwrite(), "span not written yet");
            c.advance(3);
            assertThrows(IllegalStateException.class, () -> c.advance(1), "past the span");
            c.endOverwrite();
            assertEquals(20, c.length());
            c.overwrite(5, 10);
            c.advance(2);
            c.abandonOverwrite(); // a cancelled rewrite keeps what was written
            assertEquals(7, c.length());
        }
    }

    @Test
    void bytesPerTokenIsTheFormula() {
        assertEquals(2L * 2 * 32 * 4, KvPool.bytesPerToken(C, KvDType.F32));
        assertEquals(2L * 2 * 32 * 2, KvPool.bytesPerToken(C, KvDType.BF16));
        assertEquals(2L * 2 * 32 + 2L * 2 * 2 * 4, KvPool.bytesPerToken(C, KvDType.INT8));
        assertEquals(KvDType.BF16, KvDType.parse("bfloat16"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KvDType.parse("q4"));
        assertTrue(e.getMessage().contains("f32, bf16, f16 or int8"));
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals(1f, KvCodec.fromBf16(KvCodec.bf16(1.00390625f))); // halfway: to even (1.0)
        assertEquals(1.0078125f, KvCodec.fromBf16(KvCodec.bf16(1.0078f)));
        assertTrue(Float.isNaN(KvCodec.fromBf16(KvCodec.bf16(Float.NaN))));
    }
}
