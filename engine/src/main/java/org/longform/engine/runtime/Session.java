package org.longform.engine.runtime;

import org.longform.engine.kernels.Backend;
import org.longform.engine.kernels.Backends;
import org.longform.engine.kv.KvCache;
import org.longform.engine.kv.KvPool;
import org.longform.engine.model.Config;
import org.longform.engine.model.Model;

import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * One sequence being written: its KV cache, the token ids in it, and scratch state. Feeding runs
 * in chunks; {@link #sync} reuses the cached prefix of a new request and recomputes only the rest.
 * Not thread-safe: one caller at a time (the generator's worker thread).
 */
public final class Session implements AutoCloseable {
    @FunctionalInterface
    public interface LogitsConsumer {
        /** Logits of the token at cache slot {@code position}, in {@code row[offset, offset + vocab)}. */
        void accept(int position, float[] row, int offset);
    }

    @FunctionalInterface
    public interface Progress {
        void update(int done, int total);
    }

    /** ALiBi needs no position table: by default the window is StoryWriter's 84k, within half the heap (blocks are allocated lazily). */
    public static final long DEFAULT_WINDOW = 86_016;

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
    private int recomputed;

    public Session(Model model, EngineOptions options) {
        this.model = model;
        this.config = model.config();
        this.options = options;
        this.backend = Backends.create(options.backend(), options.threads());
        this.transformer = new Transformer(config, model.weights(), backend);
        long perToken = 2L * config.nLayers() * config.dModel() * Float.BYTES;
        long budget = options.kvBudgetBytes() > 0 ? options.kvBudgetBytes()
                : Math.min(DEFAULT_WINDOW * perToken, Runtime.getRuntime().maxMemory() / 2);
        this.pool = new KvPool(config, options.blockSize(), Math.max(budget, perToken * options.blockSize()));
        this.cache = new KvCache(pool);
        this.state = new State(config, options.chunkSize());
        this.last = new float[config.vocabSize()];
    }

    public Model model() { return model; }

    public Config config() { return config; }

    public Backend backend() { return backend; }

    public KvCache cache() { return cache; }

    public EngineOptions options() { return options; }

    /** Number of tokens in the cache. */
    public int length() { return cache.length(); }

    public int[] tokens() { return Arrays.copyOf(tokens, cache.length()); }

    /** Logits after the last fed token (valid after a feed). */
    public float[] lastLogits() { return last; }

    /** Tokens recomputed by the last {@link #sync}. */
    public int lastRecomputed() { return recomputed; }

    public float[] feed(int... ids) { return feed(ids, 0, ids.length, null, null, null); }

    /**
     * Appends ids[from, to) to the sequence in chunks. With a consumer, every position's logits are
     * computed and handed over; otherwise only the last one's. Returns the last logits; on
     * cancellation returns null after the chunk that was running (the cache stays consistent).
     */
    public float[] feed(int[] ids, int from, int to, LogitsConsumer each, Progress progress, BooleanSupplier cancelled) {
        int total = to - from;
        if (total <= 0) throw new IllegalArgumentException("nothing to feed");
        int V = config.vocabSize();
        for (int p = from; p < to; ) {
            if (cancelled != null && cancelled.getAsBoolean()) return null;
            int T = Math.min(options.chunkSize(), to - p);
            int first = cache.length();
            transformer.forward(state, cache, ids, p, T, each != null);
            remember(ids, p, T, first);
            if (each != null) {
                for (int t = 0; t < T; t++) each.accept(first + t, state.logits, t * V);
                System.arraycopy(state.logits, (T - 1) * V, last, 0, V);
            } else {
                System.arraycopy(state.logits, 0, last, 0, V);
            }
            p += T;
            if (progress != null) progress.update(p - from, total);
        }
        return last;
    }

    /**
     * Makes the cache hold exactly {@code prompt}: keeps the longest common prefix with what is
     * cached, drops the rest, feeds the remainder. At least the last token is always recomputed so
     * fresh logits exist. Returns the last logits (null if cancelled).
     */
    public float[] sync(int[] prompt, Progress progress, BooleanSupplier cancelled) {
        if (prompt.length == 0) throw new IllegalArgumentException("empty prompt");
        int n = cache.length(), common = 0;
        while (common < n && common < prompt.length && tokens[common] == prompt[common]) common++;
        if (common == prompt.length) common--;   // need logits for the last token
        cache.truncate(common);
        recomputed = prompt.length - common;
        return feed(prompt, common, prompt.length, null, progress, cancelled);
    }

    /** Drops cache slots [start, end); survivors keep their K and V (no recompute). */
    public void evict(int start, int end) {
        int n = cache.length();
        cache.evict(start, end);
        System.arraycopy(tokens, end, tokens, start, n - end);
    }

    /** Forgets everything cached. */
    public void reset() { cache.truncate(0); }

    private void remember(int[] ids, int from, int T, int at) {
        if (at + T > tokens.length) tokens = Arrays.copyOf(tokens, Math.max(tokens.length * 2, at + T));
        System.arraycopy(ids, from, tokens, at, T);
    }

    @Override
    public void close() {
        cache.close();
        backend.close();
    }
}
