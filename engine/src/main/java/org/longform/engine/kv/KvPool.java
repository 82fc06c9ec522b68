package org.longform.engine.kv;

import org.longform.engine.model.Config;

import java.util.ArrayDeque;

/**
 * A pool of fixed-size KV blocks shared by the sequences of one model. A block holds
 * {@code blockSize} cache slots for every layer, laid out [layer][k|v][head][slot][headDim] so that
 * attention scans one head's keys contiguously. Blocks are allocated lazily up to the budget.
 */
public final class KvPool {
    public final int blockSize, layers, heads, headDim;
    public final int maxBlocks;
    private final float[][] blocks;
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private int allocated;

    public KvPool(Config c, int blockSize, long budgetBytes) {
        if (blockSize < 1) throw new IllegalArgumentException("block size must be positive, got " + blockSize);
        this.blockSize = blockSize;
        this.layers = c.nLayers();
        this.heads = c.nHeads();
        this.headDim = c.headDim();
        long per = blockBytes();
        this.maxBlocks = (int) Math.min(Integer.MAX_VALUE - 8, budgetBytes / per);
        if (maxBlocks < 1) {
            throw new IllegalArgumentException("KV budget of " + budgetBytes + " bytes holds no block of " + blockSize
                    + " tokens (" + per + " bytes); raise the budget or lower the block size");
        }
        this.blocks = new float[maxBlocks][];
    }

    /** Bytes of K and V for one token across all layers (f32). */
    public long bytesPerToken() { return 2L * layers * heads * headDim * Float.BYTES; }

    public long blockBytes() { return bytesPerToken() * blockSize; }

    public int capacityTokens() { return maxBlocks * blockSize; }

    public int blocksInUse() { return allocated - free.size(); }

    /** Takes a free block, allocating its memory on first use; -1 when the budget is exhausted. */
    public int acquire() {
        Integer b = free.pollFirst();
        if (b != null) return b;
        if (allocated == maxBlocks) return -1;
        blocks[allocated] = new float[blockSize * layers * 2 * heads * headDim];
        return allocated++;
    }

    public void release(int block) { free.addFirst(block); }

    public float[] block(int id) { return blocks[id]; }

    /** Offset of slot {@code s} (within its block) of layer l, head h, in the block array; kv = 0 for K, 1 for V. */
    public int offset(int layer, int kv, int head, int s) {
        return (((layer * 2 + kv) * heads + head) * blockSize + s) * headDim;
    }
}
