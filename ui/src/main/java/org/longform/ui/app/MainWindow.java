package org.longform.ui.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.beans.InvalidationListener;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.geometry.Orientation;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.Tooltip;
import javafx.scene.image.Image;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Screen;
import javafx.stage.Stage;
import javafx.util.Duration;
import org.longform.cli.Cli;
import org.longform.engine.Assets;
import org.longform.hub.SystemCheck;
import org.longform.ui.choices.ChoicesController;
import org.longform.ui.firstrun.FirstRun;
import org.longform.ui.gen.EngineSettings;
import org.longform.ui.models.ModelManagerDialog;
import org.longform.ui.models.ModelServices;
import org.longform.ui.panels.ContextBar;
import org.longform.ui.panels.MemoryPanel;
import org.longform.ui.panels.ModelPanel;
import org.longform.ui.panels.SamplerPanel;
import org.longform.ui.panels.WorldInfoPanel;
import org.longform.ui.prompt.AssembledPrompt;
import org.longform.ui.story.StoryData;
import org.longform.ui.structure.ChapterNavigator;
import org.longform.ui.structure.HistoryBrowser;
import org.longform.ui.tools.WritingTools;

/**
 * The main window: menu and toolbar (from {@link AppActions}), story tabs, the side panels (memory
 * and author's note, world info, sampler, model), the context bar and the status line. It wires
 * the parts together; the parts do the work.
 */
public final class MainWindow {
    final AppConfig config;
    final Stage stage;
    final AutosaveStore store;
    final ModelManager model;
    final GenerationController gen;
    final ContextMonitor monitor;
    private final CacheKeeper keeper;
    private SummaryController summaries;
    private final Label cacheStatus = new Label();
    final FileCommands files;
    final RemoteCommands remote;
    final EngineCommands engine;
    final WritingTools tools;
    Prefs prefs;

    private final TabPane tabs = new TabPane();
    private final Map<Tab, StorySession> sessions = new LinkedHashMap<>();
    private final Map<StorySession, Autosaver> autosavers = new LinkedHashMap<>();
    private final ObjectProperty<StorySession> active = new SimpleObjectProperty<>();
    private final MemoryPanel memoryPanel = new MemoryPanel();
    private final WorldInfoPanel worldInfoPanel = new WorldInfoPanel();
    private final SamplerPanel samplerPanel = new SamplerPanel();
    private final ModelPanel modelPanel = new ModelPanel();
    private final ChapterNavigator chapters;
    private final ChoicesController choices;
    private Object countedBy;
    private ToIntFunction<String> tokenCount;
    private final ContextBar contextBar = new ContextBar();
    private final NoticeBar notice = new NoticeBar();
    private final Label genStatus = new Label();
    private final Label saveStatusLabel = new Label();
    private final StringProperty saveStatus = new SimpleStringProperty("");
    private final ProgressBar prefillBar = new ProgressBar();
    private final AppActions actions;
    private final Scene scene;
    // The model manager and the first-run screen live in their own classes; the window only holds them.
    private ModelServices modelServices;
    private ModelManagerDialog modelsDialog;
    private FirstRun firstRun;

    public MainWindow(AppConfig config, Stage stage) {
        this.config = config;
        this.stage = stage;
        this.store = new AutosaveStore(config.configDir(), config.pid());
        this.prefs = Prefs.load(config.configDir().resolve("prefs.json"));
        this.model = new ModelManager(config);
        this.gen = new GenerationController(config, model, () -> prefs.promptCap());
        this.monitor = new ContextMonitor(config, model, gen, active::get);
        this.keeper = new CacheKeeper(
                config, CacheKeeper.defaultRoot(config.configDir()), CacheKeeper.defaultCap(config.configDir()));
        gen.setCache(keeper, () -> prefs.approximateReuse());
        monitor.setOnIdle((s, in) -> {
            // A summary the model just wrote replaced the window in the cache: warm once it is applied or not.
            if (summaries == null || !summaries.holdsWarm(s))
                keeper.idle(s, model.get(), in, s.samplingProperty().get(), gen.reuse());
        });
        this.files = new FileCommands(this);
        this.remote = new RemoteCommands(this);
        this.engine = new EngineCommands(this);
        this.tools = new WritingTools(
                config.configDir(), config.io(), config.fx(), active::get, gen.generatingProperty(), this::tokenCount);
        this.chapters = new ChapterNavigator(tools.worker(), config.fx());
        this.choices = new ChoicesController(gen, model::get);
        this.actions = new AppActions(this);

        tabs.setId("stories");
        tabs.getSelectionModel()
                .selectedItemProperty()
                .addListener((o, a, t) -> activate(t == null ? null : sessions.get(t)));
        TabPane side = new TabPane(
                sideTab("Memory", memoryPanel),
                sideTab("World info", worldInfoPanel),
                sideTab("Sampler", samplerPanel),
                sideTab("Model", modelPanel),
                new Tab("Chapters", chapters));
        side.setId("side");
        this.summaries = new SummaryController(config, model, gen, active::get, notice, memoryPanel, () -> {
            side.getSelectionModel().select(0);
            memoryPanel.focusSummary();
        });
        side.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        side.setMinWidth(280);
        VBox.setVgrow(tabs, Priority.ALWAYS);
        SplitPane split = new SplitPane(new VBox(tabs, tools.stats()), side);
        split.setOrientation(Orientation.HORIZONTAL);
        split.setDividerPositions(0.7);
        SplitPane.setResizableWithParent(side, false);

        genStatus.setId("gen-status");
        saveStatusLabel.setId("save-status");
        saveStatusLabel.textProperty().bind(saveStatus);
        prefillBar.setId("prefill");
        prefillBar.setPrefWidth(160);
        prefillBar.visibleProperty().bind(gen.prefillProperty().greaterThanOrEqualTo(0));
        prefillBar.progressProperty().bind(gen.prefillProperty());
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        cacheStatus.setId("cache-status");
        HBox statusLine = new HBox(10, genStatus, prefillBar, grow, cacheStatus, saveStatusLabel);
        statusLine.getStyleClass().add("status-line");
        VBox bottom = new VBox(contextBar, statusLine);
        var menuBar = actions.menuBar();
        var toolBar = actions.toolBar();
        VBox top = new VBox(menuBar, toolBar, notice, tools.findBar());
        BorderPane root = new BorderPane(split, top, null, bottom, null);
        root.getStyleClass().add("app-root");
        // Never open larger than the screen (a saved size from a bigger monitor would hide the edges).
        var screen = Screen.getPrimary().getVisualBounds();
        scene = new Scene(
                root, Math.min(prefs.width(), screen.getWidth()), Math.min(prefs.height(), screen.getHeight()));
        Themes.apply(scene, prefs.theme());
        actions.installShortcuts(scene);
        tools.bindFullScreen(stage, List.of(menuBar, toolBar, bottom, tools.stats()), split, side);
        wireModel();
        wireGeneration();
        stage.setScene(scene);
        stage.titleProperty().unbind();
        stage.setTitle("Longform");
        for (int size : new int[] {256, 64, 32}) { // the window and taskbar icon, from the installed assets
            Path icon = Assets.dir().resolve("icons/longform-" + size + ".png");
            if (Files.isRegularFile(icon))
                stage.getIcons().add(new Image(icon.toUri().toString()));
        }
        stage.setOnCloseRequest(e -> {
            e.consume();
            quit();
        });
    }

    private final InvalidationListener onRecompute = x -> showCacheStatus();

    private void showCacheStatus() {
        StorySession s = active.get();
        contextBar.showRecompute(s == null ? -1 : s.nextRecomputeProperty().get());
        cacheStatus.setText(keeper.statusProperty().get());
        cacheStatus.setTooltip(new Tooltip(keeper.statusProperty().get()));
    }

    private static Tab sideTab(String name, Region content) {
        ScrollPane sp = new ScrollPane(content);
        sp.setFitToWidth(true);
        return new Tab(name, sp);
    }

    private void wireModel() {
        model.infoProperty().addListener((o, a, m) -> {
            refreshModelPanel();
            tools.stats().modelChanged();
        });
        model.loadingProperty()
                .addListener((o, a, l) -> modelPanel.showProgress(l ? -1 : -2, l ? "Loading model…" : ""));
        model.errorProperty().addListener((o, a, e) -> {
            modelPanel.showError(e);
            if (e != null) notice.error(e);
        });
        modelPanel.loadButton().setOnAction(e -> showModels(false));
        modelPanel.demoButton().setOnAction(e -> loadModel(config.defaultModel()));
        modelPanel
                .connectButton()
                .setOnAction(e -> actions.get("connect-remote").run());
        modelPanel.cancelButton().setOnAction(e -> gen.stop());
        modelPanel
                .engineSettingsButton()
                .setOnAction(e -> actions.get("engine-settings").run());
        modelPanel.approximateReuse().setSelected(prefs.approximateReuse());
        modelPanel.approximateReuse().selectedProperty().addListener((o, a, v) -> {
            prefs = prefs.withApproximateReuse(v);
            savePrefs();
        });
        model.generatorProperty().addListener((o, a, g) -> keeper.modelChanged());
        // The cache's mode and what the next generation would recompute, for the active story.
        keeper.statusProperty().addListener(x -> showCacheStatus());
        active.addListener((o, a, s) -> {
            if (a != null) a.nextRecomputeProperty().removeListener(onRecompute);
            if (s != null) s.nextRecomputeProperty().addListener(onRecompute);
            showCacheStatus();
        });
        samplerPanel.setOnMakeDefault(s -> {
            prefs = prefs.withSamplerDefaults(s);
            savePrefs();
            saveStatus.set("Sampler settings saved as the default for new stories");
        });
        List<String> problems = new ArrayList<>();
        samplerPanel.setPresets(Presets.load(
                List.of(Assets.dir().resolve("presets"), config.configDir().resolve("presets")), problems));
        if (!problems.isEmpty()) notice.error("Some sampler presets could not be read: " + String.join("; ", problems));
        samplerPanel.setPresetFolder(config.configDir().resolve("presets"), config.io(), config.fx());
    }

    private void wireGeneration() {
        gen.setAfterGeneration(s -> {
            if (autosavers.containsKey(s)) autosavers.get(s).saveNow();
            refreshModelPanel();
            monitor.schedule();
        });
        gen.errorProperty().addListener((o, a, e) -> {
            if (e != null) notice.error(e);
        });
        gen.prefillProperty().addListener((o, a, p) -> {
            double v = p.doubleValue();
            if (v >= 0) modelPanel.showProgress(v, String.format("Processing prompt… %.0f%%", v * 100));
            else if (!model.loadingProperty().get()) modelPanel.showProgress(-2, "");
        });
        // Live tokens/s: the label is refreshed a few times a second, not per token.
        Timeline tick = new Timeline(new KeyFrame(Duration.millis(250), e -> genStatus.setText(gen.liveStatus())));
        tick.setCycleCount(Timeline.INDEFINITE);
        tick.play();
    }

    void refreshModelPanel() {
        var g = model.get();
        modelPanel.show(model.infoProperty().get(), g == null ? 0 : g.kvBytesInUse());
    }

    private void activate(StorySession s) {
        active.set(s);
        memoryPanel.bind(s);
        summaries.watch(s);
        worldInfoPanel.bind(s);
        samplerPanel.bind(s);
        monitor.watch(s);
        tools.activate(s);
        chapters.bind(s);
        showPrompt(s == null ? null : s.promptProperty().get());
        stage.titleProperty().unbind();
        if (s != null) stage.titleProperty().bind(Bindings.concat(s.titleProperty(), " — Longform"));
        else stage.setTitle("Longform");
    }

    private void showPrompt(AssembledPrompt p) {
        contextBar.show(p);
        memoryPanel.show(p);
        worldInfoPanel.show(p);
    }

    /** Adds a tab for a story. {@code file} is where it is saved (a library file if the writer chose none). */
    public StorySession addStory(StoryData data, Path file) {
        for (var e : sessions.entrySet()) {
            if (file != null && file.equals(e.getValue().fileProperty().get())) {
                tabs.getSelectionModel().select(e.getKey());
                return e.getValue();
            }
        }
        StorySession s =
                new StorySession(data, file != null ? file : StoryLibrary.newFile(config.configDir(), data.title()));
        Tab tab = new Tab();
        tab.textProperty()
                .bind(Bindings.when(s.dirtyProperty())
                        .then(Bindings.concat(s.titleProperty(), " •"))
                        .otherwise(s.titleProperty()));
        tab.setContent(s.editor().view());
        tab.setOnCloseRequest(e -> {
            e.consume();
            closeStory(tab);
        });
        s.promptProperty().addListener((o, a, p) -> {
            if (active.get() == s) showPrompt(p);
        });
        sessions.put(tab, s);
        autosavers.put(s, new Autosaver(config, store, s, saveStatus));
        autosavers.get(s).setOnConflict(e -> files.changedOnDisk(s, e));
        tabs.getTabs().add(tab);
        tabs.getSelectionModel().select(tab);
        choices.attach(
                s,
                actions.get("alternatives").menuItem(),
                actions.get("retry-span").menuItem());
        s.editor().area().requestFocus();
        return s;
    }

    public StorySession newStory() {
        StoryData d = StoryData.blank("Untitled");
        d = new StoryData(
                d.id(),
                d.title(),
                "",
                List.of(),
                "",
                d.authorsNote(),
                List.of(),
                d.worldInfoRules(),
                prefs.samplerDefaults(),
                null,
                false,
                d.history(),
                d.created(),
                d.modified());
        StorySession s = addStory(d, null);
        autosavers.get(s).saveNow(); // a new story exists on disk from the start
        return s;
    }

    void closeStory(Tab tab) {
        StorySession s = sessions.get(tab);
        if (s == null) return;
        if (gen.isRunning(s)) gen.stop();
        keeper.closing(s, model.get());
        Autosaver a = autosavers.remove(s);
        a.saveNow();
        a.stop();
        String id = s.id();
        config.io().execute(() -> store.forget(id)); // queued after the save: the story is safely in its file
        files.closed(s);
        sessions.remove(tab);
        tabs.getTabs().remove(tab);
        tools.closed(s);
    }

    public void quit() {
        if (gen.generatingProperty().get()) gen.stop();
        for (Tab t : new ArrayList<>(tabs.getTabs())) closeStory(t);
        boolean max = stage.isMaximized();
        prefs = prefs.withGeometry(stage.getX(), stage.getY(), stage.getWidth(), stage.getHeight(), max);
        Prefs p = prefs;
        Path prefsFile = config.configDir().resolve("prefs.json");
        var done = new CountDownLatch(1);
        config.io().execute(() -> {
            try {
                p.save(prefsFile);
            } catch (IOException ignored) {
                // preferences are a convenience; never block quitting
            }
            store.closeSession();
            done.countDown();
        });
        try {
            done.await(10, TimeUnit.SECONDS); // let the last saves land before the JVM goes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        var cached = new CountDownLatch(1);
        config.modelWorker().execute(cached::countDown); // after the caches' last saves (closeStory queued them)
        try {
            cached.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        model.close();
        tools.close();
        stage.close();
    }

    /**
     * Starts the session: geometry, crash recovery offer, the model (--model, else the last one),
     * the story (--open, else a new one).
     */
    public void start(List<String> args) {
        if (!Double.isNaN(prefs.x())) {
            stage.setX(prefs.x());
            stage.setY(prefs.y());
        }
        stage.setMaximized(prefs.maximized());
        stage.show();
        files.offerRecovery();
        EditorArgs a;
        try {
            a = EditorArgs.parse(args, Cli.commandNames());
        } catch (EditorArgs.BadArgs e) { // the launcher checked them; a test or a caller may not have
            notice.error("Ignored the command line: " + e.getMessage());
            a = new EditorArgs(null, null);
        }
        if (a.story() != null) files.open(a.story());
        else newStory();
        boolean lastExists = prefs.lastModel() != null && Files.exists(Path.of(prefs.lastModel()));
        Path m = a.model() != null ? a.model() : lastExists ? Path.of(prefs.lastModel()) : config.defaultModel();
        if (m != null) loadModel(m);
    }

    public void loadModel(Path dir) {
        if (gen.generatingProperty().get()) gen.stop(); // the load waits on the model worker behind the generation
        model.load(dir, () -> {
            prefs = prefs.withLastModel(dir.toAbsolutePath().toString());
            savePrefs();
            monitor.schedule();
        });
    }

    /** Model ▸ Models… / Load model…: the model manager window, on its local or its download page. */
    public ModelManagerDialog showModels(boolean downloadPage) {
        if (modelsDialog == null) {
            if (modelServices == null) modelServices = ModelServices.forApp(config);
            modelsDialog = new ModelManagerDialog(
                    stage, modelServices, this::loadModel, sc -> Themes.apply(sc, prefs.theme()));
        }
        modelsDialog.show(downloadPage);
        return modelsDialog;
    }

    /** Tests: a fake hub, a temp folder, choosers that answer without a native dialog. */
    public void setModelServices(ModelServices s) {
        modelServices = s;
        modelsDialog = null;
    }

    /** The first-run screen and Help ▸ System check…; {@link #setFirstRun} swaps the check in tests. */
    public FirstRun firstRun() {
        if (firstRun == null) {
            firstRun = new FirstRun(
                    config.configDir(),
                    AppConfig.daemon("longform-system-check"),
                    config.fx(),
                    // priced with the weights as the editor will load them (Model ▸ Engine settings…)
                    () -> SystemCheck.run(SystemCheck.STORYWRITER.loadedAs(
                            EngineSettings.load(config.configDir().resolve(EngineSettings.FILE))
                                    .quant())),
                    Assets.dir().resolve("stories/the-time-machine-chapter-1.txt"));
        }
        return firstRun;
    }

    public void setFirstRun(FirstRun f) {
        firstRun = f;
    }

    public FirstRun.Hooks firstRunHooks() {
        return new FirstRun.Hooks(stage, () -> showModels(true), files::open, sc -> Themes.apply(sc, prefs.theme()));
    }

    void savePrefs() {
        Prefs p = prefs;
        Path f = config.configDir().resolve("prefs.json");
        config.io().execute(() -> {
            try {
                p.save(f);
            } catch (IOException e) {
                config.fx().accept(() -> saveStatus.set("Cannot save preferences to " + f + ": " + e.getMessage()));
            }
        });
    }

    void setTheme(String theme) {
        prefs = prefs.withTheme(theme);
        Themes.apply(scene, theme);
        savePrefs();
    }

    public StorySession active() {
        return active.get();
    }

    public ObjectProperty<StorySession> activeProperty() {
        return active;
    }

    public List<StorySession> stories() {
        return List.copyOf(sessions.values());
    }

    public Scene scene() {
        return scene;
    }

    public NoticeBar notice() {
        return notice;
    }

    public SummaryController summaries() {
        return summaries;
    }

    public ContextBar contextBar() {
        return contextBar;
    }

    public GenerationController generation() {
        return gen;
    }

    public ModelManager model() {
        return model;
    }

    public ContextMonitor monitor() {
        return monitor;
    }

    public CacheKeeper cacheKeeper() {
        return keeper;
    }

    public Label cacheStatusLabel() {
        return cacheStatus;
    }

    public AutosaveStore store() {
        return store;
    }

    public FileCommands files() {
        return files;
    }

    public RemoteCommands remote() {
        return remote;
    }

    public AppActions actions() {
        return actions;
    }

    public WritingTools tools() {
        return tools;
    }

    /** The model's choices: the alternatives pop-up, regenerate from here, retry a span. */
    public ChoicesController choices() {
        return choices;
    }

    public ChapterNavigator chapters() {
        return chapters;
    }

    /** The loaded model's token count: one function object per loaded model (counts are cached per object). */
    private ToIntFunction<String> tokenCount() {
        var g = model.get();
        if (g != countedBy) {
            countedBy = g;
            tokenCount = g == null ? null : text -> g.encode(text).length;
        }
        return tokenCount;
    }

    /** File ▸ Version history…: the active story's autosaved versions, with diff and restore. */
    public HistoryBrowser showHistory() {
        StorySession s = active.get();
        if (s == null) return null;
        HistoryBrowser h =
                new HistoryBrowser(stage, s, store, config.io(), config.fx(), sc -> Themes.apply(sc, prefs.theme()));
        h.show();
        return h;
    }

    public Autosaver autosaver(StorySession s) {
        return autosavers.get(s);
    }

    StringProperty saveStatus() {
        return saveStatus;
    }

    Prefs prefs() {
        return prefs;
    }

    void setPrefs(Prefs p) {
        prefs = p;
        savePrefs();
    }
}
