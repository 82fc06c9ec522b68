package org.longform.engine.kv;

import java.util.Arrays;

/**
 * One sequence's cache: a block table into a {@link KvPool} and the number of filled slots.
 * Slot i lives in block table[i / blockSize] at position i % blockSize. ALiBi needs no position
 * table, so a slot's K and V do not depend on where the slot is: survivors of an eviction or of a
 * span resize are reused as they are, and distances are taken between slots.
 */
public final class KvCache implements AutoCloseable {
    private final KvPool pool;
    private int[] table = new int[16];
    private int blocks;
    private int length;
    private int hiddenLength = -1, overwriteEnd; // overwrite mode, see overwrite()

    public KvCache(KvPool pool) {
        this.pool = pool;
    }

    public KvPool pool() {
        return pool;
    }

    public int length() {
        return length;
    }

    public int blockSize() {
        return pool.blockSize;
    }

    public int capacity() {
        return pool.capacityTokens();
    }

    /** Blocks linked into the table (the last one may be partly filled). */
    public int blocks() {
        return blocks;
    }

    /** Reserved but unfilled slots: the pool's waste for this sequence, always less than one block. */
    public int wasteSlots() {
        return blocks * pool.blockSize - length;
    }

    /** One line for statistics: tokens, dtype, bytes per token, bytes in use and wasted, capacity. */
    public String describe() {
        return length + " tokens in " + pool.dtype.label() + " (" + pool.bytesPerToken() + " bytes/token): "
                + KvBudget.gib((long) length * pool.bytesPerToken()) + " + "
                + KvBudget.gib((long) wasteSlots() * pool.bytesPerToken())
                + " unfilled in the last block; the budget holds " + pool.capacityTokens() + " tokens";
    }

    /** The pool block holding table entry {@code tableIndex} (slots [tableIndex · bs, (tableIndex + 1) · bs)). */
    public int blockId(int tableIndex) {
        return table[tableIndex];
    }

    /** Stores head_dim floats as the K (kv = 0) or V (kv = 1) row of one slot, layer and head. */
    public void writeRow(int slot, int layer, int kv, int head, float[] src, int off) {
        pool.writeRow(table[slot / pool.blockSize], layer, kv, head, slot % pool.blockSize, src, off);
    }

    /** Reads the rows of the first n slots of table entry {@code tableIndex} into dst as f32 (see {@link KvPool#readRows}). */
    public void readRows(int tableIndex, int layer, int kv, int head, int n, float[] dst) {
        pool.readRows(table[tableIndex], layer, kv, head, 0, n, dst);
    }

    /** Makes room for {@code n} more slots; false (and nothing changed) if the pool cannot hold them. */
    public boolean reserve(int n) {
        int need = (int) (((long) length + n + pool.blockSize - 1) / pool.blockSize);
        int had = blocks;
        while (blocks < need) {
            int b = pool.acquire();
            if (b < 0) {
                while (blocks > had) pool.release(table[--blocks]);
                return false;
            }
            link(blocks, b);
        }
        return true;
    }

    /** Marks n reserved slots as filled (their K and V were written). */
    public void advance(int n) {
        if ((long) length + n > (long) blocks * pool.blockSize)
            throw new IllegalStateException("advance past reserved slots");
        if (hiddenLength >= 0 && length + n > overwriteEnd)
            throw new IllegalStateException("overwrite past slot " + overwriteEnd);
        length += n;
    }

    /** Keeps the first n slots (prefix reuse), returning whole blocks past them to the pool. */
    public void truncate(int n) {
        notOverwriting();
        if (n < 0 || n > length) throw new IllegalArgumentException("truncate to " + n + " of " + length);
        length = n;
        int keep = (n + pool.blockSize - 1) / pool.blockSize;
        while (blocks > keep) pool.release(table[--blocks]);
    }

    /**
     * Drops slots [start, end) and compacts the survivors, so later slots move down by end - start
     * and ALiBi distances between them shrink (the semantics the reference pins). Whole blocks
     * inside the range are unlinked from the table; when the span is a multiple of the block size
     * long, only the slots after it in its first block are copied, otherwise every later slot moves.
     */
    public void evict(int start, int end) {
        notOverwriting();
        if (start < 0 || end > length || start > end)
            throw new IllegalArgumentException("evict [" + start + ", " + end + ") of " + length + " slots");
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
        if ((end - start) % bs == 0 && end < length) {
            // a span of whole blocks' length: the block holding start takes the rest of its slots from the block
            // holding end (same offsets) and the blocks between are unlinked, so one block is copied, not every
            // block after the span (a saved store then rewrites one page, not the rest of the story)
            int b0 = start / bs, e0 = end / bs, o = start % bs;
            pool.copySlots(table[e0], o, table[b0], o, Math.min(bs, length - e0 * bs) - o);
            for (int i = b0 + 1; i <= e0; i++) pool.release(table[i]);
            System.arraycopy(table, e0 + 1, table, b0 + 1, blocks - e0 - 1);
            blocks -= e0 - b0;
            length -= end - start;
            return;
        }
        int moved = length - end;
        moveSlots(end, start, moved);
        truncate(start + moved);
    }

    /**
     * Replaces slots [start, end) by {@code newLength} slots whose K and V are not yet written
     * (fill them with {@link #overwrite}); slots after {@code end} move by the difference, keeping
     * their K and V. False (nothing changed) if the pool cannot hold the growth.
     */
    public boolean resizeSpan(int start, int end, int newLength) {
        notOverwriting();
        if (start < 0 || end > length || start > end || newLength < 0) {
            throw new IllegalArgumentException(
                    "resize [" + start + ", " + end + ") of " + length + " slots to " + newLength);
        }
        int grow = newLength - (end - start);
        if (grow <= 0) {
            evict(start + newLength, end);
            return true;
        }
        int bs = pool.blockSize, tail = length - end;
        if (end % bs == 0 && grow % bs == 0) { // whole new blocks linked in at end: nothing moves
            int add = grow / bs, at = end / bs;
            int[] fresh = new int[add];
            for (int i = 0; i < add; i++) {
                fresh[i] = pool.acquire();
                if (fresh[i] < 0) {
                    for (int j = 0; j < i; j++) pool.release(fresh[j]);
                    return false;
                }
            }
            if (blocks + add > table.length) table = Arrays.copyOf(table, Math.max(table.length * 2, blocks + add));
            System.arraycopy(table, at, table, at + add, blocks - at);
            System.arraycopy(fresh, 0, table, at, add);
            blocks += add;
            length += grow;
            return true;
        }
        if (!reserve(grow)) return false;
        moveSlots(end, end + grow, tail);
        length += grow;
        return true;
    }

    /**
     * Lets the next feeds rewrite slots [at, end) in place: until {@link #endOverwrite}, length()
     * reads {@code at} and grows as slots are written, so attention of the rewritten tokens sees only
     * the slots before them, while the slots from {@code end} on keep their K and V.
     */
    public void overwrite(int at, int end) {
        notOverwriting();
        if (at < 0 || at > end || end > length)
            throw new IllegalArgumentException("overwrite [" + at + ", " + end + ") of " + length + " slots");
        hiddenLength = length;
        overwriteEnd = end;
        length = at;
    }

    /** Leaves overwrite mode; every slot of the span must have been written. */
    public void endOverwrite() {
        if (hiddenLength < 0) throw new IllegalStateException("not overwriting");
        if (length != overwriteEnd)
            throw new IllegalStateException("overwrite stopped at slot " + length + " of " + overwriteEnd);
        length = hiddenLength;
        hiddenLength = -1;
    }

    /** Leaves overwrite mode after a cancelled rewrite: the cache keeps the slots written so far, the rest is dropped. */
    public void abandonOverwrite() {
        if (hiddenLength < 0) return;
        hiddenLength = -1;
        truncate(length);
    }

    public boolean overwriting() {
        return hiddenLength >= 0;
    }

    private void notOverwriting() {
        if (hiddenLength >= 0) throw new IllegalStateException("the cache is being overwritten in place");
    }

    /** Copies n slots from slot {@code from} to slot {@code to}, in the order that makes overlaps safe. */
    private void moveSlots(int from, int to, int n) {
        int bs = pool.blockSize;
        if (n <= 0 || from == to) return;
        if (to < from) {
            for (int i = 0; i < n; ) {
                int s = from + i, d = to + i;
                int m = Math.min(n - i, Math.min(bs - s % bs, bs - d % bs));
                pool.copySlots(table[s / bs], s % bs, table[d / bs], d % bs, m);
                i += m;
            }
        } else {
            for (int e = n; e > 0; ) {
                int s = from + e, d = to + e; // exclusive ends
                int m = Math.min(e, Math.min((s - 1) % bs + 1, (d - 1) % bs + 1));
                pool.copySlots(table[(s - m) / bs], (s - m) % bs, table[(d - m) / bs], (d - m) % bs, m);
                e -= m;
            }
        }
    }

    private void link(int at, int block) {
        if (blocks == table.length) table = Arrays.copyOf(table, blocks * 2);
        table[at] = block;
        blocks++;
    }

    @Override
    public void close() {
        hiddenLength = -1;
        truncate(0);
    }
}
