package org.longform.ui.app;

import java.util.function.BiConsumer;
import java.util.function.Supplier;
import javafx.animation.PauseTransition;
import javafx.beans.InvalidationListener;
import javafx.util.Duration;
import org.longform.ui.gen.TextGenerator;
import org.longform.ui.prompt.AssembledPrompt;
import org.longform.ui.prompt.PromptInput;

/**
 * Keeps the context map of the active story current: a short while after any change it assembles
 * the prompt the next generation would use (with the real tokenizer, on the I/O worker), then
 * publishes it to the story and shades the out-of-view text. Never blocks the FX thread.
 */
public final class ContextMonitor {
    private final AppConfig config;
    private final ModelManager model;
    private final GenerationController gen;
    private final Supplier<StorySession> active;
    private final PauseTransition debounce;
    private long requested, applied;
    private final InvalidationListener onChange = x -> schedule();
    private StorySession watched;
    private BiConsumer<StorySession, PromptInput> onIdle;

    /** Called (FX thread) once a recount of an idle story is published: the cache keeper warms from there. */
    public void setOnIdle(BiConsumer<StorySession, PromptInput> c) {
        onIdle = c;
    }

    public ContextMonitor(
            AppConfig config, ModelManager model, GenerationController gen, Supplier<StorySession> active) {
        this.config = config;
        this.model = model;
        this.gen = gen;
        this.active = active;
        this.debounce =
                new PauseTransition(Duration.millis(config.recountDelay().toMillis()));
        debounce.setOnFinished(e -> recount());
        model.generatorProperty().addListener(onChange);
    }

    /** Follows the active tab's story. */
    public void watch(StorySession s) {
        if (watched != null) watched.changesProperty().removeListener(onChange);
        watched = s;
        if (s != null) s.changesProperty().addListener(onChange);
        schedule();
    }

    public void schedule() {
        debounce.playFromStart();
    }

    /** Recounts now (FX thread snapshot, worker tokenization). */
    public void recount() {
        StorySession s = active.get();
        TextGenerator g = model.get();
        if (s == null || g == null || s.editor().streaming()) return;
        int end = s.generateAtCursorProperty().get()
                ? s.editor().area().getCaretPosition()
                : s.editor().length();
        PromptInput in = gen.promptInput(s, end, g);
        long ticket = ++requested;
        long rev = s.changesProperty().get();
        config.io().execute(() -> {
            AssembledPrompt p;
            try {
                p = s.pipeline().assemble(g, in);
            } catch (RuntimeException e) {
                return; // the model was closed meanwhile; the next change recounts
            }
            int reusable = g.reusable(g.promptOrStart(p.ids()), p.keep());
            config.fx().accept(() -> {
                if (ticket < applied) return;
                applied = ticket;
                s.promptProperty().set(p);
                s.nextRecomputeProperty().set(reusable < 0 ? -1 : Math.max(0, Math.max(1, p.total()) - reusable));
                // Only trust the cut for shading if the text did not change meanwhile (offsets would be stale).
                if (s.changesProperty().get() == rev && !s.editor().streaming()) {
                    s.setStoryCut(p.storyCut());
                    s.editor().shadeBefore(p.storyCut());
                    if (onIdle != null && !gen.generatingProperty().get()) onIdle.accept(s, in);
                }
            });
        });
    }
}
