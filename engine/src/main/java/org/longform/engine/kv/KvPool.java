package org.longform.engine.kv;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.Arrays;
import org.longform.engine.model.Config;

/**
 * A pool of fixed-size KV blocks (pages) shared by the sequences of one model. A block holds
 * {@code blockSize} cache slots for every layer, laid out [layer][k|v][head][slot][headDim] so that
 * attention scans one head's keys contiguously; int8 pages append one f32 scale per row, laid out
 * [layer][k|v][head][slot]. Pages live off the Java heap (a 7B model's 65k-token cache is tens of
 * GiB, beyond what a heap or a Java array should hold); they are allocated lazily up to the budget,
 * recycled through a free list, and freed together when the pool closes.
 */
public final class KvPool implements AutoCloseable {
    public final int blockSize, layers, heads, headDim;
    public final KvDType dtype;
    public final int maxBlocks;
    private final long dataBytes, blockBytes;
    private final Arena arena = Arena.ofShared(); // shared: attention threads read the pages
    private MemorySegment[] blocks; // grows with use: a 1-token block size may mean millions of pages
    private float[] keyNorms; // [block][layer][head]: bound on |k| of the rows in the block (see keyNorm)
    private long[] versions; // [block]: bumped by every write into the page (see version)
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private int allocated;
    private String allocationFailure;

    public KvPool(Config c, int blockSize, long budgetBytes) {
        this(c, blockSize, budgetBytes, KvDType.F32);
    }

    public KvPool(Config c, int blockSize, long budgetBytes, KvDType dtype) {
        if (blockSize < 1) throw new IllegalArgumentException("block size must be positive, got " + blockSize);
        this.blockSize = blockSize;
        this.layers = c.nLayers();
        this.heads = c.nHeads();
        this.headDim = c.headDim();
        this.dtype = dtype;
        this.dataBytes = (long) layers * 2 * heads * blockSize * headDim * dtype.bytes;
        this.blockBytes = bytesPerToken(c, dtype) * blockSize;
        this.maxBlocks = (int) Math.min(Integer.MAX_VALUE - 8, budgetBytes / blockBytes);
        if (maxBlocks < 1) {
            throw new IllegalArgumentException(
                    "KV budget of " + budgetBytes + " bytes holds no block of " + blockSize + " tokens (" + blockBytes
                            + " bytes in " + dtype.label() + "); raise the budget or lower the block size");
        }
        this.blocks = new MemorySegment[Math.min(maxBlocks, 64)];
        this.keyNorms = new float[blocks.length * layers * heads];
        this.versions = new long[blocks.length];
    }

    /**
     * Bytes of K and V for one token across all layers: 2 · n_layers · d_model · element bytes,
     * plus for int8 one f32 scale per layer, K/V and head.
     */
    public static long bytesPerToken(Config c, KvDType t) {
        long b = 2L * c.nLayers() * c.dModel() * t.bytes;
        return t == KvDType.INT8 ? b + 2L * c.nLayers() * c.nHeads() * Float.BYTES : b;
    }

    public long bytesPerToken() {
        return blockBytes / blockSize;
    }

    public long blockBytes() {
        return blockBytes;
    }

    public int capacityTokens() {
        return (int) Math.min(Integer.MAX_VALUE, (long) maxBlocks * blockSize);
    }

    public int blocksInUse() {
        return allocated - free.size();
    }

    /** Off-heap bytes the pool holds now (pages are allocated on first use and kept for reuse). */
    public long allocatedBytes() {
        return allocated * blockBytes;
    }

    /** Takes a free block, allocating its memory on first use; -1 when the budget (or the machine) is exhausted. */
    public int acquire() {
        Integer b = free.pollFirst();
        if (b != null) {
            Arrays.fill(keyNorms, b * layers * heads, (b + 1) * layers * heads, 0f);
            return b;
        }
        if (allocated == maxBlocks) return -1;
        if (allocated == blocks.length) {
            blocks = Arrays.copyOf(blocks, (int) Math.min(maxBlocks, 2L * blocks.length));
            keyNorms = Arrays.copyOf(keyNorms, blocks.length * layers * heads);
            versions = Arrays.copyOf(versions, blocks.length);
        }
        try {
            blocks[allocated] = arena.allocate(blockBytes, 64);
        } catch (OutOfMemoryError e) {
            allocationFailure = "the machine refused " + blockBytes + " more bytes after " + allocatedBytes() + " ("
                    + e.getMessage() + ")";
            return -1;
        }
        return allocated++;
    }

    /** Why the last {@link #acquire} failed below the budget (memory of the machine), or null. */
    public String allocationFailure() {
        return allocationFailure;
    }

    public void release(int block) {
        free.addFirst(block);
    }

    /** The raw page (for saving and restoring a cache); call {@link #touch} after writing into it. */
    public MemorySegment segment(int block) {
        return blocks[block];
    }

    /**
     * A counter of writes into the page: it changes whenever the page's bytes may have changed
     * (writeRow, copySlots, {@link #touch}), so a saved copy tagged with (block, version) is known to
     * be current while the version stays the same. A released and re-acquired page keeps its bytes
     * and its version.
     */
    public long version(int block) {
        return versions[block];
    }

    /** Records that the page's bytes were written directly through {@link #segment}. */
    public void touch(int block) {
        versions[block]++;
    }

    /** Bytes of the element region of a page; int8 scales follow it. */
    public long dataBytes() {
        return dataBytes;
    }

    private int row(int layer, int kv, int head, int s) {
        return ((layer * 2 + kv) * heads + head) * blockSize + s;
    }

    /** Byte offset in a page of slot {@code s}'s row (head_dim elements) of layer l, head h; kv = 0 for K, 1 for V. */
    public long rowOffset(int layer, int kv, int head, int s) {
        return (long) row(layer, kv, head, s) * headDim * dtype.bytes;
    }

    /** Byte offset in an int8 page of that row's f32 scale. */
    public long scaleOffset(int layer, int kv, int head, int s) {
        return dataBytes + (long) row(layer, kv, head, s) * Float.BYTES;
    }

    /**
     * An upper bound on the L2 norm of every key row in the block (layer, head), kept so attention
     * can skip blocks that ALiBi pushes so far below the running maximum that they cannot change a
     * float sum. Only grows while the block is in use (rewrites and moves stay covered).
     */
    public float keyNorm(int block, int layer, int head) {
        return keyNorms[(block * layers + layer) * heads + head];
    }

    /** Raises the key norm bound of a block (used when rows arrive by copy, e.g. from a saved cache). */
    public void raiseKeyNorm(int block, int layer, int head, float norm) {
        int i = (block * layers + layer) * heads + head;
        keyNorms[i] = Math.max(keyNorms[i], norm);
    }

    /** Sets the key norm bounds of a block from its first n rows (after rows were copied in raw). */
    public void measureKeyNorms(int block, int n) {
        float[] rows = new float[n * headDim];
        for (int l = 0; l < layers; l++)
            for (int h = 0; h < heads; h++) {
                readRows(block, l, 0, h, 0, n, rows);
                for (int j = 0; j < n; j++) raiseKeyNorm(block, l, h, boundOf(rows, j * headDim, headDim));
            }
    }

    /** Stores head_dim floats src[off..] as slot s's row, converting to the page dtype. */
    public void writeRow(int block, int layer, int kv, int head, int s, float[] src, int off) {
        versions[block]++;
        if (kv == 0) raiseKeyNorm(block, layer, head, boundOf(src, off, headDim));
        MemorySegment seg = blocks[block];
        long at = rowOffset(layer, kv, head, s);
        if (dtype == KvDType.INT8) {
            seg.set(
                    ValueLayout.JAVA_FLOAT_UNALIGNED,
                    scaleOffset(layer, kv, head, s),
                    KvCodec.encodeInt8(src, off, headDim, seg, at));
        } else {
            KvCodec.encode(dtype, src, off, headDim, seg, at);
        }
    }

    /**
     * Reads the rows of slots [s0, s0 + n) of one layer, K or V, and head into dst[0, n · head_dim)
     * as f32.
     */
    public void readRows(int block, int layer, int kv, int head, int s0, int n, float[] dst) {
        MemorySegment seg = blocks[block];
        long at = rowOffset(layer, kv, head, s0);
        if (dtype == KvDType.INT8) {
            long sc = scaleOffset(layer, kv, head, s0);
            for (int j = 0; j < n; j++) {
                float scale = seg.get(ValueLayout.JAVA_FLOAT_UNALIGNED, sc + 4L * j);
                KvCodec.decodeInt8(seg, at + (long) j * headDim, headDim, scale, dst, j * headDim);
            }
        } else {
            KvCodec.decode(dtype, seg, at, n * headDim, dst, 0);
        }
    }

    /**
     * |x| with room for rounding of the norm itself and of the stored dtype (an int8 row may grow by
     * up to sqrt(head_dim)/254 of its largest element; bf16 by 2^-9 relative).
     */
    static float boundOf(float[] x, int off, int n) {
        double ss = 0, amax = 0;
        for (int i = 0; i < n; i++) {
            ss += (double) x[off + i] * x[off + i];
            amax = Math.max(amax, Math.abs(x[off + i]));
        }
        return (float) ((Math.sqrt(ss) * 1.01 + Math.sqrt(n) * amax / 200) * 1.001);
    }

    /**
     * Copies slots [fromS, fromS + n) of one block to [toS, toS + n) of another (or the same) block,
     * every layer, K and V, head and scale. Overlapping ranges are safe (memmove semantics).
     */
    public void copySlots(int fromBlock, int fromS, int toBlock, int toS, int n) {
        if (n <= 0) return;
        MemorySegment src = blocks[fromBlock], dst = blocks[toBlock];
        versions[toBlock]++;
        long rowBytes = (long) headDim * dtype.bytes;
        for (int l = 0; l < layers; l++)
            for (int h = 0; h < heads; h++) raiseKeyNorm(toBlock, l, h, keyNorm(fromBlock, l, h));
        for (int l = 0; l < layers; l++)
            for (int kv = 0; kv < 2; kv++)
                for (int h = 0; h < heads; h++) {
                    MemorySegment.copy(src, rowOffset(l, kv, h, fromS), dst, rowOffset(l, kv, h, toS), n * rowBytes);
                    if (dtype == KvDType.INT8)
                        MemorySegment.copy(src, scaleOffset(l, kv, h, fromS), dst, scaleOffset(l, kv, h, toS), 4L * n);
                }
    }

    /** Frees every page; caches of this pool must not be used afterwards. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }
}
