package org.longform.ui.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.longform.engine.gen.CancelToken;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.StopReason;
import org.longform.engine.gen.TokenListener;
import org.longform.engine.runtime.Session;
import org.longform.engine.sample.SamplerSettings;
import org.longform.ui.gen.LocalCache;
import org.longform.ui.gen.StoryCaches;
import org.longform.ui.gen.StoryPipeline;
import org.longform.ui.gen.TextGenerator;
import org.longform.ui.prompt.PromptInput;

/**
 * Keeps the engine's KV cache where the writer will need it, so that the model never redoes work it
 * has already done: the cache of the story being written is saved with it (incrementally, in the
 * app's cache folder, see {@link StoryCaches}) and mapped back when the story opens or its tab comes
 * back; while the writer reads or types, the next prompt is prefilled in the background and an
 * approximate cache (after an edit deep in the story) is repaired, in steps that stop as soon as
 * the writer presses Generate. All engine work runs on the model worker; the status is published
 * on the FX thread.
 */
public final class CacheKeeper {
    private final AppConfig config;
    private final StoryCaches caches;
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private CancelToken idle; // FX thread: the idle job running or queued, if any
    private StorySession holder; // model worker: the story whose tokens the engine's cache holds
    private StoryPipeline holderPipeline;
    private int holderCut = -1;

    /** @param capBytes the most bytes the saved caches of all stories may take (0: no cap) */
    public CacheKeeper(AppConfig config, Path root, long capBytes) {
        this.config = config;
        this.caches = new StoryCaches(root, capBytes);
    }

    /**
     * The app's cache folder for KV caches: $XDG_CACHE_HOME/longform/kv (~/.cache/longform/kv) for the
     * real config folder, else kv-cache inside a custom config folder (tests, portable installs).
     */
    public static Path defaultRoot(Path configDir) {
        Path home = Path.of(System.getProperty("user.home"));
        if (!configDir
                .toAbsolutePath()
                .normalize()
                .equals(home.resolve(".config").resolve("longform"))) return configDir.resolve("kv-cache");
        String xdg = System.getenv("XDG_CACHE_HOME");
        return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".cache"))
                .resolve("longform")
                .resolve("kv");
    }

    /** Saved caches may take half the free space of their disk, at most 64 GiB (a 7B's 65k-token int8 cache is 16 GiB). */
    public static long defaultCap(Path configDir) {
        long free = 64L << 30;
        try {
            Path p = defaultRoot(configDir).toAbsolutePath();
            while (p != null && !Files.exists(p)) p = p.getParent();
            if (p != null) free = Files.getFileStore(p).getUsableSpace() / 2;
        } catch (IOException | RuntimeException e) {
            // keep the default
        }
        return Math.max(1L << 30, Math.min(64L << 30, free));
    }

    /** One line for the status bar: the cache's mode, and what the idle work is doing. */
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    public StoryCaches caches() {
        return caches;
    }

    /** FX thread: stops the idle work at its next step (the model worker is wanted). */
    public void pause() {
        if (idle != null) idle.cancel();
        idle = null;
    }

    /**
     * Model worker: makes the engine's cache hold {@code s}'s tokens, saving the cache of the story
     * it held before and mapping {@code s}'s saved cache back. Returns the view start saved with
     * that cache (the prompt must begin there to line up with it), or -1 to keep the story's own.
     */
    int ensure(TextGenerator g, StorySession s, String text) {
        if (holder == s) return -1;
        if (holder != null) saveHolder(g);
        holder = s;
        holderPipeline = s.pipeline();
        holderCut = -1;
        StoryCaches.Restored r = caches.restore(g, s.id());
        if (!r.used()) {
            // A stale, foreign or damaged cache is simply not used: the story opens and is read again.
            if (!r.reason().equals("no saved cache") && !r.reason().equals("no local cache"))
                publish(g, "saved cache not used: " + r.reason());
            return -1;
        }
        s.pipeline().tokens(g).restore(text, r.segments());
        holderCut = r.viewStart();
        publish(g, "cache of this story restored: " + r.tokens() + " tokens");
        return r.viewStart();
    }

    /** Model worker: the story's view start after a generation or warm, saved with its cache. */
    void viewed(StorySession s, int cut) {
        if (holder == s) holderCut = cut;
    }

    private String saveHolder(TextGenerator g) {
        if (holder == null || holderPipeline == null) return "nothing to save";
        return caches.save(
                g, holder.id(), Math.max(0, holderCut), holderPipeline.tokens(g).segmentsFrom(Math.max(0, holderCut)));
    }

    /** FX thread: the model changed (or closed): the old cache belongs to nobody now. */
    public void modelChanged() {
        pause();
        config.modelWorker().execute(() -> {
            caches.close();
            holder = null;
            holderPipeline = null;
        });
    }

    /** FX thread: the story closes: save its cache now. */
    public void closing(StorySession s, TextGenerator g) {
        if (g == null) return;
        config.modelWorker().execute(() -> {
            if (holder == s) {
                saveHolder(g);
                holder = null;
                holderPipeline = null;
            }
        });
    }

    /**
     * FX thread: the writer paused (after a generation, an edit, a change to memory or notes):
     * on the model worker, prefill the next prompt, repair an approximate cache, then save the cache
     * with the story. Each part stops at its next step once {@link #pause} is called.
     */
    public void idle(StorySession s, TextGenerator g, PromptInput input, SamplerSettings sampler, Session.Reuse reuse) {
        if (g == null || g.localCache() == null) {
            status.set(g == null ? "" : "");
            return;
        }
        pause();
        CancelToken c = new CancelToken();
        idle = c;
        long rev = s.changesProperty().get();
        config.modelWorker().execute(() -> {
            if (c.isCancelled()) return;
            try {
                int restored = ensure(g, s, input.story());
                PromptInput in = restored >= 0 ? withCut(input, restored) : input;
                StoryPipeline.Step step = s.pipeline().warm(g, in, sampler, reuse, saving(g, progress("warming")), c);
                if (step != null) {
                    viewed(s, step.prompt().storyCut());
                    int cut = step.prompt().storyCut();
                    config.fx().accept(() -> {
                        if (s.storyCut() != cut) s.setStoryCut(cut);
                    });
                }
                if (step == null || step.result().reason() == StopReason.CANCELLED) {
                    publish(g, "warming paused");
                    return;
                }
                LocalCache lc = g.localCache();
                if (lc.approximateFrom() >= 0) {
                    if (!lc.repair(progress("repairing"), c)) {
                        publish(g, "repair paused");
                        return;
                    }
                }
                // The prompt is cached to its end with its logits: unless the story changed meanwhile, nothing to
                // recompute.
                config.fx().accept(() -> {
                    if (s.changesProperty().get() == rev)
                        s.nextRecomputeProperty().set(0);
                });
                String saved = saveHolder(g);
                publish(g, "saved with the story (" + saved + ")");
            } catch (RuntimeException e) {
                publish(g, "cache work stopped: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            }
        });
    }

    /** Model worker: saves the held story's cache now (autosave of that story, or quitting). */
    public void saveNow(StorySession s, TextGenerator g) {
        if (g == null || g.localCache() == null) return;
        config.modelWorker().execute(() -> {
            if (holder == s) publish(g, "saved with the story (" + saveHolder(g) + ")");
        });
    }

    /** Saves interval of a long warm: a fill interrupted by closing the app resumes from the last save. */
    static final long SAVE_EVERY_NANOS = 30_000_000_000L;

    /**
     * Wraps a warm's progress so that a long fill saves the pages it completed every
     * {@link #SAVE_EVERY_NANOS} (on the model worker, between steps, where the cache is consistent).
     */
    private TokenListener saving(TextGenerator g, TokenListener inner) {
        return new TokenListener() {
            long lastSave = System.nanoTime();

            @Override
            public void onPrefill(int done, int total) {
                inner.onPrefill(done, total);
                long now = System.nanoTime();
                if (now - lastSave >= SAVE_EVERY_NANOS && done < total) {
                    lastSave = now;
                    saveHolder(g);
                }
            }
        };
    }

    private static PromptInput withCut(PromptInput i, int cut) {
        return i.withPreviousCut(cut);
    }

    /** Progress of background work as "warming 1,234 / 8,192 tokens · 45 tokens/s · 2:50 left". */
    private TokenListener progress(String what) {
        ProgressLine progress = new ProgressLine(what, 200_000_000L);
        return new TokenListener() {
            @Override
            public void onPrefill(int done, int total) {
                String line = progress.next(done, total);
                if (line != null) config.fx().accept(() -> status.set("Cache: " + line));
            }
        };
    }

    /** Model worker: the cache's mode for the status bar. */
    private void publish(TextGenerator g, String event) {
        LocalCache lc = g.localCache();
        String mode = lc == null
                ? ""
                : lc.approximateFrom() < 0
                        ? String.format("exact, %,d tokens", lc.length())
                        : "approximate from token " + lc.approximateFrom() + " of " + lc.length()
                                + " (repairs while you pause)";
        String line = "Cache: " + mode + (event == null || event.isEmpty() ? "" : " · " + event);
        config.fx().accept(() -> status.set(line));
    }

    /** Model worker: after a generation, the mode line (no event). */
    void generated(TextGenerator g, StorySession s, GenerationResult r, int cut) {
        viewed(s, cut);
        publish(g, r.approximateTokens() > 0 ? "kept " + r.approximateTokens() + " tokens after the edit" : "");
    }
}
