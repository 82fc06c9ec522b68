package org.longform.ui.tools;

import java.time.LocalDate;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import javafx.animation.PauseTransition;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.value.ChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Region;
import javafx.util.Duration;
import org.longform.ui.app.StorySession;

/**
 * The live counts under the story: words, characters and tokens of the story and of the
 * selection, words written this session (since the app opened the story) and today against the
 * daily goal. Words and characters are counted on the FX thread a moment after a change (a
 * 3-million-character novel takes 20-40 ms); tokens on a worker of their own with the model's
 * tokenizer, through {@link TokenTally} so only changed lines are tokenized again.
 */
public final class WritingStats extends HBox {
    private final Label story = new Label();
    private final Label selection = new Label();
    private final Label session = new Label();
    private final Label today = new Label();
    private final ProgressBar goalBar = new ProgressBar();
    private final Supplier<ToIntFunction<String>> tokenizer;
    private final Executor words;
    private final Executor io;
    private TokenTally tally;
    private ToIntFunction<String> tallied;
    private final Consumer<Runnable> fx;
    private final Supplier<EditorPrefs> prefs;
    private final Consumer<EditorPrefs> savePrefs;
    private final PauseTransition recount = new PauseTransition(Duration.millis(250));
    private final PauseTransition retokenize = new PauseTransition(Duration.millis(1000));
    private final AtomicLong tokenRequest = new AtomicLong();
    private final AtomicLong countRequest = new AtomicLong();
    private final Map<StorySession, Integer> openedWith = new IdentityHashMap<>();
    private final Map<StorySession, Integer> lastWords = new IdentityHashMap<>();

    private final IntegerProperty storyWords = new SimpleIntegerProperty();
    private final IntegerProperty storyChars = new SimpleIntegerProperty();
    private final IntegerProperty storyTokens = new SimpleIntegerProperty(-1);
    private final IntegerProperty selectionWords = new SimpleIntegerProperty();
    private final IntegerProperty selectionTokens = new SimpleIntegerProperty(-1);
    private final IntegerProperty sessionWords = new SimpleIntegerProperty();
    private final IntegerProperty todayWords = new SimpleIntegerProperty();

    private StorySession watched;
    private final ChangeListener<Number> onEdit = (o, a, b) -> {
        recount.playFromStart();
        retokenize.playFromStart();
    };
    private final ChangeListener<String> onSelect = (o, a, b) -> countSelection();
    private String day = LocalDate.now().toString();
    private int earlierToday;

    /**
     * @param tokenizer the loaded model's token counter, or null while none is loaded; the same
     *                  object while the same model is loaded (its counts are remembered per object)
     * @param words     where words and characters are counted (War and Peace: 20-100 ms, too
     *                  long for the FX thread)
     * @param io        where tokens are counted (not the autosave thread, nor {@code words}: a
     *                  first count of a novel takes seconds)
     * @param prefs     where the daily goal and today's words are kept
     */
    public WritingStats(
            Supplier<ToIntFunction<String>> tokenizer,
            Executor words,
            Executor io,
            Consumer<Runnable> fx,
            Supplier<EditorPrefs> prefs,
            Consumer<EditorPrefs> savePrefs) {
        this.tokenizer = tokenizer;
        this.words = words;
        this.io = io;
        this.fx = fx;
        this.prefs = prefs;
        this.savePrefs = savePrefs;
        setId("writing-stats");
        getStyleClass().add("writing-stats");
        setSpacing(14);
        setPadding(new Insets(2, 10, 2, 10));
        setAlignment(Pos.CENTER_LEFT);
        story.setId("stats-story");
        selection.setId("stats-selection");
        session.setId("stats-session");
        today.setId("stats-today");
        goalBar.setId("stats-goal");
        goalBar.setPrefWidth(90);
        for (Label l : new Label[] {story, selection, session, today}) l.setMinWidth(Region.USE_PREF_SIZE);
        getChildren().addAll(story, selection, session, today, goalBar);
        EditorPrefs p = prefs.get();
        earlierToday = day.equals(p.goalDay()) ? p.writtenToday() : 0;
        recount.setOnFinished(e -> count());
        retokenize.setOnFinished(e -> countTokens());
        show();
    }

    /** Follows the story of the active tab (null: none). */
    public void watch(StorySession s) {
        if (watched != null) {
            watched.editor().revisionProperty().removeListener(onEdit);
            watched.editor().area().selectedTextProperty().removeListener(onSelect);
        }
        watched = s;
        if (s != null) {
            openedWith.computeIfAbsent(s, x -> TextCounts.words(x.editor().text()));
            s.editor().revisionProperty().addListener(onEdit);
            s.editor().area().selectedTextProperty().addListener(onSelect);
        }
        storyTokens.set(-1);
        count();
        countSelection();
        countTokens();
    }

    /** A story tab closed: its session words stay in today's total. */
    public void forget(StorySession s) {
        Integer opened = openedWith.remove(s), last = lastWords.remove(s);
        if (opened != null && last != null) earlierToday += Math.max(0, last - opened);
    }

    /** Counts again (the debounce calls this); the numbers arrive a moment later, from the counting thread. */
    public void count() {
        rollDay();
        StorySession s = watched;
        long request = countRequest.incrementAndGet();
        if (s == null) {
            storyWords.set(0);
            storyChars.set(0);
            sessionWords.set(0);
            updateToday();
            return;
        }
        String text = s.editor().text();
        words.execute(() -> {
            if (countRequest.get() != request) return;
            int w = TextCounts.words(text), c = TextCounts.characters(text);
            fx.accept(() -> {
                if (countRequest.get() != request || watched != s) return;
                storyWords.set(w);
                storyChars.set(c);
                lastWords.put(s, w);
                sessionWords.set(w - openedWith.getOrDefault(s, w));
                updateToday();
            });
        });
    }

    private void updateToday() {
        int written = earlierToday;
        for (var e : openedWith.entrySet()) {
            written += Math.max(0, lastWords.getOrDefault(e.getKey(), e.getValue()) - e.getValue());
        }
        if (written != todayWords.get()) {
            todayWords.set(written);
            savePrefs.accept(prefs.get().withWritten(day, written));
        }
        show();
    }

    private void rollDay() {
        String now = LocalDate.now().toString();
        if (now.equals(day)) return;
        // Past midnight: yesterday's words stay yesterday's; counting starts again from here.
        day = now;
        earlierToday = 0;
        for (var e : openedWith.entrySet()) e.setValue(lastWords.getOrDefault(e.getKey(), e.getValue()));
    }

    private void countSelection() {
        StorySession s = watched;
        String sel = s == null ? "" : s.editor().area().getSelectedText();
        selectionWords.set(TextCounts.words(sel));
        selectionTokens.set(-1);
        ToIntFunction<String> t = tokenizer.get();
        if (t != null && !sel.isEmpty() && sel.length() <= 200_000) {
            io.execute(() -> {
                int n = t.applyAsInt(sel);
                fx.accept(() -> {
                    if (watched == s && s.editor().area().getSelectedText().equals(sel)) {
                        selectionTokens.set(n);
                        show();
                    }
                });
            });
        }
        show();
    }

    private void countTokens() {
        StorySession s = watched;
        ToIntFunction<String> t = tokenizer.get();
        long request = tokenRequest.incrementAndGet();
        if (s == null || t == null) {
            storyTokens.set(-1);
            show();
            return;
        }
        String text = s.editor().text();
        if (tallied != t) {
            tally = new TokenTally(t);
            tallied = t;
        } // another model: its own counts
        TokenTally counter = tally;
        io.execute(() -> {
            if (tokenRequest.get() != request) return; // a newer edit already asked again
            int n = counter.count(text);
            fx.accept(() -> {
                if (tokenRequest.get() == request) {
                    storyTokens.set(n);
                    show();
                }
            });
        });
    }

    /** The model changed: counts in its tokens. */
    public void modelChanged() {
        countTokens();
        countSelection();
    }

    private void show() {
        story.setText(String.format("%,d words · %,d characters", storyWords.get(), storyChars.get())
                + (storyTokens.get() >= 0 ? String.format(" · %,d tokens", storyTokens.get()) : ""));
        String sel = watched == null ? "" : watched.editor().area().getSelectedText();
        String selTokens = selectionTokens.get() >= 0 ? String.format(" · %,d tokens", selectionTokens.get()) : "";
        selection.setText(
                sel.isEmpty()
                        ? ""
                        : String.format(
                                        "Selection: %,d words · %,d characters",
                                        selectionWords.get(), TextCounts.characters(sel))
                                + selTokens);
        int sw = sessionWords.get();
        session.setText(String.format("Session: %s%,d words", sw > 0 ? "+" : "", sw));
        int goal = prefs.get().dailyGoal();
        today.setText(
                goal > 0
                        ? String.format("Today: %,d of %,d words", todayWords.get(), goal)
                        : String.format("Today: %,d words", todayWords.get()));
        goalBar.setVisible(goal > 0);
        goalBar.setManaged(goal > 0);
        goalBar.setProgress(goal > 0 ? Math.min(1.0, todayWords.get() / (double) goal) : 0);
    }

    public IntegerProperty storyWordsProperty() {
        return storyWords;
    }

    public IntegerProperty storyCharsProperty() {
        return storyChars;
    }

    public IntegerProperty storyTokensProperty() {
        return storyTokens;
    }

    public IntegerProperty selectionWordsProperty() {
        return selectionWords;
    }

    public IntegerProperty selectionTokensProperty() {
        return selectionTokens;
    }

    public IntegerProperty sessionWordsProperty() {
        return sessionWords;
    }

    public IntegerProperty todayWordsProperty() {
        return todayWords;
    }
}
