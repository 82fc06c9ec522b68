package org.longform.ui.gen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.longform.engine.Assets;
import org.longform.engine.context.KvFile;
import org.longform.engine.context.KvStore;
import org.longform.engine.gen.CancelToken;
import org.longform.engine.gen.ContextShift;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.Generator;
import org.longform.engine.gen.StopReason;
import org.longform.engine.gen.TokenListener;
import org.longform.engine.io.ModelFormatException;
import org.longform.engine.kernels.BackendKind;
import org.longform.engine.kernels.Backends;
import org.longform.engine.kv.KvBudget;
import org.longform.engine.kv.KvDType;
import org.longform.engine.kv.KvPool;
import org.longform.engine.model.Model;
import org.longform.engine.runtime.ContextFullException;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.runtime.Session;
import org.longform.hub.KvPlan;
import org.longform.hub.SystemCheck;

/**
 * Adapter from the UI's {@link TextGenerator} to the engine's {@link Generator}: passes the
 * request on, reports a full cache as a result, and describes the model for the model panel. Like
 * the Generator it wraps, {@link #generate} must be called from one worker thread; {@link #encode}
 * and {@link #decode} may be called from any thread (the engine's tokenizer is thread-safe).
 */
public final class EngineTextGenerator implements TextGenerator {
    private final Generator generator;
    private final ModelInfo info;

    private EngineTextGenerator(Generator generator, ModelInfo info) {
        this.generator = generator;
        this.info = info;
    }

    /** Loads a model folder with the default settings (see {@link #open(Path, int, EngineSettings)}). */
    public static EngineTextGenerator open(Path modelDir, int threads) {
        return open(modelDir, threads, EngineSettings.defaults());
    }

    /**
     * Loads a model folder, its weights in the form and its KV cache in the dtype and window the
     * settings ask for ("auto": what the system check recommends for this model on this machine);
     * throws {@link ModelFormatException} naming the file and the problem.
     */
    public static EngineTextGenerator open(Path modelDir, int threads, EngineSettings settings) {
        return open(modelDir, threads, settings, null);
    }

    /** As above on {@code backend} (null: the default, auto). */
    public static EngineTextGenerator open(Path modelDir, int threads, EngineSettings settings, BackendKind backend) {
        Generator g = Generator.open(modelDir, settings.quant(), m -> {
            EngineOptions o = options(m, threads, settings);
            return backend == null ? o : o.withBackend(backend);
        });
        try {
            Path dir = modelDir.toAbsolutePath().normalize();
            var cfg = g.model().config();
            ModelInfo info = new ModelInfo(
                    dir.getFileName().toString(),
                    dir,
                    cfg.parameterCount(),
                    g.contextWindow(),
                    cfg.maxSeqLen(),
                    g.session().kvDType(),
                    g.session().kvBytesPerToken(),
                    isDemo(dir),
                    null,
                    g.model().weightForm());
            return new EngineTextGenerator(g, info);
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
    }

    /** The engine options for these settings: dtype and window from the settings, "auto" parts from the system check's plan. */
    static EngineOptions options(Model m, int threads, EngineSettings s) {
        EngineOptions o = EngineOptions.defaults().withThreads(threads);
        KvDType dtype = s.kvDType();
        int window = s.window();
        int trained = m.config().maxSeqLen();
        if (dtype == null) {
            // the GPU will hold the cache: it sizes it from its own free memory, not from this machine's RAM
            if (window == 0 && gpuRuns(m, o.backend())) return o;
            KvPlan plan = SystemCheck.planFor(m.config(), m.weights().bytesPerToken());
            if (!plan.fits()) return o; // the engine's own budget check then says what does not fit
            dtype = plan.dtype();
            // The window defaults to what the model was trained on (StoryWriter's 65,536) when it fits, else what fits.
            if (window == 0) window = trained > 0 ? Math.min(plan.window(), trained) : plan.window();
        } else if (window == 0 && trained > 0) {
            long perToken = KvPool.bytesPerToken(m.config(), dtype);
            window = (int) Math.min(trained, KvBudget.defaultBytes(perToken) / perToken);
        }
        o = o.withKvDType(dtype);
        if (window > 0) o = o.withKvBudget((long) window * KvPool.bytesPerToken(m.config(), dtype));
        return o;
    }

    /** Whether Session will run this model on a CUDA GPU (the backend it asks for takes one, bf16 weights). */
    static boolean gpuRuns(Model m, BackendKind backend) {
        return m.weightForm().equals("bf16") && Backends.takesCuda(backend);
    }

    static boolean isDemo(Path dir) {
        try {
            return Files.isSameFile(dir, Assets.demoModel());
        } catch (IOException e) {
            return false;
        }
    }

    /** The engine session behind this generator (model worker only): the soak compares its logits. */
    Session session() {
        return generator.session();
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public long kvBytesInUse() {
        return (long) generator.session().length() * info.kvBytesPerToken();
    }

    @Override
    public int[] encode(String text) {
        return generator.tokenizer().encode(text);
    }

    @Override
    public String decode(int[] ids) {
        return generator.tokenizer().decode(ids);
    }

    @Override
    public int eosId() {
        return generator.tokenizer().eosId();
    }

    /** Tokens in the cache after the last call on the model worker, for {@link #reusable} from any thread. */
    private volatile int[] cached = new int[0];

    /** Prefill steps: a cancel (the writer pressing Generate) waits at most this many tokens of compute. */
    static final int PREFILL_STEP = 64;

    @Override
    public int reusable(int[] promptIds, int keep) {
        return promptIds.length == 0 ? 0 : ContextShift.reusable(cached, promptIds, keep);
    }

    @Override
    public int[] cachedTokens() {
        return cached.clone();
    }

    @Override
    public int kvBlockSize() {
        return generator.session().blockSize();
    }

    private final LocalCache local = new LocalCache() {
        @Override
        public byte[] modelIdentity() {
            return generator.session().modelIdentity();
        }

        @Override
        public KvDType kvDType() {
            return KvDType.parse(generator.session().kvDType());
        }

        @Override
        public KvStore.Stats save(KvStore store) throws IOException {
            return generator.session().saveKv(store);
        }

        @Override
        public KvFile.Restore restore(KvStore store) {
            KvFile.Restore r = generator.session().loadKv(store, null);
            cached = generator.session().tokens();
            return r;
        }

        @Override
        public int approximateFrom() {
            return generator.session().approximateFrom();
        }

        @Override
        public int length() {
            return generator.session().length();
        }

        @Override
        public boolean repair(TokenListener l, CancelToken c) {
            try {
                return generator.session().repair(l::onPrefill, c::isCancelled);
            } finally {
                cached = generator.session().tokens();
            }
        }
    };

    @Override
    public LocalCache localCache() {
        return local;
    }

    @Override
    public GenerationResult prefill(GenerationRequest req, TokenListener listener, CancelToken cancel) {
        try {
            return generator.prefill(req, listener, cancel, PREFILL_STEP);
        } catch (ContextFullException e) {
            return new GenerationResult(new int[0], "", StopReason.CONTEXT_FULL, req.promptIds().length, 0, 0, 0, 0);
        } finally {
            cached = generator.session().tokens();
        }
    }

    @Override
    public boolean reportsAlternatives() {
        return true;
    }

    @Override
    public GenerationResult generate(GenerationRequest req, TokenListener listener, CancelToken cancel) {
        TokenListener bridge = new TextTokens(listener);
        try {
            return generator.generate(req, bridge, cancel);
        } catch (ContextFullException e) {
            return new GenerationResult(new int[0], "", StopReason.CONTEXT_FULL, req.promptIds().length, 0, 0, 0, 0);
        } finally {
            cached = generator.session().tokens();
        }
    }

    @Override
    public void close() {
        generator.close();
    }
}
