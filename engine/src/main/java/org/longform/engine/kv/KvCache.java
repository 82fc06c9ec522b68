package org.longform.engine.kv;

import java.util.Arrays;

/**
 * One sequence's cache: a block table into a {@link KvPool} and the number of filled slots.
 * Slot i lives in block table[i / blockSize] at position i % blockSize.
 */
public final class KvCache implements AutoCloseable {
    private final KvPool pool;
    private int[] table = new int[16];
    private int blocks;
    private int length;

    public KvCache(KvPool pool) { this.pool = pool; }

    public KvPool pool() { return pool; }

    public int length() { return length; }

    public int blockSize() { return pool.blockSize; }

    public int capacity() { return pool.capacityTokens(); }

    public float[] blockOf(int slot) { return pool.block(table[slot / pool.blockSize]); }

    public float[] blockAt(int tableIndex) { return pool.block(table[tableIndex]); }

    /** Makes room for {@code n} more slots; false (and nothing changed) if the pool cannot hold them. */
    public boolean reserve(int n) {
        int need = (length + n + pool.blockSize - 1) / pool.blockSize;
        int had = blocks;
        while (blocks < need) {
            int b = pool.acquire();
            if (b < 0) {
                while (blocks > had) pool.release(table[--blocks]);
                return false;
            }
            if (blocks == table.length) table = Arrays.copyOf(table, blocks * 2);
            table[blocks++] = b;
        }
        return true;
    }

    /** Marks n reserved slots as filled (their K and V were written). */
    public void advance(int n) {
        if ((long) length + n > (long) blocks * pool.blockSize) throw new IllegalStateException("advance past reserved slots");
        length += n;
    }

    /** Keeps the first n slots (prefix reuse), returning whole blocks past them to the pool. */
    public void truncate(int n) {
        if (n < 0 || n > length) throw new IllegalArgumentException("truncate to " + n + " of " + length);
        length = n;
        int keep = (n + pool.blockSize - 1) / pool.blockSize;
        while (blocks > keep) pool.release(table[--blocks]);
    }

    /**
     * Drops slots [start, end) and compacts the survivors, so later slots move down by end - start
     * and ALiBi distances between them shrink (the semantics the reference pins). Whole blocks
     * inside the range are unlinked from the table; only a partial block's slots are copied.
     */
    public void evict(int start, int end) {
        if (start < 0 || end > length || start > end) throw new IllegalArgumentException("evict [" + start + ", " + end + ") of " + length + " slots");
        if (start == end) return;
        int bs = pool.blockSize;
        if (start % bs == 0 && (end % bs == 0 || end == length)) {
            int b0 = start / bs, b1 = (end + bs - 1) / bs;
            for (int i = b0; i < b1; i++) pool.release(table[i]);
            System.arraycopy(table, b1, table, b0, blocks - b1);
            blocks -= b1 - b0;
            length -= end - start;
            return;
        }
        int moved = length - end;
        for (int i = 0; i < moved; i++) copySlot(end + i, start + i);
        truncate(start + moved);
    }

    private void copySlot(int from, int to) {
        int bs = pool.blockSize;
        float[] src = blockOf(from), dst = blockOf(to);
        int sf = from % bs, st = to % bs, hd = pool.headDim;
        for (int l = 0; l < pool.layers; l++)
            for (int kv = 0; kv < 2; kv++)
                for (int h = 0; h < pool.heads; h++)
                    System.arraycopy(src, pool.offset(l, kv, h, sf), dst, pool.offset(l, kv, h, st), hd);
    }

    @Override
    public void close() { truncate(0); }
}
