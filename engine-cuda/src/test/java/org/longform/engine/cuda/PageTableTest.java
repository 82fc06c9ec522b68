package org.longform.engine.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.longform.engine.kv.KvCache;
import org.longform.engine.kv.KvPool;
import org.longform.engine.model.Config;

/**
 * The device page table must make the same decisions as the CPU KvCache (what fits, what an
 * eviction keeps and where). Random feeds, truncations and evictions run on both; every slot
 * carries a marker (the token's sequence number) through a Java twin of the kv_compact kernel's
 * batched copy, and the caches must hold the same markers in the same order.
 */
class PageTableTest {
    static final Config TINY = new Config(4, 1, 1, 4, 16, 64, 1e-5f, 8, 0, 0.5f, 1);

    /** Java twin of kv.cu's kv_compact: batches of min(8, gap) slots, all reads of a batch before its writes. */
    static void compact(int[] pool, PageTable t, int start, int end, int moved) {
        int gap = end - start, batch = Math.min(8, gap);
        int[] buf = new int[8];
        for (int i = 0; i < moved; i += batch) {
            int n = Math.min(batch, moved - i);
            for (int u = 0; u < n; u++) buf[u] = pool[addr(t, end + i + u)];
            for (int u = 0; u < n; u++) pool[addr(t, start + i + u)] = buf[u];
        }
    }

    static int addr(PageTable t, int slot) {
        return t.pageOf(slot) * t.blockSize + slot % t.blockSize;
    }

    @Test
    void randomOperationsAgreeWithKvCache() {
        SplittableRandom r = new SplittableRandom(7);
        for (int round = 0; round < 300; round++) {
            int bs = 1 + r.nextInt(20), pages = 1 + r.nextInt(12);
            KvPool pool = new KvPool(TINY, bs, (long) pages * 32 * bs);
            assertEquals(pages, pool.maxBlocks);
            KvCache cpu = new KvCache(pool);
            PageTable gpu = new PageTable(bs, pages);
            int[] dev = new int[pages * bs];
            int next = 1;
            for (int op = 0; op < 40; op++) {
                int kind = r.nextInt(10);
                if (kind < 5) {
                    int n = 1 + r.nextInt(2 * bs + 3);
                    boolean fits = gpu.fits(n);
                    boolean a = cpu.reserve(n), b = gpu.reserve(n);
                    assertEquals(a, b, "reserve " + n);
                    assertEquals(a, fits, "fits " + n);
                    if (a) {
                        for (int i = 0; i < n; i++) {
                            int slot = cpu.length() + i;
                            writeMarker(cpu, slot, next);
                            dev[addr(gpu, slot)] = next;
                            next++;
                        }
                        cpu.advance(n);
                        gpu.advance(n);
                    }
                } else if (kind < 7) {
                    int k = r.nextInt(cpu.length() + 1);
                    cpu.truncate(k);
                    gpu.truncate(k);
                } else {
                    int len = cpu.length();
                    int s = r.nextInt(len + 1), e = s + r.nextInt(len - s + 1);
                    if (r.nextBoolean() && len > 0) s = (s / bs) * bs; // make aligned ranges common
                    cpu.evict(s, e);
                    gpu.evict(s, e, (a, b, m) -> compact(dev, gpu, a, b, m));
                }
                assertEquals(cpu.length(), gpu.length());
                assertEquals(pool.blocksInUse(), gpu.pagesInUse(), "pages in use");
                for (int slot = 0; slot < cpu.length(); slot++) {
                    assertEquals(readMarker(cpu, slot), (float) dev[addr(gpu, slot)], "slot " + slot);
                }
            }
        }
    }

    @Test
    void overlappingCompactionKeepsOrder() {
        PageTable t = new PageTable(4, 10);
        int[] dev = new int[40];
        t.reserve(37);
        for (int i = 0; i < 37; i++) dev[addr(t, i)] = i;
        t.advance(37);
        t.evict(3, 5, (a, b, m) -> compact(dev, t, a, b, m)); // gap 2, 32 slots move through their own range
        assertEquals(35, t.length());
        for (int i = 0; i < 35; i++) assertEquals(i < 3 ? i : i + 2, dev[addr(t, i)], "slot " + i);
    }

    @Test
    void refusedReservationChangesNothingAndDropReserveReturnsPages() {
        PageTable t = new PageTable(8, 3);
        assertTrue(t.reserve(20));
        t.advance(5);
        assertEquals(3, t.pagesInUse());
        assertFalse(t.reserve(20));
        assertEquals(3, t.pagesInUse());
        t.dropReserve();
        assertEquals(1, t.pagesInUse());
        assertEquals(5, t.length());
        assertThrows(IllegalArgumentException.class, () -> t.evict(2, 9, (a, b, m) -> {}));
    }

    /** Marks a slot through the cache's own API: the first element of its K row (layer 0, head 0). */
    private static void writeMarker(KvCache cpu, int slot, int value) {
        float[] row = new float[cpu.pool().headDim];
        row[0] = value;
        cpu.writeRow(slot, 0, 0, 0, row, 0);
    }

    private static float readMarker(KvCache cpu, int slot) {
        int bs = cpu.blockSize(), hd = cpu.pool().headDim;
        float[] rows = new float[bs * hd];
        cpu.readRows(slot / bs, 0, 0, 0, bs, rows);
        return rows[(slot % bs) * hd];
    }
}
