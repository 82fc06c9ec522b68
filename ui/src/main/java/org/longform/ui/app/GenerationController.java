package org.longform.ui.app;

import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.longform.engine.gen.CancelToken;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.TokenChoice;
import org.longform.engine.gen.TokenListener;
import org.longform.engine.runtime.Session;
import org.longform.ui.choices.ChoiceStore;
import org.longform.ui.editor.StoryEditor;
import org.longform.ui.editor.TokenBatcher;
import org.longform.ui.gen.StoryPipeline;
import org.longform.ui.gen.TextGenerator;
import org.longform.ui.history.EditTree;
import org.longform.ui.prompt.AssembledPrompt;
import org.longform.ui.prompt.PromptInput;
import org.longform.ui.prompt.StoryTokens;

/**
 * Generate / Stop / Retry. The prompt is assembled and the model run on the model worker; text
 * streams back through a {@link TokenBatcher} (one editor update per pulse). Stop takes effect in
 * the editor at once: the partial text is kept as the generation and late tokens are dropped.
 */
public final class GenerationController {
    private final AppConfig config;
    private final ModelManager model;
    private final IntSupplier contextSize;
    private final BooleanProperty generating = new SimpleBooleanProperty();
    private final DoubleProperty prefill = new SimpleDoubleProperty(-1);
    private final StringProperty status = new SimpleStringProperty("");
    private final StringProperty error = new SimpleStringProperty();
    private final AtomicInteger streamed = new AtomicInteger();
    private final DoubleProperty prefillRate = new SimpleDoubleProperty(-1);

    private CancelToken cancel;
    private CacheKeeper keeper;
    private BooleanSupplier approximateReuse = () -> false;
    private TokenBatcher batcher;
    private ChoiceStore.Recording recording;
    private StorySession running;
    private long startedNanos;
    private java.util.function.Consumer<StorySession> afterGeneration = s -> {};

    public GenerationController(AppConfig config, ModelManager model, IntSupplier contextSize) {
        this.config = config;
        this.model = model;
        this.contextSize = contextSize;
    }

    public BooleanProperty generatingProperty() {
        return generating;
    }
    /** Prompt processing progress 0..1, or -1 when not processing a prompt. */
    public DoubleProperty prefillProperty() {
        return prefill;
    }

    /** Prompt tokens read per second, as last measured (a prefill of 32 tokens or more); -1 until then. */
    public DoubleProperty prefillRateProperty() {
        return prefillRate;
    }

    /** FX thread: a prefill of {@code tokens} took {@code nanos} (a generation's, or a summary's). */
    public void measuredPrefill(int tokens, long nanos) {
        if (tokens >= 32 && nanos > 0) prefillRate.set(tokens / (nanos / 1e9));
    }

    public StringProperty statusProperty() {
        return status;
    }

    public StringProperty errorProperty() {
        return error;
    }

    /** Called (FX thread) with the story after each of its generations ends: autosave hooks in here. */
    public void setAfterGeneration(java.util.function.Consumer<StorySession> c) {
        afterGeneration = c;
    }

    /** True while {@code s} is the story being generated into. */
    public boolean isRunning(StorySession s) {
        return generating.get() && running == s;
    }

    /** The prompt's size: the model's window (the engine's one setting), below a cap only if prefs.json sets one. */
    public int effectiveContext(TextGenerator g) {
        int cap = contextSize.getAsInt();
        int window = g.info().contextWindow();
        return Math.max(64, cap > 0 ? Math.min(cap, window) : window);
    }

    /** The cache keeper (saved caches, warming, repair) and whether deep edits reuse the cache approximately. */
    public void setCache(CacheKeeper keeper, BooleanSupplier approximateReuse) {
        this.keeper = keeper;
        this.approximateReuse = approximateReuse;
    }

    public CacheKeeper cacheKeeper() {
        return keeper;
    }

    /** The reuse mode the writer chose (Model ▸ Approximate reuse after deep edits). */
    public Session.Reuse reuse() {
        return approximateReuse.getAsBoolean() ? Session.Reuse.APPROXIMATE : Session.Reuse.EXACT;
    }

    /** Continues the story at its end (or at the cursor, if the story says so). */
    public void generate(StorySession s) {
        StoryEditor ed = s.editor();
        int at = s.generateAtCursorProperty().get() ? ed.area().getCaretPosition() : ed.length();
        generateAt(s, at);
    }

    /** Replaces the last generation with a new one; the old one stays as an alternative (branch). */
    public void retry(StorySession s) {
        EditTree.Node last = s.editor().tree().current();
        if (generating.get() || last.kind() != EditTree.Kind.GENERATION) return;
        int at = last.pos(), replaced = last.removed().length();
        s.editor().undo();
        if (replaced == 0) generateAt(s, at);
        else regenerate(s, at, at + replaced, "", null, null); // it had replaced generated text: so does the retry
    }

    /** What the prompt for {@code s} ending at {@code end} is built from, for the model {@code g} (FX thread). */
    public PromptInput promptInput(StorySession s, int end, TextGenerator g) {
        return new PromptInput(
                s.editor().text(),
                end,
                s.memoryProperty().get(),
                s.summaryProperty().get().text(),
                s.authorsNote(),
                new ArrayList<>(s.worldInfo()),
                s.worldInfoRulesProperty().get(),
                effectiveContext(g),
                s.samplingProperty().get().maxTokens(),
                s.storyCut(),
                g.kvBlockSize());
    }

    public void generateAt(StorySession s, int at) {
        regenerate(s, at, at, "", null, null);
    }

    /**
     * Replaces story text [at, end) with {@code lead} and what the model writes after it, as one undo step:
     * "regenerate from here" (lead: the alternative chosen, {@code leadChoice} its token, {@code pin} the ids
     * the generation was written as up to it, so the cache is reused up to there) and "retry this span"
     * (lead "", the text after the span kept). The prompt is the text before {@code at} plus the lead.
     */
    public void regenerate(StorySession s, int at, int end, String lead, TokenChoice leadChoice, ChoiceStore.Pin pin) {
        TextGenerator g = model.get();
        if (generating.get() || g == null) return;
        StoryEditor ed = s.editor();
        ed.beginGeneration(at, end, lead);
        int from = at + lead.length();
        PromptInput input = promptInput(s, from, g);
        ChoiceStore.Recording rec = s.choices().record(at, lead, leadChoice, g.reportsAlternatives());
        recording = rec;
        var sampling = s.samplingProperty().get();
        CancelToken c = new CancelToken();
        cancel = c;
        running = s;
        streamed.set(0);
        batcher = new TokenBatcher(config.fx(), ed::appendGenerated);
        TokenBatcher b = batcher;
        generating.set(true);
        error.set(null);
        prefill.set(0);
        status.set("Processing prompt…");
        startedNanos = System.nanoTime();
        Session.Reuse reuse = approximateReuse.getAsBoolean() ? Session.Reuse.APPROXIMATE : Session.Reuse.EXACT;
        if (keeper != null) keeper.pause();
        config.modelWorker().execute(() -> {
            try {
                // The story's saved cache first (another tab's may be in the engine), then its view start.
                int restored = keeper == null ? -1 : keeper.ensure(g, s, input.story());
                PromptInput in = restored < 0 ? input : input.withPreviousCut(restored);
                if (pin != null) { // the ids the model wrote up to the chosen token, as the cache holds them
                    StoryTokens t = s.pipeline().tokens(g);
                    t.update(in.story());
                    t.pin(pin.start(), in.story().substring(pin.start(), from), pin.ids());
                }
                AssembledPrompt p = s.pipeline().assemble(g, in);
                config.fx().accept(() -> {
                    if (running == s) {
                        s.promptProperty().set(p);
                        s.setStoryCut(p.storyCut());
                    }
                });
                ProgressLine progress = new ProgressLine("Reading the story", 100_000_000L);
                StoryPipeline.Step step = s.pipeline()
                        .generate(
                                g,
                                in,
                                p,
                                sampling,
                                reuse,
                                new TokenListener() {
                                    @Override
                                    public void onPrefill(int done, int total) {
                                        String next = progress.next(done, total);
                                        if (next == null) return;
                                        // Longer than a second: tokens done / total, rate and time left in the status
                                        // line.
                                        String line = progress.elapsedNanos() > 1_000_000_000L ? next : null;
                                        config.fx().accept(() -> {
                                            if (cancel != c || total <= 0) return;
                                            prefill.set(done / (double) total);
                                            if (line != null) status.set(line + " · Esc stops, keeping what was read");
                                        });
                                    }

                                    @Override
                                    public void onToken(int id, String text) {
                                        streamed.incrementAndGet();
                                        b.add(text);
                                    }

                                    @Override
                                    public int alternatives() {
                                        return ChoiceStore.TOP;
                                    }

                                    @Override
                                    public void onChoice(TokenChoice choice) {
                                        rec.add(choice);
                                    }
                                },
                                c);
                if (keeper != null) keeper.generated(g, s, step.result(), p.storyCut());
                GenerationResult r = step.result();
                config.fx().accept(() -> finish(c, s, r, null));
            } catch (RuntimeException | LinkageError e) {
                config.fx().accept(() -> finish(c, s, null, e));
            }
        });
    }

    /** Esc: cancels the engine and ends the generation in the editor right away. */
    public void stop() {
        if (!generating.get()) return;
        cancel.cancel();
        end(running);
        status.set("Stopped after " + streamed.get() + " tokens, " + seconds() + " s");
    }

    private void finish(CancelToken c, StorySession s, GenerationResult r, Throwable failure) {
        if (cancel != c) return; // an old, already stopped run reporting late
        boolean wasRunning = generating.get();
        if (wasRunning) end(s);
        if (failure != null) {
            error.set(
                    "Generation failed: " + (failure.getMessage() == null ? failure.toString() : failure.getMessage()));
            status.set("Generation failed");
        } else if (r != null && wasRunning) {
            measuredPrefill(r.recomputedTokens(), r.prefillNanos());
            String why = switch (r.reason()) {
                case MAX_TOKENS -> "max tokens";
                case STOP_SEQUENCE -> "stop sequence";
                case EOS -> "end of text";
                case CANCELLED -> "stopped";
                case CONTEXT_FULL -> "context full";
            };
            status.set(String.format(
                    "%d tokens in %.1f s · %.1f tokens/s · prompt %d tokens (%d recomputed, %.1f s) · %s",
                    r.ids().length,
                    r.decodeNanos() / 1e9,
                    r.decodeTokensPerSecond(),
                    r.promptTokens(),
                    r.recomputedTokens(),
                    r.prefillNanos() / 1e9,
                    why));
        }
    }

    private void end(StorySession s) {
        if (batcher != null) batcher.close();
        String inserted = s.editor().endGeneration();
        if (recording != null) recording.finish(inserted);
        recording = null;
        generating.set(false);
        prefill.set(-1);
        running = null;
        afterGeneration.accept(s);
    }

    private String seconds() {
        return String.format("%.1f", (System.nanoTime() - startedNanos) / 1e9);
    }

    /** Live tokens/s line while streaming (polled by the status bar each second). */
    public String liveStatus() {
        if (!generating.get()) return status.get();
        double secs = (System.nanoTime() - startedNanos) / 1e9;
        int n = streamed.get();
        if (n == 0) return status.get();
        return String.format("Generating… %d tokens, %.1f s, %.1f tokens/s", n, secs, n / Math.max(1e-3, secs));
    }
}
