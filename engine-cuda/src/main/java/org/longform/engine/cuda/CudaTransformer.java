package org.longform.engine.cuda;

import static jcuda.driver.JCudaDriver.*;

import java.nio.ByteOrder;
import java.nio.IntBuffer;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;
import org.longform.engine.kernels.Alibi;
import org.longform.engine.model.Config;

/**
 * The MPT forward pass on the device for one sequence: activation buffers for chunks of up to
 * maxChunk tokens, the paged KV pool, attention scratch, all allocated here once. {@link #forward}
 * only enqueues kernels on the sequence's stream (the host runs ahead of the GPU); uploads go
 * through pinned buffers on the same stream, so ordering needs no host waits. Callers keep the
 * stream idle whenever they rewrite the pinned buffers (every session call ends with a sync).
 */
final class CudaTransformer implements AutoCloseable {
    static final int EPI_STORE = 0, EPI_ADD = 1, EPI_GELU = 2;

    private final CudaRuntime rt;
    private final Config c;
    private final DeviceModel m;
    final Precision precision;
    final int maxChunk, blockSize, maxPages;
    final long pageElems;
    private final long scratchFloats;
    private final boolean flashOk;
    private final CUstream stream = new CUstream();
    private final CUdeviceptr x, xb, qkv, att, hb, planes, logits, part, ids, table, slopes, pool;
    private final Pointer hostIds = new Pointer(), hostTable = new Pointer();
    private final IntBuffer hostIdsBuf, hostTableBuf;
    private final CUevent[] events = {new CUevent(), new CUevent()};
    private int made; // 1 stream, 2-3 events, 4-5 pinned buffers: what close() must undo

    CudaTransformer(
            CudaRuntime rt,
            Config c,
            DeviceModel m,
            Precision p,
            int maxChunk,
            int blockSize,
            int maxPages,
            int idsCapacity,
            DeviceArena arena) {
        this.rt = rt;
        this.c = c;
        this.m = m;
        this.precision = p;
        this.maxChunk = maxChunk;
        this.blockSize = blockSize;
        this.maxPages = maxPages;
        int d = c.dModel(), ff = c.dFf(), H = c.nHeads(), hd = c.headDim(), V = c.vocabSize();
        this.pageElems = pageElems(c, blockSize);
        int capacity = (int) Math.min(Integer.MAX_VALUE, (long) maxPages * blockSize);
        this.scratchFloats = Launch.attnScratchFloats(capacity, maxChunk, H, hd);
        this.flashOk = p.bf16Cache() && hd % 16 == 0 && Launch.flashSmem(hd) <= rt.smemOptin;
        if (flashOk) rt.allowSmem(Kernel.ATTN_PREFILL_BF16, Launch.flashSmem(hd));
        Cu.check(cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
        made = 1;
        try {
            for (CUevent e : events) {
                Cu.check(cuEventCreate(e, CUevent_flags.CU_EVENT_DISABLE_TIMING), "cuEventCreate");
                made++;
            }
            long F = Float.BYTES;
            x = arena.alloc(F * maxChunk * d, "activations");
            xb = arena.alloc(F * maxChunk * d, "activations");
            qkv = arena.alloc(F * maxChunk * 3 * d, "q/k/v");
            att = arena.alloc(F * maxChunk * d, "attention output");
            hb = arena.alloc(F * maxChunk * ff, "MLP hidden");
            planes = arena.alloc(2L * p.gemmTerms() * maxChunk * ff, "bf16 GEMM planes");
            logits = arena.alloc(F * maxChunk * V, "logits");
            part = arena.alloc(F * scratchFloats, "attention partials");
            ids = arena.alloc(4L * idsCapacity, "token ids");
            table = arena.alloc(4L * maxPages, "page table");
            slopes = DeviceModel.floats(arena, Alibi.slopes(H, c.alibiBiasMax()), "ALiBi slopes");
            pool = arena.alloc(
                    pageElems * p.kvBytes() * maxPages,
                    "KV cache (" + maxPages + " pages of " + blockSize + " tokens)");
            Cu.check(cuMemAllocHost(hostIds, 4L * idsCapacity), "cuMemAllocHost(ids)");
            made++;
            Cu.check(cuMemAllocHost(hostTable, 4L * maxPages), "cuMemAllocHost(table)");
            made++;
        } catch (RuntimeException e) {
            close(); // the arena's device memory is the caller's to free
            throw e;
        }
        hostIdsBuf = hostIds.getByteBuffer(0, 4L * idsCapacity)
                .order(ByteOrder.nativeOrder())
                .asIntBuffer();
        hostTableBuf = hostTable
                .getByteBuffer(0, 4L * maxPages)
                .order(ByteOrder.nativeOrder())
                .asIntBuffer();
    }

    /** Elements of one page: blockSize slots of K and V for every layer and head. */
    static long pageElems(Config c, int blockSize) {
        return 2L * c.nLayers() * c.dModel() * blockSize;
    }

    boolean flash() {
        return flashOk;
    }

    /** ids[from, from + n) into device ids[0, n). Stream must be idle (the pinned buffer is reused). */
    void uploadIds(int[] src, int from, int n) {
        hostIdsBuf.clear();
        hostIdsBuf.put(src, from, n);
        Cu.check(cuMemcpyHtoDAsync(ids, hostIds, 4L * n, stream), "uploading token ids");
    }

    /** The first n entries of the page table. Stream must be idle. */
    void uploadTable(int[] t, int n) {
        if (n == 0) return;
        hostTableBuf.clear();
        hostTableBuf.put(t, 0, n);
        Cu.check(cuMemcpyHtoDAsync(table, hostTable, 4L * n, stream), "uploading the page table");
    }

    /**
     * Enqueues T tokens (device ids[idsOff, idsOff + T)) at cache slots [past, past + T), whose
     * pages the uploaded table already holds. Logits: every row when allRows, else the last one in row 0.
     */
    void forward(int idsOff, int past, int T, boolean allRows) {
        int d = c.dModel(), ff = c.dFf(), V = c.vocabSize();
        rt.launch(
                new Args(Kernel.EMBED_BF16)
                        .ptr(ids.withByteOffset(4L * idsOff))
                        .ptr(m.wte)
                        .ptr(x)
                        .i(d),
                T,
                1,
                1,
                256,
                0,
                stream);
        for (int l = 0; l < c.nLayers(); l++) {
            layerNorm(x, m.norm1[l], xb, T);
            matmul(m.wqkv[l], xb, T, qkv, 3 * d, d, EPI_STORE, 1f);
            qkvPost(l, past, T);
            attention(l, past, T);
            matmul(m.outProj[l], att, T, x, d, d, EPI_ADD, 1f);
            layerNorm(x, m.norm2[l], xb, T);
            matmul(m.up[l], xb, T, hb, ff, d, EPI_GELU, 1f);
            matmul(m.down[l], hb, T, x, d, ff, EPI_ADD, 1f);
        }
        if (allRows) {
            layerNorm(x, m.normF, xb, T);
            matmul(m.wte, xb, T, logits, V, d, EPI_STORE, c.logitScale());
        } else {
            layerNorm(x.withByteOffset(4L * (T - 1) * d), m.normF, xb, 1);
            matmul(m.wte, xb, 1, logits, V, d, EPI_STORE, c.logitScale());
        }
    }

    private void layerNorm(CUdeviceptr in, CUdeviceptr w, CUdeviceptr out, int rows) {
        rt.launch(
                new Args(Kernel.LAYERNORM).ptr(in).ptr(w).ptr(out).i(c.dModel()).f(c.normEps()),
                rows,
                1,
                1,
                256,
                0,
                stream);
    }

    /** out[T, N] (mode) W[N, K] . in[T, K]: GEMV for decode-sized T, split + tensor-core GEMM above. */
    void matmul(CUdeviceptr w, CUdeviceptr in, int T, CUdeviceptr out, int N, int K, int mode, float alpha) {
        matmul(rt, stream, planes, precision.gemmTerms(), w, in, T, out, N, K, mode, alpha);
    }

    static void matmul(
            CudaRuntime rt,
            CUstream s,
            CUdeviceptr planes,
            int terms,
            CUdeviceptr w,
            CUdeviceptr in,
            int T,
            CUdeviceptr out,
            int N,
            int K,
            int mode,
            float alpha) {
        if (Launch.useGemv(T)) {
            rt.launch(
                    new Args(Kernel.GEMV_BF16)
                            .ptr(w)
                            .ptr(in)
                            .ptr(out)
                            .i(N)
                            .i(K)
                            .i(T)
                            .i(mode)
                            .f(alpha),
                    Launch.gemvBlocks(N),
                    1,
                    1,
                    Launch.GEMV_WARPS * 32,
                    0,
                    s);
            return;
        }
        long n = (long) T * K;
        rt.launch(
                new Args(Kernel.SPLIT_BF16).ptr(in).ptr(planes).l(n).i(terms), Launch.splitBlocks(n), 1, 1, 256, 0, s);
        int[] g = Launch.gemmGrid(T, N);
        rt.launch(
                new Args(Kernel.GEMM_BF16)
                        .ptr(planes)
                        .ptr(w)
                        .ptr(out)
                        .i(T)
                        .i(N)
                        .i(K)
                        .i(terms)
                        .i(mode)
                        .f(alpha),
                g[0],
                g[1],
                1,
                Launch.GEMM_THREADS,
                Launch.gemmSmem(terms),
                s);
    }

    private void qkvPost(int layer, int past, int T) {
        Kernel k = precision.bf16Cache() ? Kernel.QKV_POST_BF16 : Kernel.QKV_POST_F32;
        rt.launch(
                new Args(k)
                        .ptr(qkv)
                        .ptr(pool)
                        .ptr(table)
                        .i(c.nHeads())
                        .i(c.headDim())
                        .i(blockSize)
                        .i(layer)
                        .i(past)
                        .l(pageElems)
                        .f(c.clipQkv()),
                T,
                1,
                1,
                256,
                0,
                stream);
    }

    private void attention(int layer, int past, int T) {
        int H = c.nHeads(), hd = c.headDim();
        if (flashOk && Launch.useFlash(true, T, hd, rt.smemOptin)) {
            rt.launch(
                    new Args(Kernel.ATTN_PREFILL_BF16)
                            .ptr(qkv)
                            .ptr(pool)
                            .ptr(table)
                            .ptr(slopes)
                            .ptr(att)
                            .i(layer)
                            .i(H)
                            .i(hd)
                            .i(blockSize)
                            .i(past)
                            .i(T)
                            .f(c.softmaxScale())
                            .l(pageElems),
                    H,
                    Launch.ceilDiv(T, Launch.FA_BQ),
                    1,
                    128,
                    Launch.flashSmem(hd),
                    stream);
            return;
        }
        Launch.AttnSplit sp = Launch.attnSplit(past + T, T, H, hd, scratchFloats);
        Kernel k = precision.bf16Cache() ? Kernel.ATTN_PARTIAL_BF16 : Kernel.ATTN_PARTIAL_F32;
        rt.launch(
                new Args(k)
                        .ptr(qkv)
                        .ptr(pool)
                        .ptr(table)
                        .ptr(slopes)
                        .ptr(part)
                        .i(layer)
                        .i(H)
                        .i(hd)
                        .i(blockSize)
                        .i(past)
                        .i(sp.parts())
                        .i(sp.partLen())
                        .f(c.softmaxScale())
                        .l(pageElems),
                H,
                T,
                sp.parts(),
                Launch.ATT_THREADS,
                0,
                stream);
        rt.launch(new Args(Kernel.ATTN_REDUCE).ptr(part).ptr(att).i(H).i(hd).i(sp.parts()), H, T, 1, 128, 0, stream);
    }

    /** Enqueues the slot move of an unaligned eviction (the table on the device must be current). */
    void compact(int start, int end, int moved) {
        Kernel k = precision.bf16Cache() ? Kernel.KV_COMPACT_BF16 : Kernel.KV_COMPACT_F32;
        rt.launch(
                new Args(k)
                        .ptr(pool)
                        .ptr(table)
                        .i(c.nHeads())
                        .i(c.headDim())
                        .i(blockSize)
                        .l(pageElems)
                        .i(start)
                        .i(end)
                        .i(moved),
                c.nLayers() * 2 * c.nHeads(),
                1,
                1,
                128,
                0,
                stream);
    }

    /** Marks the end of chunk number i (two events alternate). */
    void mark(int i) {
        Cu.check(cuEventRecord(events[i & 1], stream), "cuEventRecord");
    }

    /** Waits for the chunk marked i. */
    void await(int i) {
        Cu.check(cuEventSynchronize(events[i & 1]), "running the forward pass");
    }

    void sync() {
        Cu.check(cuStreamSynchronize(stream), "running the forward pass");
    }

    /** Copies the first rows * vocab logits (stream must be idle: call {@link #sync} first). */
    void readLogits(float[] dst, int rows) {
        long n = (long) rows * c.vocabSize();
        Cu.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(dst), logits, n * Float.BYTES), "reading logits");
    }

    CUstream stream() {
        return stream;
    }

    /** Safe on a half-built instance: only what was created is destroyed. */
    @Override
    public void close() {
        if (made == 0) return;
        cuStreamSynchronize(stream);
        if (made > 1) cuEventDestroy(events[0]);
        if (made > 2) cuEventDestroy(events[1]);
        if (made > 3) cuMemFreeHost(hostIds);
        if (made > 4) cuMemFreeHost(hostTable);
        cuStreamDestroy(stream);
        made = 0;
    }
}
