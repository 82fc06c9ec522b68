package org.longform.engine.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.longform.engine.context.KvFile;
import org.longform.engine.context.KvStore;
import org.longform.engine.kernels.Backend;
import org.longform.engine.kernels.Backends;
import org.longform.engine.kernels.TimedBackend;
import org.longform.engine.kv.KvBudget;
import org.longform.engine.model.Config;
import org.longform.engine.model.Model;

/**
 * One sequence being written: its KV cache, the token ids in it, and scratch state. Feeding runs
 * in chunks; {@link #sync} reuses the cached prefix of a new request and recomputes only the rest
 * (or, in {@link Reuse#APPROXIMATE} mode, also keeps the unchanged text after an edit).
 * {@link #open} picks the implementation: a {@link DeviceSession} (CUDA: weights, cache and
 * activations on the GPU) when the backend offers one, else a {@link CpuSession}; callers
 * (generator, editor, CLI, server) never know which one runs.
 * Not thread-safe: one caller at a time (the generator's worker thread).
 */
public interface Session extends Sequence, AutoCloseable {
    /** How {@link #sync} treats cached tokens after the first difference. */
    enum Reuse {
        /** Recompute everything from the first differing token: logits exactly as a fresh run. */
        EXACT,
        /**
         * Recompute the edited span only and keep the K and V of the unchanged text after it,
         * although they were computed with the old span in view (the same approximation a context
         * shift makes). Much faster after an edit early in a long story; off by default.
         */
        APPROXIMATE
    }

    /** Tokens an approximate reuse must keep at least to be worth it (below that, recompute). */
    int MIN_APPROXIMATE_TAIL = 32;

    /**
     * ALiBi needs no position table: by default the window is StoryWriter's 84k, within half the
     * physical memory (pages are allocated lazily).
     */
    long DEFAULT_WINDOW = KvBudget.DEFAULT_WINDOW;

    /** A session for {@code model} on the backend {@code options} name: on the device when it offers one. */
    static Session open(Model model, EngineOptions options) {
        return open(model, options, UnaryOperator.identity());
    }

    /** As above, with the backend passed through {@code wrap} (a {@link TimedBackend} for profiles). */
    static Session open(Model model, EngineOptions options, UnaryOperator<Backend> wrap) {
        Backend backend = wrap.apply(Backends.create(options.backend(), options.threads(), options.activations()));
        DeviceSession device;
        try {
            // A backend that runs the whole model on its device (CUDA) gets every sequence operation.
            device = backend instanceof DeviceSession.Factory f ? f.openSession(model, options) : null;
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        return device != null
                ? new OnDeviceSession(model, options, backend, device)
                : new CpuSession(model, options, backend);
    }

    Model model();

    Config config();

    EngineOptions options();

    /** The backend the session was opened with (its name goes in logs and benchmark reports). */
    Backend backend();

    /** True when the whole model runs in a {@link DeviceSession} (weights, KV and activations on the GPU). */
    boolean onDevice();

    /** Where and in what form K and V are kept, for logs and the model panel. */
    String describeKv();

    /** Tokens per KV block: context shifts drop whole blocks. */
    default int blockSize() {
        return options().blockSize();
    }

    /** Tokens the last {@link #sync} kept after an edit although what precedes them changed (approximate mode). */
    int lastApproximate();

    /**
     * The first cache slot whose K and V are approximate: kept by an approximate {@link #sync}
     * although text before it changed (every later slot saw it, so is approximate too); -1 when the
     * cache is what a fresh prefill of {@link #tokens()} gives. A context shift ({@link #evict}) does
     * not count: reusing the survivors is the pinned-prefix semantics. {@link #repair} makes the
     * cache exact again.
     */
    int approximateFrom();

    /** Throws a message naming bytes per token and what fits when {@code window} tokens cannot be cached. */
    void checkWindow(int window);

    /** Exact reuse: everything from the first differing token is recomputed. */
    @Override
    default float[] sync(int[] prompt, Progress progress, BooleanSupplier cancelled) {
        return sync(prompt, Reuse.EXACT, progress, cancelled);
    }

    /** {@link #sync(int[], Progress, BooleanSupplier)} with a choice of what to do after an edit. */
    float[] sync(int[] prompt, Reuse reuse, Progress progress, BooleanSupplier cancelled);

    /**
     * Recomputes the approximate slots ({@link #approximateFrom} on) in place, chunk by chunk, each
     * chunk seeing only the exact slots before it: when it returns true the cache (and the last
     * logits) are what a fresh prefill gives. Cancelled between chunks it returns false: the slots
     * rewritten so far are exact, the rest keep their approximate K and V (the sequence stays
     * usable, its last logits the approximate ones), and a later call resumes where this stopped.
     */
    boolean repair(Progress progress, BooleanSupplier cancelled);

    /** The fingerprint of this session's model that saved caches carry (computed once). */
    byte[] modelIdentity();

    /**
     * Saves the cache with its token ids, the model's identity and the KV dtype (see {@link KvFile}),
     * e.g. to {@link KvFile#beside} the story file.
     */
    void saveKv(Path file) throws IOException;

    /**
     * Saves the cache to an incremental store: only pages written since the last save or restore
     * through {@code store} are written (see {@link KvStore}); cheap enough between prefill chunks.
     */
    KvStore.Stats saveKv(KvStore store) throws IOException;

    /**
     * Restores a cache saved by {@link #saveKv(KvStore)}, keeping the part that matches
     * {@code prompt}'s prefix (all of it if null), with its approximate slots if any. A missing,
     * foreign, stale or damaged store is not used (the reason says why): the cache is then as it
     * was, or empty if a damaged page was found while reading.
     */
    KvFile.Restore loadKv(KvStore store, int[] prompt);

    /**
     * Restores a cache saved by {@link #saveKv}, keeping the part that matches {@code prompt}'s
     * prefix (all of it if prompt is null). A cache from another model, weights or dtype, or a
     * damaged file, is not used: nothing changes and the caller simply recomputes.
     */
    KvFile.Restore loadKv(Path file, int[] prompt);

    /** {@link #loadKv(Path, int[])} of the whole saved cache; true if it was used. */
    default boolean loadKv(Path file) {
        return loadKv(file, null).used();
    }

    @Override
    void close();
}
