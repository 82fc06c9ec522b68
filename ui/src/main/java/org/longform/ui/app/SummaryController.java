package org.longform.ui.app;

import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Supplier;
import javafx.animation.PauseTransition;
import javafx.beans.InvalidationListener;
import javafx.scene.control.Button;
import javafx.util.Duration;
import org.longform.engine.context.ReusePlan;
import org.longform.engine.gen.CancelToken;
import org.longform.engine.runtime.Session;
import org.longform.ui.gen.Summariser;
import org.longform.ui.gen.TextGenerator;
import org.longform.ui.panels.MemoryPanel;
import org.longform.ui.prompt.AssembledPrompt;
import org.longform.ui.prompt.PromptAssembler;
import org.longform.ui.story.Chapters;
import org.longform.ui.story.StorySummary;

/**
 * The story so far in the editor: when chapters leave the model's view, the notice bar offers to
 * summarise them (the model writes a draft on the model worker, or the writer does); the draft
 * stays out of the prompt until the writer applies it, and the panel and the notice say what
 * applying costs (the window after memory is read again once, at the measured prefill rate).
 */
public final class SummaryController {
    private final AppConfig config;
    private final ModelManager model;
    private final GenerationController gen;
    private final Supplier<StorySession> active;
    private final NoticeBar notice;
    private final MemoryPanel panel;
    private final Runnable showPanel;
    private final PauseTransition recost = new PauseTransition(Duration.millis(150));
    private final InvalidationListener onPrompt = x -> check();
    private final InvalidationListener onDraft = x -> recost.playFromStart();
    /** Per story: how many chapters were pending when the writer said "Not now" (offered again when more leave). */
    private static final String OFFER = " left the model's view";

    private final Map<StorySession, Integer> dismissed = new WeakHashMap<>();

    private StorySession watched;
    private StorySession awaiting; // a model-written draft waits for the writer: the cache keeps its state till then
    private CancelToken running;
    private boolean offering;
    private final Button offerSummarise = button("notice-summarise", "Summarise", () -> {});
    private final Button offerWrite = button("notice-summary-write", "Write it myself", () -> {});
    private final Button offerLater = button("notice-summary-later", "Not now", () -> {});
    private String cost = "";
    private String checked = ""; // what the last check looked at: chapters only leave the view when the cut moves

    public SummaryController(
            AppConfig config,
            ModelManager model,
            GenerationController gen,
            Supplier<StorySession> active,
            NoticeBar notice,
            MemoryPanel panel,
            Runnable showPanel) {
        this.config = config;
        this.model = model;
        this.gen = gen;
        this.active = active;
        this.notice = notice;
        this.panel = panel;
        this.showPanel = showPanel;
        recost.setOnFinished(e -> recost());
        panel.summaryApply().setOnAction(e -> apply());
        panel.summaryDiscard().setOnAction(e -> discard());
        panel.summarise().setOnAction(e -> summarise(active.get(), null));
        gen.prefillRateProperty().addListener(onDraft);
    }

    /** Follows the active tab's story. */
    public void watch(StorySession s) {
        if (watched != null) {
            watched.promptProperty().removeListener(onPrompt);
            watched.summaryDraftProperty().removeListener(onDraft);
            watched.summaryProperty().removeListener(onDraft);
            watched.summaryOfferProperty().removeListener(onPrompt);
        }
        watched = s;
        checked = "";
        hideOffer();
        if (s == null) return;
        s.promptProperty().addListener(onPrompt);
        s.summaryDraftProperty().addListener(onDraft);
        s.summaryProperty().addListener(onDraft);
        s.summaryOfferProperty().addListener(onPrompt);
        recost.playFromStart();
        check();
    }

    /**
     * True while a draft the model wrote waits for the writer: the background warm holds off, since
     * summarising replaced the window in the cache and applying will read it again anyway.
     */
    public boolean holdsWarm(StorySession s) {
        return awaiting == s || running != null;
    }

    /** The line the panel and the notice show: what applying the draft recomputes, and how long that takes. */
    public String cost() {
        return cost;
    }

    /** FX thread: the chapters out of view and not covered, counted on the I/O worker; offered on the notice bar. */
    void check() {
        StorySession s = active.get();
        AssembledPrompt p = s == null ? null : s.promptProperty().get();
        if (s == null || p == null || model.get() == null || running != null) return;
        if (!s.summaryOfferProperty().get() || p.storyCut() <= 0) {
            checked = "";
            hideOffer();
            return;
        }
        String text = s.editor().text();
        List<StorySummary.Covered> covered = s.draftCoveredProperty().get();
        int cut = Math.min(p.storyCut(), text.length());
        // Finding the headings reads the whole manuscript: only when the view's start or the covered chapters changed.
        String key = cut + "/" + covered.size() + "/" + dismissed.getOrDefault(s, -1);
        if (key.equals(checked)) return;
        checked = key;
        config.io().execute(() -> {
            List<Chapters.Chapter> pending = StorySummary.pending(text, cut, covered);
            config.fx().accept(() -> offer(s, pending));
        });
    }

    private void offer(StorySession s, List<Chapters.Chapter> pending) {
        if (active.get() != s || running != null || !s.summaryOfferProperty().get()) return;
        if (pending.isEmpty()) {
            hideOffer();
            return;
        }
        if (dismissed.getOrDefault(s, -1) >= pending.size()) return;
        if (notice.isVisible() && !offering) {
            checked = ""; // an error or a recovery offer is more urgent: offer at the next check
            return;
        }
        // The same three buttons each time, their actions renewed: the offer is re-made whenever the view's
        // start moves (every recount while writing at the end), and new buttons would rebuild the bar.
        offerSummarise.setOnAction(e -> summarise(s, pending));
        offerWrite.setOnAction(e -> writeYourself(s, pending));
        offerLater.setOnAction(e -> {
            dismissed.put(s, pending.size());
            hideOffer();
        });
        String what = pending.size() == 1 ? "1 chapter" : pending.size() + " chapters";
        notice.show(
                what + OFFER + " - summarise them? The summary sits after memory: applying it"
                        + " recomputes the window once.",
                "notice-info",
                offerSummarise,
                offerWrite,
                offerLater);
        offering = true;
    }

    private void hideOffer() {
        // The writer may have closed it (✕) and something else may show now: hide only the offer.
        if (offering && notice.message().contains(OFFER)) notice.hide();
        offering = false;
    }

    /** The model writes one entry per chapter, off the FX thread, into the draft; nothing is applied yet. */
    void summarise(StorySession s, List<Chapters.Chapter> given) {
        TextGenerator g = model.get();
        if (s == null || g == null || running != null) return;
        AssembledPrompt p = s.promptProperty().get();
        String text = s.editor().text();
        StorySummary.Draft from = new StorySummary.Draft(
                s.summaryDraftProperty().get(), s.draftCoveredProperty().get());
        List<Chapters.Chapter> chapters = given != null
                ? given
                : StorySummary.pending(text, p == null ? 0 : Math.min(p.storyCut(), text.length()), from.covered());
        offering = false;
        if (chapters.isEmpty()) {
            notice.info("Nothing to summarise: no chapter has left the model's view.");
            return;
        }
        CancelToken c = new CancelToken();
        running = c;
        Button stop = button("notice-summary-stop", "Stop", c::cancel);
        notice.show(
                "Summarising " + chapters.size() + (chapters.size() == 1 ? " chapter" : " chapters") + "…",
                "notice-info",
                stop);
        if (gen.cacheKeeper() != null) gen.cacheKeeper().pause();
        String memory = s.memoryProperty().get();
        String applied = s.summaryProperty().get().text();
        var sampler = s.samplingProperty().get();
        int window = gen.effectiveContext(g);
        double measured = gen.prefillRateProperty().get();
        boolean approximate = gen.reuse() == Session.Reuse.APPROXIMATE;
        config.modelWorker().execute(() -> {
            Summariser.Result r;
            String line;
            try {
                r = Summariser.summarise(g, memory, from, text, chapters, window, sampler, null, c);
                // The cost goes into the notice with the draft, so it is said before the writer can apply it.
                double rate = r.recomputed() >= 32 && r.prefillNanos() > 0
                        ? r.recomputed() / (r.prefillNanos() / 1e9)
                        : measured;
                line = costLine(g, applied, r.draft().text(), p, rate, approximate);
            } catch (RuntimeException e) {
                String why = e.getMessage() == null ? e.toString() : e.getMessage();
                config.fx().accept(() -> {
                    running = null;
                    notice.error("Summarising failed: " + why);
                });
                return;
            }
            config.fx().accept(() -> done(s, r, line));
        });
    }

    private void done(StorySession s, Summariser.Result r, String costLine) {
        running = null;
        gen.measuredPrefill(r.recomputed(), r.prefillNanos());
        if (r.chapters() == 0) {
            notice.info("Summarising stopped; nothing was changed.");
            return;
        }
        s.proposeSummary(r.draft());
        awaiting = s;
        cost = costLine;
        panel.showSummaryCost(costLine);
        String line = String.format(
                "The model summarised %d %s (it read %,d tokens and wrote %,d)."
                        + " Review it in Memory ▸ Story so far. %s",
                r.chapters(), r.chapters() == 1 ? "chapter" : "chapters", r.recomputed(), r.generated(), cost);
        notice.show(
                line,
                "notice-info",
                button("notice-summary-apply", "Apply", this::apply),
                button("notice-summary-review", "Review", showPanel),
                button("notice-summary-discard", "Discard", this::discard));
    }

    /** The writer writes the entries: one "TITLE: " line per chapter is added to the draft, in the panel. */
    void writeYourself(StorySession s, List<Chapters.Chapter> chapters) {
        String text = s.summaryDraftProperty().get();
        for (Chapters.Chapter ch : chapters) text = StorySummary.append(text, ch.title(), "");
        s.proposeSummary(new StorySummary.Draft(
                text, StorySummary.plus(s.draftCoveredProperty().get(), chapters)));
        hideOffer();
        showPanel.run();
    }

    /** The draft goes into the prompt; the next generation (or the idle warm) reads the window after memory. */
    void apply() {
        StorySession s = active.get();
        if (s == null) return;
        s.applySummary();
        if (awaiting == s) awaiting = null;
        if (!offering && notice.message().startsWith("The model summarised")) notice.hide();
        panel.showSummaryCost("");
    }

    void discard() {
        StorySession s = active.get();
        if (s == null) return;
        s.discardSummaryDraft();
        if (awaiting == s) awaiting = null;
        if (!offering && notice.message().startsWith("The model summarised")) notice.hide();
    }

    /**
     * What applying the draft costs, counted on the I/O worker with the model's tokenizer: memory and
     * the start the old and new summaries share stay cached; the rest of the window is read again.
     */
    private void recost() {
        StorySession s = active.get();
        TextGenerator g = model.get();
        if (s == null || g == null || !s.summaryDraftedProperty().get()) {
            cost = "";
            panel.showSummaryCost("");
            return;
        }
        String applied = s.summaryProperty().get().text(),
                draft = s.summaryDraftProperty().get();
        AssembledPrompt p = s.promptProperty().get();
        double rate = gen.prefillRateProperty().get();
        boolean approximate = gen.reuse() == Session.Reuse.APPROXIMATE;
        config.io().execute(() -> {
            String line;
            try {
                line = costLine(g, applied, draft, p, rate, approximate);
            } catch (RuntimeException e) {
                return; // the model closed meanwhile; the next change counts again
            }
            config.fx().accept(() -> {
                if (active.get() != s) return;
                cost = line;
                panel.showSummaryCost(line);
            });
        });
    }

    static String costLine(
            TextGenerator g, String applied, String draft, AssembledPrompt p, double rate, boolean approximate) {
        int[] before = g.encode(PromptAssembler.pinnedText(applied));
        int[] after = g.encode(PromptAssembler.pinnedText(draft));
        int shared = ReusePlan.commonPrefix(before, before.length, after);
        int own = after.length - shared;
        int window =
                p == null ? own : Math.max(own, p.total() - p.memoryTokens() - shared + after.length - before.length);
        String time = rate > 0
                ? String.format("~%s at the measured rate (%,.0f tokens/s)", seconds(window / rate), rate)
                : "time not known until the model has read a prompt";
        if (approximate)
            return String.format(
                    "Applying recomputes ~%,d tokens now (approximate reuse); the ~%,d after memory are repaired"
                            + " while you pause, %s.",
                    own, window, time);
        return String.format("Applying recomputes ~%,d tokens (the window after memory), %s.", window, time);
    }

    private static String seconds(double s) {
        if (s < 1) return "under a second";
        if (s < 90) return String.format("%.0f s", s);
        if (s < 5400) return String.format("%.0f min", s / 60);
        return String.format("%.1f h", s / 3600);
    }

    private static Button button(String id, String label, Runnable action) {
        Button b = new Button(label);
        b.setId(id);
        b.setOnAction(e -> action.run());
        return b;
    }
}
