package org.longform.ui.tools;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import javafx.beans.binding.BooleanExpression;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.SplitPane;
import javafx.scene.layout.GridPane;
import javafx.scene.text.Font;
import javafx.stage.Stage;
import org.longform.ui.app.StorySession;

/**
 * The writing tools of the main window: find / replace, live counts and the daily goal, the
 * manuscript's font, size, line spacing and text width (remembered in CONFIG/editor.json), zoom,
 * and the distraction-free full screen. The window creates one and wires its actions.
 */
public final class WritingTools {
    private final Path prefsFile;
    private final Executor io;
    private final Consumer<Runnable> fx;
    private final Supplier<StorySession> active;
    private final List<StorySession> styled = new ArrayList<>();
    private final FindReplaceBar findBar;
    private final WritingStats stats;
    private final BooleanProperty distractionFree = new SimpleBooleanProperty();
    private final ExecutorService worker = daemon("longform-counts");
    private final ExecutorService tokens = daemon("longform-tokens");
    private EditorPrefs prefs;
    private Stage layoutDialog;
    private Runnable enterFullScreen = () -> {}, leaveFullScreen = () -> {};

    public WritingTools(
            Path configDir,
            Executor io,
            Consumer<Runnable> fx,
            Supplier<StorySession> active,
            BooleanExpression busy,
            Supplier<ToIntFunction<String>> tokenizer) {
        this.prefsFile = configDir.resolve("editor.json");
        this.io = io;
        this.fx = fx;
        this.active = active;
        this.prefs = EditorPrefs.load(prefsFile);
        this.findBar = new FindReplaceBar(active, busy, quiet(worker), fx);
        // Token counts get a thread of their own: the first count of a novel takes seconds, and
        // the I/O worker must stay free for autosave.
        this.stats = new WritingStats(tokenizer, quiet(worker), quiet(tokens), fx, () -> prefs, this::setPrefs);
    }

    private static ExecutorService daemon(String name) {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        });
    }

    /** After {@link #close}, work handed in (a debounce firing late) is dropped instead of failing. */
    private static Executor quiet(ExecutorService e) {
        return r -> {
            try {
                e.execute(r);
            } catch (RejectedExecutionException closed) {
                // the window has closed
            }
        };
    }

    /** A thread for counting and parsing a whole manuscript (words, headings), off the FX thread and off autosave's. */
    public Executor worker() {
        return quiet(worker);
    }

    public FindReplaceBar findBar() {
        return findBar;
    }

    /** The window closes: counting and searching stop (their results would have nowhere to go). */
    public void close() {
        worker.shutdownNow();
        tokens.shutdownNow();
    }

    public WritingStats stats() {
        return stats;
    }

    public EditorPrefs prefs() {
        return prefs;
    }

    /** A story became the active tab (or none): counts follow it, its editor gets the look. */
    public void activate(StorySession s) {
        if (s != null && !styled.contains(s)) {
            styled.add(s);
            EditorLook.apply(s.editor().area(), prefs);
        }
        stats.watch(s);
        if (findBar.isVisible()) findBar.updateCount();
    }

    public void closed(StorySession s) {
        styled.remove(s);
        stats.forget(s);
    }

    public void setPrefs(EditorPrefs p) {
        boolean look = !p.withWritten(prefs.goalDay(), prefs.writtenToday()).equals(prefs);
        prefs = p;
        if (look) for (StorySession s : styled) EditorLook.apply(s.editor().area(), p);
        EditorPrefs snapshot = p;
        io.execute(() -> {
            try {
                snapshot.save(prefsFile);
            } catch (IOException ignored) {
                // the look is a convenience; the next change tries again
            }
        });
    }

    // ---- zoom (Ctrl+ / Ctrl- / Ctrl+0) ----

    public void zoom(int steps) {
        double size = steps == 0 ? EditorPrefs.DEFAULT_SIZE : prefs.fontSize() + steps;
        setPrefs(prefs.withFontSize(size));
        if (layoutDialog != null) layoutDialog.close(); // its size field would show a stale value
    }

    // ---- distraction-free full screen (F11) ----

    /**
     * Lets F11 hide {@code chrome} (toolbar, side panels, bars) and take the whole screen; leaving
     * full screen any way (F11, Esc) brings it back.
     */
    public void bindFullScreen(Stage stage, List<Node> chrome, SplitPane split, Node side) {
        enterFullScreen = () -> {
            for (Node n : chrome) {
                n.setVisible(false);
                n.setManaged(false);
            }
            split.getItems().remove(side);
            stage.setFullScreenExitHint("F11 or Esc leaves the distraction-free view");
            stage.setFullScreen(true);
        };
        leaveFullScreen = () -> {
            for (Node n : chrome) {
                n.setVisible(true);
                n.setManaged(true);
            }
            if (!split.getItems().contains(side)) {
                split.getItems().add(side);
                split.setDividerPositions(0.7);
            }
            stage.setFullScreen(false);
        };
        stage.fullScreenProperty().addListener((o, a, full) -> {
            if (!full && distractionFree.get()) toggleDistractionFree();
        });
    }

    public void toggleDistractionFree() {
        distractionFree.set(!distractionFree.get());
        (distractionFree.get() ? enterFullScreen : leaveFullScreen).run();
        StorySession s = active.get();
        if (s != null) s.editor().area().requestFocus();
    }

    public BooleanProperty distractionFreeProperty() {
        return distractionFree;
    }

    // ---- View ▸ Font and layout… ----

    public Stage showLayoutDialog(Stage owner, Consumer<Scene> theme) {
        if (layoutDialog != null && layoutDialog.isShowing()) {
            layoutDialog.toFront();
            return layoutDialog;
        }
        ComboBox<String> family = new ComboBox<>();
        family.setId("look-font");
        family.getItems().add("(theme default)");
        family.getItems().addAll(Font.getFamilies());
        family.setValue(prefs.fontFamily() == null ? "(theme default)" : prefs.fontFamily());
        Spinner<Double> size = new Spinner<>(EditorPrefs.MIN_SIZE, EditorPrefs.MAX_SIZE, prefs.fontSize(), 1);
        size.setId("look-size");
        Spinner<Double> spacing = new Spinner<>(1.0, 3.0, prefs.lineSpacing(), 0.25);
        spacing.setId("look-spacing");
        Spinner<Integer> width = new Spinner<>(0, 4000, prefs.textWidth(), 40);
        width.setId("look-width");
        Spinner<Integer> goal = new Spinner<>(0, 100_000, prefs.dailyGoal(), 250);
        goal.setId("look-goal");
        for (Spinner<?> sp : List.of(size, spacing, width, goal)) sp.setEditable(true);
        Runnable apply = () -> {
            String f = family.getValue();
            setPrefs(new EditorPrefs(
                    f == null || f.startsWith("(") ? null : f,
                    size.getValue(),
                    spacing.getValue(),
                    width.getValue(),
                    goal.getValue(),
                    prefs.goalDay(),
                    prefs.writtenToday()));
            stats.count();
        };
        family.valueProperty().addListener(x -> apply.run());
        for (Spinner<?> sp : List.of(size, spacing, width, goal))
            sp.valueProperty().addListener(x -> apply.run());
        GridPane g = new GridPane(10, 8);
        g.setPadding(new Insets(14));
        g.addRow(0, new Label("Font"), family);
        g.addRow(1, new Label("Size (px; Ctrl+ / Ctrl− / Ctrl+0)"), size);
        g.addRow(2, new Label("Line spacing (1 = single, 2 = double)"), spacing);
        g.addRow(3, new Label("Text width (px; 0 = the whole window)"), width);
        g.addRow(4, new Label("Daily goal (words; 0 = none)"), goal);
        Button close = new Button("Close");
        close.setId("look-close");
        g.add(close, 1, 5);
        Stage st = new Stage();
        st.initOwner(owner);
        st.setTitle("Font and layout");
        Scene sc = new Scene(g);
        theme.accept(sc);
        st.setScene(sc);
        close.setOnAction(e -> st.close());
        layoutDialog = st;
        st.show();
        return st;
    }
}
