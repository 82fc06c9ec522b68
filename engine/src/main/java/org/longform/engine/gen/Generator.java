package org.longform.engine.gen;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.longform.engine.context.ContextMap;
import org.longform.engine.context.KvFile;
import org.longform.engine.context.ReusePlan;
import org.longform.engine.io.ModelFormatException;
import org.longform.engine.model.Model;
import org.longform.engine.quant.WeightType;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.runtime.Session;
import org.longform.engine.sample.Alternative;
import org.longform.engine.sample.Sampler;
import org.longform.engine.sample.SamplerSettings;
import org.longform.engine.sample.StopMatcher;
import org.longform.engine.token.TextStreamer;
import org.longform.engine.token.Tokenizer;

/**
 * Generates continuations: fits the prompt into the window, reuses the cached prefix (and shifts
 * past evicted middles without recomputation), samples, streams text, honours stop sequences,
 * banned phrases and cancellation. Not thread-safe: one worker thread drives it.
 */
public final class Generator implements AutoCloseable {
    private final Model model;
    private final Tokenizer tokenizer;
    private final Session session;
    private final boolean ownsModel;

    public Generator(Model model, Tokenizer tokenizer, EngineOptions options) {
        this(model, tokenizer, options, false);
    }

    private Generator(Model model, Tokenizer tokenizer, EngineOptions options, boolean ownsModel) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.session = Session.open(model, options);
        this.ownsModel = ownsModel;
    }

    /**
     * Loads the model folder (its weights quantized as {@code options.weights()} asks) and its
     * tokenizer.json (or the bundled GPT-NeoX-20B one).
     */
    public static Generator open(Path modelDir, EngineOptions options) {
        return open(modelDir, options.weights(), m -> options);
    }

    /**
     * Loads with the weights quantized to {@code quant} (q8_0, q4_0; null: as stored; cached next to
     * the model) and the options chosen once the model is loaded (a KV window sized to its shape and weights).
     */
    public static Generator open(Path modelDir, WeightType quant, Function<Model, EngineOptions> options) {
        Model m = Model.load(modelDir, quant);
        try {
            Path tj = m.tokenizerJson();
            return new Generator(m, Tokenizer.load(tj), options.apply(m), true);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    public Model model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public Session session() {
        return session;
    }

    /** Tokens the KV budget holds: the largest window possible. */
    public int contextWindow() {
        return session.capacity();
    }

    /** The window a request runs with; a window larger than the KV budget holds is refused with what would fit. */
    private int window(GenerationRequest req) {
        if (req.window() > 0) session.checkWindow(req.window());
        return req.window() > 0 ? req.window() : contextWindow();
    }

    /** Pinned prefix for a window: at most half of it, so the story keeps room. */
    private static int keep(GenerationRequest req, int window) {
        return Math.min(req.keep(), window / 2);
    }

    /**
     * Which of the request's prompt tokens the model will see before generating: the pinned
     * memory, the evicted middle of a story longer than the window, the recent text in view.
     */
    public ContextMap contextMap(GenerationRequest req) {
        int window = window(req), keep = keep(req, window);
        int n = req.promptIds().length;
        int fitted = fit(req.promptIds(), window, keep, req.sampler().maxTokens()).length;
        return ContextMap.of(n, Math.min(keep, n), n - fitted);
    }

    /**
     * Restores a cache saved with the story ({@link #saveKv}) before {@link #generate}: all of it,
     * since generate lines it up with the request itself (prefix reuse, a window that moved on, an
     * edit in approximate mode) and recomputes only what differs. A cache of another model, weights
     * or dtype, or a damaged file, is not used.
     */
    public KvFile.Restore restoreKv(Path file) {
        return session.loadKv(file, null);
    }

    /** Saves the cache (token ids, model identity, dtype) to a file, e.g. {@link KvFile#beside} the story. */
    public void saveKv(Path file) throws IOException {
        session.saveKv(file);
    }

    /**
     * Brings the cache up to the request's prompt without generating (the editor warms a story's
     * cache this way while the writer reads or types): the same fitting, shift and reuse as
     * {@link #generate}, fed in steps of {@code step} tokens so that a cancel (the writer pressing
     * Generate) takes effect within one step. Everything computed before a cancel stays cached; the
     * next call or generation continues from there. Ends with {@link StopReason#CANCELLED} or, done,
     * {@link StopReason#MAX_TOKENS} (of zero tokens asked); {@code ids} is empty.
     */
    public GenerationResult prefill(GenerationRequest req, TokenListener listener, CancelToken cancel, int step) {
        return guarded(() -> prefillChecked(req, listener, cancel, step));
    }

    private GenerationResult prefillChecked(
            GenerationRequest req, TokenListener listener, CancelToken cancel, int step) {
        if (step < 1) throw new IllegalArgumentException("step must be >= 1, got " + step);
        TokenListener l = listener != null ? listener : TokenListener.NONE;
        CancelToken c = cancel != null ? cancel : new CancelToken();
        int window = window(req), keep = keep(req, window);
        int[] prompt = fit(req.promptIds(), window, keep, req.sampler().maxTokens());
        int evicted = req.promptIds().length - prompt.length;
        long t0 = System.nanoTime();
        int shifted = ContextShift.reuseAfterEviction(session, prompt, keep);
        int[] cached = session.tokens();
        int common = ReusePlan.commonPrefix(cached, cached.length, prompt);
        // An approximate reuse after an edit recomputes the edited span and keeps the tail: one sync,
        // since a shorter prompt would cut the tail off.
        if (req.reuse() == Session.Reuse.APPROXIMATE
                && ReusePlan.find(cached, cached.length, prompt, Session.MIN_APPROXIMATE_TAIL) != null)
            step = prompt.length;
        int total = Math.max(1, prompt.length - common), recomputed = 0, approximate = 0;
        boolean cancelled = false;
        // Grow the synced prefix step by step: each sync keeps what the last one computed.
        for (int k = Math.min(prompt.length, Math.max(common, 0) + step); ; k = Math.min(prompt.length, k + step)) {
            if (c.isCancelled()) {
                cancelled = true;
                break;
            }
            int before = recomputed;
            float[] r = session.sync(
                    Arrays.copyOf(prompt, k),
                    req.reuse(),
                    (d, t) -> l.onPrefill(Math.min(total, before + d), total),
                    c::isCancelled);
            recomputed += session.lastRecomputed();
            approximate += session.lastApproximate();
            if (r == null) {
                cancelled = true;
                break;
            }
            l.onPrefill(Math.min(total, recomputed), total);
            if (k == prompt.length) break;
        }
        return new GenerationResult(
                new int[0],
                "",
                cancelled ? StopReason.CANCELLED : StopReason.MAX_TOKENS,
                prompt.length,
                recomputed,
                shifted,
                System.nanoTime() - t0,
                0,
                approximate,
                ContextMap.of(req.promptIds().length, Math.min(keep, prompt.length), evicted));
    }

    /**
     * Generates on the calling thread. A weight file truncated or rewritten in place since the model
     * was loaded is refused first with one line naming it ({@link Model#checkFiles}); one that
     * changes during the call (a read fault on the mapping) ends it the same way, the cache dropped.
     */
    public GenerationResult generate(GenerationRequest req, TokenListener listener, CancelToken cancel) {
        return guarded(() -> generateChecked(req, listener, cancel));
    }

    /** A call that reads the weights: files checked first, a read fault or a full heap as one line. */
    private GenerationResult guarded(Supplier<GenerationResult> call) {
        model.checkFiles();
        try {
            return call.get();
        } catch (InternalError e) {
            throw readFault(e);
        } catch (OutOfMemoryError e) {
            throw outOfMemory(e);
        }
    }

    /**
     * A read fault on a mapped file (JDK 25 turns the SIGBUS into this InternalError) as a one-line
     * {@link ModelFormatException}; the cache, part-written, is dropped. Other errors pass through.
     */
    private RuntimeException readFault(InternalError e) {
        String m = String.valueOf(e.getMessage());
        if (!m.contains("unsafe memory access")) throw e;
        session.reset();
        try {
            model.checkFiles();
        } catch (ModelFormatException changed) {
            return changed;
        }
        return new ModelFormatException(
                model.dir(), "a weight file could not be read (" + m + "); load the model again", e);
    }

    /**
     * An allocation the Java heap could not make during a call: the call fails with one line, the
     * cache (maybe part-written) is dropped and the caller, its text and the model stay usable.
     */
    private RuntimeException outOfMemory(OutOfMemoryError e) {
        session.reset();
        long max = Runtime.getRuntime().maxMemory();
        return new IllegalStateException(
                "out of memory while generating (" + e.getMessage() + ", Java heap of " + (max >> 20)
                        + " MiB): nothing was lost; try a smaller window or a larger heap (LONGFORM_HEAP=-Xmx...)");
    }

    private GenerationResult generateChecked(GenerationRequest req, TokenListener listener, CancelToken cancel) {
        TokenListener l = listener != null ? listener : TokenListener.NONE;
        CancelToken c = cancel != null ? cancel : new CancelToken();
        SamplerSettings st = req.sampler();
        int window = window(req);
        int keep = keep(req, window);
        int[] prompt = fit(req.promptIds(), window, keep, st.maxTokens());
        int evicted = req.promptIds().length - prompt.length; // in request-token space, after the pinned prefix

        long t0 = System.nanoTime();
        int shifted = ContextShift.reuseAfterEviction(session, prompt, keep);
        float[] logits = session.sync(prompt, req.reuse(), l::onPrefill, c::isCancelled);
        int recomputed = session.lastRecomputed(), approximate = session.lastApproximate();
        long prefillNanos = System.nanoTime() - t0;
        if (logits == null) {
            return new GenerationResult(
                    new int[0],
                    "",
                    StopReason.CANCELLED,
                    prompt.length,
                    recomputed,
                    shifted,
                    prefillNanos,
                    0,
                    approximate,
                    ContextMap.of(req.promptIds().length, Math.min(keep, prompt.length), evicted));
        }

        Sampler sampler = new Sampler(
                st, new Sampler.Vocabulary(tokenizer::encode, tokenizer::tokenBytes, tokenizer.vocabSize()));
        BannedPhrases banned = new BannedPhrases(tokenizer, st.bannedPhrases());
        TextStreamer streamer = new TextStreamer(tokenizer);
        StopMatcher stops = new StopMatcher(st.stopSequences());
        int[] history = Arrays.copyOf(prompt, prompt.length + st.maxTokens());
        int hlen = prompt.length;
        int[] out = new int[st.maxTokens()];
        int n = 0;
        StringBuilder text = new StringBuilder();
        StopReason reason = StopReason.MAX_TOKENS;
        int wanted = l.alternatives(); // asked once: no alternatives, no cost
        int streamedChars = 0; // chars the streamer has completed (before stop sequences are cut)
        boolean atChar = true; // the streamer holds no bytes of an unfinished character
        long t1 = System.nanoTime();
        while (n < st.maxTokens()) {
            if (c.isCancelled()) {
                reason = StopReason.CANCELLED;
                break;
            }
            banned.apply(logits, out, n);
            int next = sampler.sample(logits, history, hlen);
            if (next == tokenizer.eosId()) {
                reason = StopReason.EOS;
                break;
            }
            TokenChoice choice = null;
            if (wanted > 0) {
                List<Alternative> top = sampler.top(wanted); // first: it finds the maximum the softmax needs
                choice = new TokenChoice(n, atChar ? streamedChars : -1, sampler.alternative(next), top);
            }
            out[n++] = next;
            history[hlen++] = next;
            String piece = streamer.push(next);
            streamedChars += piece.length();
            atChar = !piece.isEmpty();
            if (choice != null) l.onChoice(choice);
            StopMatcher.Result r = stops.push(piece);
            text.append(r.text());
            l.onToken(next, r.text());
            if (r.stopped()) {
                reason = StopReason.STOP_SEQUENCE;
                break;
            }
            if (n == st.maxTokens()) break;
            if (session.length() + 1 > window) {
                // A quarter of the unpinned window, in whole KV blocks when it can be: the cache then relinks
                // pages instead of moving every later slot, and a saved store rewrites one page, not all.
                int bs = session.blockSize(), quarter = (session.length() - keep) / 4;
                int drop = quarter >= bs ? quarter / bs * bs : Math.max(1, quarter);
                session.evict(keep, keep + drop);
                shifted += drop;
                evicted += drop;
            }
            logits = session.feed(next);
        }
        if (reason != StopReason.STOP_SEQUENCE) {
            String rest = stops.push(streamer.flush()).text() + (stops.stopped() ? "" : stops.flush());
            if (stops.stopped()) reason = StopReason.STOP_SEQUENCE;
            if (!rest.isEmpty()) {
                text.append(rest);
                l.onToken(-1, rest);
            }
        }
        return new GenerationResult(
                Arrays.copyOf(out, n),
                text.toString(),
                reason,
                prompt.length,
                recomputed,
                shifted,
                prefillNanos,
                System.nanoTime() - t1,
                approximate,
                ContextMap.of(req.promptIds().length + n, Math.min(keep, prompt.length), evicted));
    }

    /**
     * A prompt longer than the window keeps its pinned first {@code keep} tokens and the most
     * recent tokens, leaving room to generate (up to half the window). Public so that remote
     * generation fits prompts exactly as the local engine does.
     */
    public static int[] fit(int[] prompt, int window, int keep, int maxTokens) {
        int room = Math.max(1, Math.min(maxTokens, window / 2));
        int fit = window - room;
        if (prompt.length <= fit) return prompt;
        int tail = fit - keep;
        int[] p = new int[fit];
        System.arraycopy(prompt, 0, p, 0, keep);
        System.arraycopy(prompt, prompt.length - tail, p, keep, tail);
        return p;
    }

    @Override
    public void close() {
        session.close();
        if (ownsModel) { // what open() loaded; a caller's model and tokenizer stay theirs
            tokenizer.close();
            model.close();
        }
    }
}
