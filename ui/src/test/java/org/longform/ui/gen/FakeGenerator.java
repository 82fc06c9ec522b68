package org.longform.ui.gen;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.longform.engine.gen.CancelToken;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.StopReason;
import org.longform.engine.gen.TokenListener;
import org.longform.ui.TestSupport;

/**
 * A scripted generator for UI tests: real tokenizer (so counts are real), scripted text. Each
 * generation emits the next script's words one "token" at a time with {@code delayMs} between
 * them and honours cancellation and maxTokens. Records the prompts it was given.
 */
public final class FakeGenerator implements TextGenerator {
    private final List<String> scripts;
    private int next;
    public volatile long delayMs;
    public final List<int[]> prompts = new ArrayList<>();
    public volatile GenerationRequest lastRequest;
    public volatile CountDownLatch started = new CountDownLatch(1);

    public volatile boolean demo;

    public FakeGenerator(long delayMs, String... scripts) {
        this.delayMs = delayMs;
        this.scripts = List.of(scripts);
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo("fake", Path.of("fake"), 1, 4096, 4096, "f32", 1024, demo);
    }

    @Override
    public int[] encode(String text) {
        return TestSupport.tokenizer().encode(text);
    }

    @Override
    public String decode(int[] ids) {
        return TestSupport.tokenizer().decode(ids);
    }

    @Override
    public int eosId() {
        return 0;
    }

    @Override
    public GenerationResult generate(GenerationRequest req, TokenListener listener, CancelToken cancel) {
        synchronized (prompts) {
            prompts.add(req.promptIds());
        }
        lastRequest = req;
        listener.onPrefill(req.promptIds().length, req.promptIds().length);
        started.countDown();
        String script = scripts.get(Math.min(next++, scripts.size() - 1));
        StringBuilder out = new StringBuilder();
        int n = 0;
        long t0 = System.nanoTime();
        for (String piece : script.split("(?=\\s)")) {
            if (n >= req.sampler().maxTokens()) return result(out, n, StopReason.MAX_TOKENS, req, t0);
            if (cancel.isCancelled()) return result(out, n, StopReason.CANCELLED, req, t0);
            sleep();
            if (cancel.isCancelled()) return result(out, n, StopReason.CANCELLED, req, t0);
            out.append(piece);
            n++;
            listener.onToken(n, piece);
        }
        return result(out, n, StopReason.EOS, req, t0);
    }

    public int[] lastPrompt() {
        synchronized (prompts) {
            return prompts.getLast();
        }
    }

    private void sleep() {
        try {
            if (delayMs > 0) TimeUnit.MILLISECONDS.sleep(delayMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Token ids 1..n, as streamed. */
    private static GenerationResult result(StringBuilder out, int n, StopReason why, GenerationRequest req, long t0) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = i + 1;
        return new GenerationResult(
                ids, out.toString(), why, req.promptIds().length, req.promptIds().length, 0, 0, System.nanoTime() - t0);
    }

    @Override
    public void close() {}
}
