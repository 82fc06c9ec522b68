package org.longform.engine.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSynchronize;

import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;
import org.longform.engine.SystemOptions;
import org.longform.engine.kv.KvPool;
import org.longform.engine.model.Config;
import org.longform.engine.model.Model;
import org.longform.engine.model.Weights;
import org.longform.engine.runtime.ContextFullException;
import org.longform.engine.runtime.DeviceSession;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.runtime.Session;

/**
 * {@link Session} on the GPU: the same public API and semantics (chunked feeding, logits per
 * position or only the last, prefix reuse by {@link #sync}, eviction without recomputation,
 * context-full refusals, cancellation between chunks), with weights, KV cache and activations in
 * device memory. Only token ids go up and only logits come back.
 *
 * <p>Chunks are pipelined: chunk i+1 is enqueued before waiting for chunk i, so the host's
 * kernel launches overlap the GPU's work; progress is reported as chunks are enqueued. Not
 * thread-safe, like Session; any thread may drive it (the context is made current per call).
 */
public final class CudaSession implements DeviceSession {
    private static final Logger LOG = Logger.getLogger(CudaSession.class.getName());
    /** Free memory left to the driver, cuBLAS-free kernels and other processes. */
    static final long MARGIN = 512L << 20;

    private final Model model;
    private final Config config;
    private final EngineOptions options;
    private final CudaRuntime rt;
    private final DeviceArena arena = new DeviceArena();
    private final DeviceModel weights;
    private final CudaTransformer tf;
    private final PageTable pages;
    private final float[] last;
    private float[] rows; // chunk x vocab, allocated on the first feed that wants every row
    private int[] tokens = new int[256];
    private int recomputed;

    /** Opens a session for a loaded model; {@link CudaUnavailableException} says why the GPU cannot take it. */
    public static CudaSession open(Model model, EngineOptions options) {
        return open(model, options, precisionSetting());
    }

    /** With an explicit precision: "auto", "exact" or "fast" (see {@link Precision}). */
    public static CudaSession open(Model model, EngineOptions options, String precision) {
        return new CudaSession(model, model.config(), model.weights(), options, precision);
    }

    /** For weights built in memory (benchmarks): no model folder. */
    public static CudaSession open(Config config, Weights weights, EngineOptions options, String precision) {
        return new CudaSession(null, config, weights, options, precision);
    }

    /** {@code -Dlongform.cuda.precision}, default auto. */
    static String precisionSetting() {
        return SystemOptions.cudaPrecision();
    }

    private CudaSession(Model model, Config c, Weights w, EngineOptions options, String precision) {
        this.model = model;
        this.config = c;
        this.options = options;
        int d = c.dModel(), hd = c.headDim();
        if (d % 8 != 0 || hd % 8 != 0 || hd > Launch.ATT_MAX_HD) {
            throw new CudaUnavailableException("d_model " + d + " / head size " + hd
                    + " is not supported on the GPU (needs multiples of 8, head size <= 256)");
        }
        this.rt = CudaRuntime.get();
        rt.makeCurrent();
        DeviceModel dm = null;
        CudaTransformer t = null;
        try {
            dm = new DeviceModel(c, w, rt, arena);
            int bs = options.blockSize(), chunk = options.chunkSize();
            long f32PerToken = 2L * c.nLayers() * d * 4;
            // a budget means a window in tokens, priced in the CPU cache's dtype (what --kv-budget-mb with
            // --kv-dtype and the editor's window setting ask for); the device stores those tokens in its own form
            long window = options.kvBudgetBytes() > 0
                    ? Math.max(1, options.kvBudgetBytes() / KvPool.bytesPerToken(c, options.kvDType()))
                    : Session.DEFAULT_WINDOW;
            long free = rt.freeBytes() - MARGIN - activationBytes(c, chunk);
            Precision p = Precision.resolve(precision, window, f32PerToken, free);
            long pageBytes = CudaTransformer.pageElems(c, bs) * p.kvBytes();
            int wantPages = Launch.ceilDiv(Math.max(window, bs), bs);
            int fitPages = (int) Math.min(Integer.MAX_VALUE, Math.max(0, free) / pageBytes);
            int maxPages = Math.min(wantPages, fitPages);
            if (maxPages < 1) {
                throw new CudaUnavailableException("no room for the KV cache: " + Cu.gib(Math.max(0, free))
                        + " free after weights and activations, a page of " + bs + " tokens takes "
                        + Cu.mib(pageBytes));
            }
            int capacity = (int) Math.min(Integer.MAX_VALUE - 8, (long) maxPages * bs);
            t = new CudaTransformer(rt, c, dm, p, chunk, bs, maxPages, capacity, arena);
            Cu.check(cuCtxSynchronize(), "uploading the model"); // setup copies ran on the legacy stream
            this.pages = new PageTable(bs, maxPages);
            LOG.info(String.format(
                    "cuda session: %s, precision %s (%s KV cache), %d tokens in %d pages%s, %s on the device",
                    rt.info.name(),
                    p.name(),
                    p.kvDType(),
                    capacity,
                    maxPages,
                    maxPages < wantPages ? " (limited by free memory)" : "",
                    Cu.gib(arena.bytes())));
        } catch (RuntimeException e) {
            if (t != null) t.close();
            if (dm != null) dm.close();
            arena.close();
            if (e instanceof Cu.Error ce && ce.rc == Cu.OUT_OF_MEMORY)
                throw new CudaUnavailableException(ce.getMessage(), ce);
            throw e;
        }
        this.weights = dm;
        this.tf = t;
        this.last = new float[c.vocabSize()];
    }

    /** Device bytes of the per-chunk buffers (to size the KV cache from what is left). */
    static long activationBytes(Config c, int chunk) {
        long d = c.dModel(), ff = c.dFf();
        return 4L * chunk * (6 * d + ff + c.vocabSize())
                + 2L * 3 * chunk * ff
                + 4L * Launch.attnScratchFloats((int) Session.DEFAULT_WINDOW, chunk, c.nHeads(), c.headDim());
    }

    public Model model() {
        return model;
    }

    public Config config() {
        return config;
    }

    public EngineOptions options() {
        return options;
    }

    /** Tokens the device cache holds (as Session.capacity()). */
    @Override
    public int capacity() {
        return pages.capacityTokens();
    }

    @Override
    public int length() {
        return pages.length();
    }

    @Override
    public int[] tokens() {
        return Arrays.copyOf(tokens, pages.length());
    }

    @Override
    public float[] lastLogits() {
        return last;
    }

    @Override
    public int lastRecomputed() {
        return recomputed;
    }

    /** "exact" or "fast" (see {@link Precision}). */
    public String precision() {
        return tf.precision.name();
    }

    @Override
    public String describe() {
        return rt.info.describe() + ", precision " + tf.precision.name() + " (" + kvDType() + " KV), " + capacity()
                + "-token cache" + (tf.flash() ? ", tensor-core prefill attention" : "");
    }

    public float[] feed(int... ids) {
        return feed(ids, 0, ids.length, null, null, null);
    }

    /** As {@link Session#feed(int[], int, int, Session.LogitsConsumer, Session.Progress, BooleanSupplier)}. */
    @Override
    public float[] feed(
            int[] ids,
            int from,
            int to,
            Session.LogitsConsumer each,
            Session.Progress progress,
            BooleanSupplier cancelled) {
        int total = to - from;
        if (total <= 0) throw new IllegalArgumentException("nothing to feed");
        rt.makeCurrent();
        int V = config.vocabSize(), chunk = options.chunkSize();
        // Plan like the CPU loop: chunks run in order until one is refused (cache full, or a bad id),
        // and the refusal is thrown after the chunks before it are in the cache.
        RuntimeException refusal = null;
        int runnable = 0;
        int first = pages.length();
        for (int p = from; p < to; p += chunk) {
            int T = Math.min(chunk, to - p);
            if (!pages.fits(runnable + T)) {
                refusal = new ContextFullException("the KV cache holds " + pages.capacityTokens() + " tokens ("
                        + bytesPerToken() + " bytes per token) and " + (first + runnable) + " are in use; " + T
                        + " more do not fit");
                break;
            }
            String bad = checkIds(ids, p, T, V);
            if (bad != null) {
                refusal = new IllegalArgumentException(bad);
                break;
            }
            runnable += T;
        }
        if (runnable == 0) throw refusal;
        if (!pages.reserve(runnable)) throw new IllegalStateException("page reservation failed after planning");
        tf.uploadTable(pages.table(), pages.blocks());
        tf.uploadIds(ids, from, runnable);
        int done = 0, i = 0;
        boolean wasCancelled = false;
        try {
            while (done < runnable) {
                if (cancelled != null && cancelled.getAsBoolean()) {
                    wasCancelled = true;
                    break;
                }
                int T = Math.min(chunk, runnable - done);
                int at = pages.length();
                tf.forward(done, at, T, each != null);
                pages.advance(T);
                remember(ids, from + done, T, at);
                done += T;
                if (each != null) {
                    tf.sync();
                    if (rows == null) rows = new float[Math.multiplyExact(chunk, V)];
                    tf.readLogits(rows, T);
                    for (int t = 0; t < T; t++) each.accept(at + t, rows, t * V);
                    System.arraycopy(rows, (T - 1) * V, last, 0, V);
                } else {
                    tf.mark(i);
                    if (i > 0) tf.await(i - 1); // at most two chunks in flight
                }
                i++;
                if (progress != null) progress.update(done, total);
            }
            tf.sync();
            if (each == null && done > 0) tf.readLogits(last, 1);
        } finally {
            pages.dropReserve();
        }
        if (wasCancelled) return null;
        if (refusal != null) throw refusal;
        return last;
    }

    private static String checkIds(int[] ids, int from, int T, int V) {
        for (int t = 0; t < T; t++) {
            int id = ids[from + t];
            if (id < 0 || id >= V) return "token id " + id + " is outside the vocabulary [0, " + V + ")";
        }
        return null;
    }

    /** As {@link Session#sync}: keeps the longest common prefix, recomputes the rest (at least the last token). */
    @Override
    public float[] sync(int[] prompt, Session.Progress progress, BooleanSupplier cancelled) {
        if (prompt.length == 0) throw new IllegalArgumentException("empty prompt");
        int n = pages.length(), common = 0;
        while (common < n && common < prompt.length && tokens[common] == prompt[common]) common++;
        if (common == prompt.length) common--;
        pages.truncate(common);
        recomputed = prompt.length - common;
        return feed(prompt, common, prompt.length, null, progress, cancelled);
    }

    /** As {@link Session#evict}: drops slots [start, end); survivors keep their K and V. */
    @Override
    public void evict(int start, int end) {
        rt.makeCurrent();
        int n = pages.length();
        tf.uploadTable(pages.table(), pages.blocks()); // the compaction reads the current table
        pages.evict(start, end, tf::compact);
        tf.sync();
        System.arraycopy(tokens, end, tokens, start, n - end);
    }

    @Override
    public void reset() {
        pages.truncate(0);
    }

    @Override
    public String kvDType() {
        return tf.precision.kvDType();
    }

    @Override
    public long kvBytesPerToken() {
        return bytesPerToken();
    }

    /** Bytes of K and V per token as the device stores them. */
    private long bytesPerToken() {
        return 2L * config.nLayers() * config.dModel() * tf.precision.kvBytes();
    }

    private void remember(int[] ids, int from, int T, int at) {
        if (at + T > tokens.length) tokens = Arrays.copyOf(tokens, Math.max(tokens.length * 2, at + T));
        System.arraycopy(ids, from, tokens, at, T);
    }

    @Override
    public void close() {
        rt.makeCurrent();
        tf.close();
        weights.close();
        arena.close();
    }
}
