package org.longform.ui.gen;

import org.longform.engine.Assets;
import org.longform.engine.io.ModelFormatException;
import org.longform.engine.model.Model;
import org.longform.engine.runtime.ContextFullException;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.runtime.Session;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Adapter from the UI's {@link TextGenerator} to the engine. Interim wiring: it drives the engine's
 * {@link Session} (which already reuses the cached prefix and recomputes only what differs) with a
 * small sampler, and tokenizes with the same DJL/Hugging Face tokenizer the engine uses. When the
 * engine's {@code org.longform.engine.gen.Generator} is merged, this class becomes a thin wrapper
 * over it and nothing else in the UI changes.
 */
public final class EngineTextGenerator implements TextGenerator {
    private final Model model;
    private final Session session;
    private final HfTokenizer tokenizer;
    private final ModelInfo info;
    private final int eos;

    private EngineTextGenerator(Model model, Session session, HfTokenizer tokenizer, ModelInfo info, int eos) {
        this.model = model;
        this.session = session;
        this.tokenizer = tokenizer;
        this.info = info;
        this.eos = eos;
    }

    /** Loads a model folder; throws {@link ModelFormatException} naming the file and the problem. */
    public static EngineTextGenerator open(Path modelDir, int threads) {
        Model model = Model.load(modelDir);
        Session session = null;
        try {
            session = new Session(model, EngineOptions.defaults().withThreads(threads));
            Path tok = model.tokenizerFile() != null ? model.tokenizerFile() : Assets.tokenizer();
            HfTokenizer hf = HfTokenizer.load(tok);
            long perToken = session.cache().pool().bytesPerToken();
            int window = session.cache().pool().capacityTokens();
            boolean demo = isDemo(modelDir);
            String name = modelDir.toAbsolutePath().normalize().getFileName().toString();
            ModelInfo info = new ModelInfo(name, modelDir.toAbsolutePath().normalize(), model.config().parameterCount(),
                    window, model.config().maxSeqLen(), "f32", perToken, demo);
            return new EngineTextGenerator(model, session, hf, info, hf.eosId());
        } catch (RuntimeException e) {
            if (session != null) session.close();
            model.close();
            throw e;
        }
    }

    static boolean isDemo(Path dir) {
        try {
            return Files.isSameFile(dir, Assets.demoModel());
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public ModelInfo info() { return info; }

    @Override
    public long kvBytesInUse() { return (long) session.length() * info.kvBytesPerToken(); }

    @Override
    public int[] encode(String text) { return tokenizer.encode(text); }

    @Override
    public String decode(int[] ids) { return tokenizer.decode(ids); }

    @Override
    public GenResult generate(GenRequest req, GenListener listener, Cancel cancel) {
        int vocab = model.config().vocabSize();
        int[] prompt = req.promptIds().length == 0 ? new int[]{eos < 0 ? 0 : eos} : req.promptIds();
        long t0 = System.nanoTime();
        float[] logits;
        try {
            logits = session.sync(prompt, listener::onPrefill, cancel::isCancelled);
        } catch (ContextFullException e) {
            return new GenResult("", 0, GenResult.Stop.CONTEXT_FULL, prompt.length, session.lastRecomputed(), System.nanoTime() - t0, 0);
        }
        int recomputed = session.lastRecomputed();
        long t1 = System.nanoTime();
        if (logits == null) return new GenResult("", 0, GenResult.Stop.CANCELLED, prompt.length, recomputed, t1 - t0, 0);

        InterimSampler sampler = new InterimSampler(req.sampling());
        int[] history = Arrays.copyOf(prompt, prompt.length + req.sampling().maxTokens());
        int n = prompt.length, made = 0;
        String shown = "";
        GenResult.Stop reason = GenResult.Stop.MAX_TOKENS;
        while (made < req.sampling().maxTokens()) {
            if (cancel.isCancelled()) { reason = GenResult.Stop.CANCELLED; break; }
            int id = sampler.next(logits, vocab, history, n);
            if (id == eos) { reason = GenResult.Stop.EOS; break; }
            history[n++] = id;
            made++;
            // Decode the whole continuation so multi-byte characters split across tokens come out whole.
            String text = decode(Arrays.copyOfRange(history, prompt.length, n));
            if (!text.endsWith("\uFFFD")) {
                String stop = firstStop(text, req.sampling());
                String visible = stop == null ? text : text.substring(0, text.indexOf(stop));
                if (visible.length() > shown.length() && visible.startsWith(shown)) {
                    listener.onToken(id, visible.substring(shown.length()));
                    shown = visible;
                }
                if (stop != null) { reason = GenResult.Stop.STOP_SEQUENCE; break; }
            }
            try {
                logits = session.feed(id);
            } catch (ContextFullException e) {
                reason = GenResult.Stop.CONTEXT_FULL;
                break;
            }
        }
        return new GenResult(shown, made, reason, prompt.length, recomputed, t1 - t0, System.nanoTime() - t1);
    }

    private static String firstStop(String text, Sampling s) {
        String best = null;
        int at = Integer.MAX_VALUE;
        for (String stop : s.stopSequences()) {
            int i = stop.isEmpty() ? -1 : text.indexOf(stop);
            if (i >= 0 && i < at) { at = i; best = stop; }
        }
        return best;
    }

    @Override
    public void close() {
        session.close();
        tokenizer.close();
        model.close();
    }
}
