package org.longform.engine.cuda;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Host bookkeeping of the device KV cache: which device page holds which run of blockSize slots,
 * and how many slots are filled. Semantics are those of {@link org.longform.engine.kv.KvCache} +
 * {@link org.longform.engine.kv.KvPool} (pages handed out lazily, a LIFO free list, whole pages
 * unlinked by an aligned eviction, slots copied by an unaligned one) so the GPU and CPU paths agree
 * on context shift and prefix reuse; PageTableTest replays random operations on both.
 * The device reads {@link #table()}; the session uploads it after it changes.
 */
final class PageTable {
    /** Moves the K and V of slots [end, end + moved) to [start, start + moved) (the device kernel). */
    @FunctionalInterface
    interface Compactor {
        void compact(int start, int end, int moved);
    }

    final int blockSize, maxPages;
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private int handedOut;
    private int[] table = new int[16];
    private int blocks, length;

    PageTable(int blockSize, int maxPages) {
        if (blockSize < 1 || maxPages < 1)
            throw new IllegalArgumentException("block size " + blockSize + ", pages " + maxPages);
        this.blockSize = blockSize;
        this.maxPages = maxPages;
    }

    int length() {
        return length;
    }

    int blocks() {
        return blocks;
    }

    int capacityTokens() {
        return (int) Math.min(Integer.MAX_VALUE, (long) maxPages * blockSize);
    }

    int pagesInUse() {
        return handedOut - free.size();
    }

    /** The live table: entries [0, blocks()) are page ids. */
    int[] table() {
        return table;
    }

    int pageOf(int slot) {
        if (slot < 0 || slot >= blocks * blockSize) throw new IndexOutOfBoundsException("slot " + slot);
        return table[slot / blockSize];
    }

    private int acquire() {
        Integer b = free.pollFirst();
        if (b != null) return b;
        if (handedOut == maxPages) return -1;
        return handedOut++;
    }

    private void release(int page) {
        free.addFirst(page);
    }

    /** Would {@link #reserve}(n) succeed? */
    boolean fits(int n) {
        long need = ((long) length + n + blockSize - 1) / blockSize - blocks;
        return need <= (long) (maxPages - handedOut) + free.size();
    }

    /** Makes room for n more slots; false (nothing changed) if the pages run out. */
    boolean reserve(int n) {
        int need = (int) (((long) length + n + blockSize - 1) / blockSize);
        int had = blocks;
        while (blocks < need) {
            int b = acquire();
            if (b < 0) {
                while (blocks > had) release(table[--blocks]);
                return false;
            }
            if (blocks == table.length) table = Arrays.copyOf(table, blocks * 2);
            table[blocks++] = b;
        }
        return true;
    }

    void advance(int n) {
        if ((long) length + n > (long) blocks * blockSize)
            throw new IllegalStateException("advance past reserved slots");
        length += n;
    }

    /** Keeps the first n slots, returning whole pages past them. */
    void truncate(int n) {
        if (n < 0 || n > length) throw new IllegalArgumentException("truncate to " + n + " of " + length);
        length = n;
        int keep = (n + blockSize - 1) / blockSize;
        while (blocks > keep) release(table[--blocks]);
    }

    /** Returns pages reserved beyond the filled slots (after a cancelled or refused feed). */
    void dropReserve() {
        truncate(length);
    }

    /**
     * Drops slots [start, end) and closes the gap: whole pages are unlinked when the range is
     * page-aligned, otherwise the compactor moves the later slots down before the tail is cut.
     */
    void evict(int start, int end, Compactor compactor) {
        if (start < 0 || end > length || start > end)
            throw new IllegalArgumentException("evict [" + start + ", " + end + ") of " + length + " slots");
        if (start == end) return;
        int bs = blockSize;
        if (start % bs == 0 && (end % bs == 0 || end == length)) {
            int b0 = start / bs, b1 = (end + bs - 1) / bs;
            for (int i = b0; i < b1; i++) release(table[i]);
            System.arraycopy(table, b1, table, b0, blocks - b1);
            blocks -= b1 - b0;
            length -= end - start;
            return;
        }
        int moved = length - end;
        if (moved > 0) compactor.compact(start, end, moved);
        truncate(start + moved);
    }
}
