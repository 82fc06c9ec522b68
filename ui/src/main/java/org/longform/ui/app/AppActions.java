package org.longform.ui.app;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import javafx.beans.InvalidationListener;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.binding.BooleanExpression;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.value.ChangeListener;
import javafx.beans.value.ObservableBooleanValue;
import javafx.scene.Scene;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.RadioMenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.ToolBar;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import org.longform.ui.editor.StoryEditor;

/** Every command of the app as an {@link Action}, and the menu bar and toolbar built from them. */
public final class AppActions {
    private final MainWindow w;
    private final Map<String, Action> all = new LinkedHashMap<>();
    private final Label branchLabel = new Label();
    private final InvalidationListener branchListener = o -> showBranch();
    private StoryEditor branchEditor;

    AppActions(MainWindow w) {
        this.w = w;
        ObjectProperty<StorySession> active = w.activeProperty();
        GenerationController gen = w.gen;
        BooleanBinding noStory = active.isNull();
        BooleanBinding busy = gen.generatingProperty().or(noStory);
        BooleanBinding noModel = w.model.generatorProperty().isNull();

        add("new", "New story", "Shortcut+N", null, w::newStory);
        add("open", "Open…", "Shortcut+O", null, w.files::openDialog);
        add("import-kobold", "Import KoboldAI story…", null, null, w.files::importKoboldDialog);
        add("save", "Save", "Shortcut+S", noStory, w.files::save);
        add("save-as", "Save as…", "Shortcut+Shift+S", noStory, w.files::saveAsDialog);
        add("export-txt", "Export as text…", null, noStory, () -> w.files.exportDialog(false));
        add("export-md", "Export as Markdown…", null, noStory, () -> w.files.exportDialog(true));
        add("export-epub", "Export as EPUB…", null, noStory, w.files::exportEpubDialog);
        add("close", "Close story", "Shortcut+W", noStory, () -> w.closeStory(currentTab()));
        add("history", "Version history…", null, busy, w::showHistory);
        add("quit", "Quit", "Shortcut+Q", null, w::quit);

        add("generate", "Generate", "Shortcut+Enter", busy.or(noModel), () -> gen.generate(w.active()));
        add("stop", "Stop", "Esc", gen.generatingProperty().not(), gen::stop);
        add(
                "retry",
                "Retry",
                "Shortcut+R",
                busy.or(noModel)
                        .or(flag(s -> s.editor().lastIsGenerationProperty()).not()),
                () -> gen.retry(w.active()));
        add(
                "alternatives",
                "Show the model's alternatives here",
                "Alt+Down",
                busy,
                () -> w.choices().showAtCaret(w.active()));
        add(
                "retry-span",
                "Retry this generated span",
                "Shortcut+Shift+R",
                busy.or(noModel),
                () -> w.choices().retrySpanAtCaret(w.active()));
        add(
                "undo",
                "Undo",
                "Shortcut+Z",
                busy.or(flag(s -> s.editor().canUndoProperty()).not()),
                () -> w.active().editor().undo());
        add(
                "redo",
                "Redo",
                "Shortcut+Shift+Z",
                busy.or(flag(s -> s.editor().canRedoProperty()).not()),
                () -> w.active().editor().redo());
        add(
                "prev-branch",
                "Previous alternative",
                "Alt+Left",
                busy.or(branchAt(-1).not()),
                () -> flip(-1));
        add("next-branch", "Next alternative", "Alt+Right", busy.or(branchAt(1).not()), () -> flip(1));
        add(
                "accept",
                "Accept generated text (plain style)",
                null,
                busy,
                () -> w.active().editor().acceptGenerated());
        add("find", "Find…", "Shortcut+F", noStory, () -> w.tools().findBar().open(false));
        add(
                "replace",
                "Replace…",
                "Shortcut+H",
                noStory,
                () -> w.tools().findBar().open(true));
        add("zoom-in", "Larger text", "Shortcut+Plus", null, () -> w.tools().zoom(1));
        add("zoom-out", "Smaller text", "Shortcut+Minus", null, () -> w.tools().zoom(-1));
        add(
                "zoom-reset",
                "Default text size",
                "Shortcut+0",
                null,
                () -> w.tools().zoom(0));
        add(
                "full-screen",
                "Distraction-free full screen",
                "F11",
                null,
                () -> w.tools().toggleDistractionFree());
        add(
                "layout",
                "Font and layout…",
                null,
                null,
                () -> w.tools()
                        .showLayoutDialog(
                                w.stage, sc -> Themes.apply(sc, w.prefs().theme())));

        add("models", "Models…", null, null, () -> w.showModels(false));
        add("download-model", "Download a model…", null, null, () -> w.showModels(true));
        add("system-check", "System check…", null, null, () -> w.firstRun().showSystemCheck(w.firstRunHooks()));
        add("demo-model", "Use demo model", null, gen.generatingProperty(), () -> w.loadModel(w.config.defaultModel()));
        add("connect-remote", "Connect to server…", null, gen.generatingProperty(), w.remote::showDialog);
        add("engine-settings", "Engine settings…", null, gen.generatingProperty(), w.engine::showDialog);

        for (String id : new String[] {"undo", "redo", "prev-branch", "next-branch", "alternatives"})
            all.get(id).storyKeysOnly();
        active.addListener((o, a, s) -> updateBranchLabel());
        branchLabel.setId("branch-label");
    }

    private void add(String id, String text, String key, BooleanExpression disabled, Runnable r) {
        all.put(id, new Action(id, text, key, disabled, r));
    }

    public Action get(String id) {
        return all.get(id);
    }

    private Tab currentTab() {
        return ((TabPane) w.scene().lookup("#stories")).getSelectionModel().getSelectedItem();
    }

    /** A boolean of the active story's editor that follows tab switches. */
    private BooleanExpression flag(Function<StorySession, ObservableBooleanValue> f) {
        BooleanProperty out = new SimpleBooleanProperty();
        ChangeListener<StorySession> rebind = (o, a, s) -> {
            out.unbind();
            if (s != null) out.bind(f.apply(s));
            else out.set(false);
        };
        w.activeProperty().addListener(rebind);
        rebind.changed(w.activeProperty(), null, w.active());
        return out;
    }

    private BooleanExpression branchAt(int delta) {
        return flag(s -> {
            var count = s.editor().alternativesProperty();
            var index = s.editor().alternativeIndexProperty();
            return Bindings.createBooleanBinding(
                    () -> {
                        int i = index.get() + delta;
                        return count.get() > 1 && i >= 0 && i < count.get();
                    },
                    count,
                    index);
        });
    }

    private void flip(int delta) {
        var ed = w.active().editor();
        ed.showAlternative(ed.alternativeIndexProperty().get() + delta);
    }

    /** Follows the active story's editor: the listener moves with the tab instead of piling up on every switch. */
    private void updateBranchLabel() {
        if (branchEditor != null) {
            branchEditor.alternativesProperty().removeListener(branchListener);
            branchEditor.alternativeIndexProperty().removeListener(branchListener);
        }
        StorySession s = w.active();
        branchEditor = s == null ? null : s.editor();
        if (branchEditor != null) {
            branchEditor.alternativesProperty().addListener(branchListener);
            branchEditor.alternativeIndexProperty().addListener(branchListener);
        }
        showBranch();
    }

    private void showBranch() {
        StoryEditor ed = branchEditor;
        branchLabel.setText(
                ed != null && ed.alternativesProperty().get() > 1
                        ? "Alternative " + (ed.alternativeIndexProperty().get() + 1) + " of "
                                + ed.alternativesProperty().get()
                        : "");
    }

    public MenuBar menuBar() {
        Menu file = new Menu("File");
        Menu recent = new Menu("Open recent");
        recent.setOnShowing(e -> {
            recent.getItems().clear();
            for (String r : w.prefs().recent()) {
                MenuItem m = new MenuItem(r);
                m.setOnAction(x -> w.files.open(Path.of(r)));
                recent.getItems().add(m);
            }
            if (recent.getItems().isEmpty()) recent.getItems().add(disabledItem("(none yet)"));
        });
        recent.getItems().add(disabledItem("(none yet)"));
        file.getItems()
                .addAll(
                        item("new"),
                        item("open"),
                        recent,
                        item("import-kobold"),
                        new SeparatorMenuItem(),
                        item("save"),
                        item("save-as"),
                        item("export-txt"),
                        item("export-md"),
                        item("export-epub"),
                        new SeparatorMenuItem(),
                        item("history"),
                        new SeparatorMenuItem(),
                        item("close"),
                        item("quit"));
        Menu edit = new Menu("Edit");
        edit.getItems()
                .addAll(
                        item("undo"),
                        item("redo"),
                        new SeparatorMenuItem(),
                        item("find"),
                        item("replace"),
                        new SeparatorMenuItem(),
                        item("accept"));
        Menu generate = new Menu("Generate");
        CheckMenuItem atCursor = new CheckMenuItem("Generate at the cursor (instead of the end)");
        atCursor.setId("menu-at-cursor");
        w.activeProperty().addListener((o, a, s) -> {
            if (a != null) atCursor.selectedProperty().unbindBidirectional(a.generateAtCursorProperty());
            if (s != null) atCursor.selectedProperty().bindBidirectional(s.generateAtCursorProperty());
        });
        generate.getItems()
                .addAll(
                        item("generate"),
                        item("stop"),
                        item("retry"),
                        item("retry-span"),
                        item("alternatives"),
                        new SeparatorMenuItem(),
                        item("prev-branch"),
                        item("next-branch"),
                        new SeparatorMenuItem(),
                        atCursor);
        Menu modelMenu = new Menu("Model");
        modelMenu
                .getItems()
                .addAll(
                        item("models"),
                        item("download-model"),
                        item("connect-remote"),
                        item("engine-settings"),
                        item("demo-model"));
        Menu view = new Menu("View");
        ToggleGroup themes = new ToggleGroup();
        RadioMenuItem light = new RadioMenuItem("Light theme");
        RadioMenuItem dark = new RadioMenuItem("Dark theme");
        light.setToggleGroup(themes);
        dark.setToggleGroup(themes);
        (w.prefs().theme().equals("dark") ? dark : light).setSelected(true);
        light.setOnAction(e -> w.setTheme("light"));
        dark.setOnAction(e -> w.setTheme("dark"));
        view.getItems()
                .addAll(
                        light,
                        dark,
                        new SeparatorMenuItem(),
                        item("layout"),
                        item("zoom-in"),
                        item("zoom-out"),
                        item("zoom-reset"),
                        item("full-screen"));
        Menu help = new Menu("Help");
        help.getItems().add(item("system-check"));
        MenuBar bar = new MenuBar(file, edit, generate, modelMenu, view, help);
        bar.setUseSystemMenuBar(true);
        return bar;
    }

    public ToolBar toolBar() {
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        ToolBar tb = new ToolBar(
                all.get("generate").button("▶ Generate"),
                all.get("stop").button("■ Stop"),
                all.get("retry").button("↻ Retry"),
                all.get("undo").button("↶ Undo"),
                all.get("redo").button("↷ Redo"),
                all.get("prev-branch").button("◀"),
                branchLabel,
                all.get("next-branch").button("▶"),
                grow,
                modelLabel());
        tb.setId("toolbar");
        return tb;
    }

    /** The model in use, in the toolbar; the demo model is named as such, always visible. */
    private Label modelLabel() {
        Label l = new Label("No model");
        l.setId("toolbar-model");
        Runnable update = () -> {
            var m = w.model.infoProperty().get();
            boolean loading = w.model.loadingProperty().get();
            l.getStyleClass().remove("demo-badge");
            if (loading) l.setText("Loading model…");
            else if (m == null) l.setText("No model");
            else if (m.demo()) {
                l.setText(
                        "Demo model — writes story-shaped English, not good fiction; the real model is mosaicml/mpt-7b-storywriter");
                l.getStyleClass().add("demo-badge");
            } else if (m.isRemote())
                l.setText(m.name() + " · " + String.format("%,d", m.contextWindow()) + "-token window");
            else l.setText(m.name() + " · " + String.format("%,d", m.trainedContext()) + "-token training context");
        };
        w.model.infoProperty().addListener(x -> update.run());
        w.model.loadingProperty().addListener(x -> update.run());
        update.run();
        return l;
    }

    public void installShortcuts(Scene scene) {
        for (Action a : all.values()) a.installShortcut(scene);
        // Second redo key (Ctrl+Y), as many writers expect.
        KeyCombination y = new KeyCodeCombination(KeyCode.Y, KeyCombination.SHORTCUT_DOWN);
        // Ctrl+= and the keypad's + - 0 zoom too (Ctrl++ needs Shift on most keyboards).
        Map<KeyCombination, String> zoomKeys = Map.of(
                new KeyCodeCombination(KeyCode.EQUALS, KeyCombination.SHORTCUT_DOWN, KeyCombination.SHIFT_ANY),
                "zoom-in",
                new KeyCodeCombination(KeyCode.ADD, KeyCombination.SHORTCUT_DOWN),
                "zoom-in",
                new KeyCodeCombination(KeyCode.SUBTRACT, KeyCombination.SHORTCUT_DOWN),
                "zoom-out",
                new KeyCodeCombination(KeyCode.NUMPAD0, KeyCombination.SHORTCUT_DOWN),
                "zoom-reset");
        scene.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            for (var z : zoomKeys.entrySet()) {
                if (z.getKey().match(e)) {
                    all.get(z.getValue()).run();
                    e.consume();
                    return;
                }
            }
        });
        scene.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            Action redo = all.get("redo");
            if (y.match(e) && !redo.yieldsTo(scene.getFocusOwner())) {
                redo.run();
                e.consume();
            }
        });
    }

    private MenuItem item(String id) {
        return all.get(id).menuItem();
    }

    private static MenuItem disabledItem(String text) {
        MenuItem m = new MenuItem(text);
        m.setDisable(true);
        return m;
    }
}
