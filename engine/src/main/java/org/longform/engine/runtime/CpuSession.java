package org.longform.engine.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import org.longform.engine.context.KvFile;
import org.longform.engine.context.KvStore;
import org.longform.engine.context.ModelIdentity;
import org.longform.engine.context.ReusePlan;
import org.longform.engine.kernels.Backend;
import org.longform.engine.kernels.Backends;
import org.longform.engine.kv.KvBudget;
import org.longform.engine.kv.KvCache;
import org.longform.engine.kv.KvPool;
import org.longform.engine.model.Config;
import org.longform.engine.model.Model;

/**
 * A {@link Session} whose KV cache lives in this process's memory (paged, see {@link KvCache}) and
 * whose forward pass runs on a {@link Backend} (vector, scalar, or CUDA per matrix product).
 * Feeding runs in chunks; {@link #sync} reuses the cached prefix of a new request and recomputes
 * only the rest (or, in {@link Reuse#APPROXIMATE} mode, also keeps the unchanged text after an edit).
 * Not thread-safe: one caller at a time (the generator's worker thread).
 */
public final class CpuSession implements Session {
    private final Model model;
    private final Config config;
    private final EngineOptions options;
    private final Backend backend;
    private final Transformer transformer;
    private final KvPool pool;
    private final KvCache cache;
    private final State state;
    private final float[] last;
    private int[] tokens = new int[256];
    private int recomputed, approximate;
    private int logitsAt = -1; // cache length whose last token's logits `clean` holds; -1: none
    private final float[] clean; // those logits, untouched (callers may change `last` in place while sampling)
    private int approximateFrom = -1; // first slot whose K and V were kept across an edit before it; -1: exact
    private byte[] identity;

    /** A CPU session with the backend {@code options} name (a CUDA backend then runs the matrix products only). */
    public CpuSession(Model model, EngineOptions options) {
        this(model, options, Backends.create(options.backend(), options.threads(), options.activations()));
    }

    /** A CPU session on {@code backend}, which it owns (closed with the session, or here if opening fails). */
    CpuSession(Model model, EngineOptions options, Backend backend) {
        this.model = model;
        this.config = model.config();
        this.options = options;
        this.backend = backend;
        try {
            long perToken = KvPool.bytesPerToken(config, options.kvDType());
            long weightBytes = model.weights().bytesPerToken();
            long budget = options.kvBudgetBytes() > 0
                    ? options.kvBudgetBytes()
                    : KvBudget.defaultBytes(perToken, weightBytes);
            KvBudget.checkAffordable(budget, perToken, options.kvDType());
            // weights and cache must fit together: refused here, with what fits, not as an OutOfMemoryError later
            KvBudget.checkFits(
                    KvBudget.physicalBytes(), weightBytes, options.kvBudgetBytes(), config, options.kvDType());
            this.pool = new KvPool(
                    config, options.blockSize(), Math.max(budget, perToken * options.blockSize()), options.kvDType());
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        this.cache = new KvCache(pool);
        this.transformer = new Transformer(config, model.weights(), backend);
        this.state = new State(config, options.chunkSize());
        this.last = new float[config.vocabSize()];
        this.clean = new float[config.vocabSize()];
    }

    public Model model() {
        return model;
    }

    public Config config() {
        return config;
    }

    public Backend backend() {
        return backend;
    }

    /** The paged KV cache in this process's memory. */
    public KvCache cache() {
        return cache;
    }

    @Override
    public boolean onDevice() {
        return false;
    }

    /** Tokens the KV cache holds: the largest window possible. */
    public int capacity() {
        return cache.capacity();
    }

    /** The KV element type in use, lower case. */
    public String kvDType() {
        return pool.dtype.label();
    }

    /** Bytes of K and V per cached token, where they are kept. */
    public long kvBytesPerToken() {
        return pool.bytesPerToken();
    }

    /** Where and in what form K and V are kept, for logs and the model panel. */
    public String describeKv() {
        return cache.describe();
    }

    public EngineOptions options() {
        return options;
    }

    /** Number of tokens in the cache. */
    public int length() {
        return cache.length();
    }

    public int[] tokens() {
        return Arrays.copyOf(tokens, cache.length());
    }

    /** Logits after the last fed token (valid after a feed). */
    public float[] lastLogits() {
        return last;
    }

    /** Tokens recomputed by the last {@link #sync}. */
    public int lastRecomputed() {
        return recomputed;
    }

    /** Tokens the last {@link #sync} kept after an edit although what precedes them changed (approximate mode). */
    public int lastApproximate() {
        return approximate;
    }

    /**
     * The first cache slot whose K and V are approximate: kept by an approximate {@link #sync}
     * although text before it changed (every later slot saw it, so is approximate too); -1 when the
     * cache is what a fresh prefill of {@link #tokens()} gives. A context shift ({@link #evict}) does
     * not count: reusing the survivors is the pinned-prefix semantics. {@link #repair} makes the
     * cache exact again.
     */
    public int approximateFrom() {
        return approximateFrom;
    }

    /** Throws a message naming bytes per token and what fits when {@code window} tokens cannot be cached. */
    public void checkWindow(int window) {
        if (window > pool.capacityTokens()) {
            throw new ContextFullException(KvBudget.windowMessage(window, pool));
        }
    }

    /**
     * Appends ids[from, to) to the sequence in chunks. With a consumer, every position's logits are
     * computed and handed over; otherwise only the last one's. Returns the last logits; on
     * cancellation returns null after the chunk that was running (the cache stays consistent).
     */
    public float[] feed(
            int[] ids, int from, int to, LogitsConsumer each, Progress progress, BooleanSupplier cancelled) {
        int total = to - from;
        if (total <= 0) throw new IllegalArgumentException("nothing to feed");
        int V = config.vocabSize();
        logitsAt = -1;
        for (int p = from; p < to; ) {
            if (cancelled != null && cancelled.getAsBoolean()) return null;
            int T = Math.min(options.chunkSize(), to - p);
            int first = cache.length();
            if (!cache.reserve(T)) throw new ContextFullException(KvBudget.fullMessage(first, T, pool));
            boolean lastChunk = p + T == to;
            transformer.forward(state, cache, ids, p, T, each != null, lastChunk);
            remember(ids, p, T, first);
            if (each != null) {
                for (int t = 0; t < T; t++) each.accept(first + t, state.logits, t * V);
                System.arraycopy(state.logits, (T - 1) * V, last, 0, V);
            } else if (lastChunk) {
                System.arraycopy(state.logits, 0, last, 0, V);
            }
            p += T;
            if (lastChunk) {
                System.arraycopy(last, 0, clean, 0, V);
                logitsAt = cache.length();
            }
            if (progress != null) progress.update(p - from, total);
        }
        return last;
    }

    /** {@link #sync(int[], Progress, BooleanSupplier)} with a choice of what to do after an edit. */
    public float[] sync(int[] prompt, Reuse reuse, Progress progress, BooleanSupplier cancelled) {
        if (prompt.length == 0) throw new IllegalArgumentException("empty prompt");
        approximate = 0;
        if (reuse == Reuse.APPROXIMATE) {
            ReusePlan plan = ReusePlan.find(tokens, cache.length(), prompt, MIN_APPROXIMATE_TAIL);
            if (plan != null) return syncApproximate(prompt, plan, progress, cancelled);
        }
        int n = cache.length(), common = ReusePlan.commonPrefix(tokens, n, prompt);
        if (common == prompt.length && n == prompt.length && logitsAt == n) {
            recomputed = 0; // cached to the end with its logits (a warmed prompt): nothing to compute
            System.arraycopy(clean, 0, last, 0, last.length);
            return last;
        }
        if (common == prompt.length) common--; // need logits for the last token
        cache.truncate(common);
        if (approximateFrom >= common) approximateFrom = -1; // the approximate slots are recomputed
        recomputed = prompt.length - common;
        return feed(prompt, common, prompt.length, null, progress, cancelled);
    }

    /** Cache A E B... becomes A E' B: E' is computed in place, B's K and V stay (see {@link Reuse#APPROXIMATE}). */
    private float[] syncApproximate(int[] prompt, ReusePlan plan, Progress progress, BooleanSupplier cancelled) {
        int p = plan.prefix(), edited = plan.editedLength(), tail = plan.tailLength();
        int keptApproximate = approximateFrom < p ? approximateFrom : -1; // one in A stays
        cache.truncate(plan.tailEnd());
        if (!cache.resizeSpan(p, plan.tailStart(), edited)) { // no room for a longer E': recompute instead
            return sync(prompt, Reuse.EXACT, progress, cancelled);
        }
        int resume = plan.promptResume();
        ensureTokens(resume);
        System.arraycopy(prompt, 0, tokens, 0, resume); // A E' B as the cache now holds (E' slots still to fill)
        int rest = prompt.length - resume;
        boolean recomputeLast = rest == 0;
        recomputed = edited + (recomputeLast ? 1 : rest);
        approximate = tail - (recomputeLast ? 1 : 0);
        int total = recomputed;
        if (edited > 0) {
            cache.overwrite(p, p + edited);
            float[] r = feed(prompt, p, p + edited, null, shifted(progress, 0, total), cancelled);
            if (r == null) {
                cache.abandonOverwrite();
                approximateFrom = keptApproximate;
                return null;
            }
            cache.endOverwrite();
        }
        approximateFrom = keptApproximate >= 0 ? keptApproximate : p + edited; // B saw E, not E'
        if (recomputeLast) {
            cache.truncate(prompt.length - 1);
            return feed(prompt, prompt.length - 1, prompt.length, null, shifted(progress, edited, total), cancelled);
        }
        return feed(prompt, resume, prompt.length, null, shifted(progress, edited, total), cancelled);
    }

    private static Progress shifted(Progress p, int before, int total) {
        return p == null ? null : (done, t) -> p.update(before + done, total);
    }

    /** Drops cache slots [start, end); survivors keep their K and V (no recompute). */
    public void evict(int start, int end) {
        logitsAt = -1;
        int n = cache.length();
        cache.evict(start, end);
        System.arraycopy(tokens, end, tokens, start, n - end);
        if (approximateFrom >= end) approximateFrom -= end - start;
        else if (approximateFrom >= start) approximateFrom = start; // what followed the span saw it
        if (approximateFrom >= cache.length()) approximateFrom = -1;
    }

    /**
     * Recomputes the approximate slots ({@link #approximateFrom} on) in place, chunk by chunk, each
     * chunk seeing only the exact slots before it: when it returns true the cache (and the last
     * logits) are what a fresh prefill gives. Cancelled between chunks it returns false: the slots
     * rewritten so far are exact, the rest keep their approximate K and V (the sequence stays
     * usable, its last logits the approximate ones), and a later call resumes where this stopped.
     */
    public boolean repair(Progress progress, BooleanSupplier cancelled) {
        if (approximateFrom < 0) return true;
        int n = cache.length(), from = approximateFrom;
        int[] ids = Arrays.copyOf(tokens, n);
        while (approximateFrom >= 0) {
            if (cancelled != null && cancelled.getAsBoolean()) return false;
            int at = approximateFrom, T = Math.min(options.chunkSize(), n - at);
            boolean lastChunk = at + T == n;
            cache.overwrite(at, at + T);
            try {
                transformer.forward(state, cache, ids, at, T, false, lastChunk);
            } catch (RuntimeException e) {
                cache.abandonOverwrite(); // keeps the exact slots before the chunk
                approximateFrom = -1;
                logitsAt = -1;
                throw e;
            }
            cache.endOverwrite();
            if (lastChunk) {
                System.arraycopy(state.logits, 0, last, 0, config.vocabSize());
                System.arraycopy(last, 0, clean, 0, config.vocabSize());
                logitsAt = n;
            }
            approximateFrom = lastChunk ? -1 : at + T;
            if (progress != null) progress.update(at + T - from, n - from);
        }
        return true;
    }

    /** Forgets everything cached. */
    public void reset() {
        logitsAt = -1;
        cache.truncate(0);
        approximateFrom = -1;
    }

    /** The fingerprint of this session's model that saved caches carry (computed once). */
    public byte[] modelIdentity() {
        if (identity == null) identity = ModelIdentity.of(model.dir());
        return identity.clone();
    }

    /**
     * Saves the cache with its token ids, the model's identity and the KV dtype (see {@link KvFile}),
     * e.g. to {@link KvFile#beside} the story file.
     */
    public void saveKv(Path file) throws IOException {
        KvFile.save(file, modelIdentity(), cache, tokens(), approximateFrom);
    }

    /**
     * Saves the cache to an incremental store: only pages written since the last save or restore
     * through {@code store} are written (see {@link KvStore}); cheap enough between prefill chunks.
     */
    public KvStore.Stats saveKv(KvStore store) throws IOException {
        return store.save(modelIdentity(), cache, tokens(), approximateFrom);
    }

    /**
     * Restores a cache saved by {@link #saveKv(KvStore)}, keeping the part that matches
     * {@code prompt}'s prefix (all of it if null), with its approximate slots if any. A missing,
     * foreign, stale or damaged store is not used (the reason says why): the cache is then as it
     * was, or empty if a damaged page was found while reading.
     */
    public KvFile.Restore loadKv(KvStore store, int[] prompt) {
        logitsAt = -1;
        return restored(store.restore(modelIdentity(), cache, prompt));
    }

    private KvFile.Restore restored(KvFile.Restore r) {
        if (r.used()) {
            ensureTokens(r.tokens());
            System.arraycopy(r.ids(), 0, tokens, 0, r.tokens());
            approximateFrom = r.approximateFrom();
        } else if (approximateFrom >= cache.length()) {
            approximateFrom = -1; // a damaged save emptied the cache
        }
        return r;
    }

    /**
     * Restores a cache saved by {@link #saveKv}, keeping the part that matches {@code prompt}'s
     * prefix (all of it if prompt is null). A cache from another model, weights or dtype, or a
     * damaged file, is not used: nothing changes and the caller simply recomputes.
     */
    public KvFile.Restore loadKv(Path file, int[] prompt) {
        logitsAt = -1;
        return restored(KvFile.restore(file, modelIdentity(), cache, prompt));
    }

    private void remember(int[] ids, int from, int T, int at) {
        ensureTokens(at + T);
        System.arraycopy(ids, from, tokens, at, T);
    }

    private void ensureTokens(int n) {
        if (n > tokens.length) tokens = Arrays.copyOf(tokens, Math.max(tokens.length * 2, n));
    }

    @Override
    public void close() {
        cache.close();
        pool.close();
        backend.close();
    }
}
