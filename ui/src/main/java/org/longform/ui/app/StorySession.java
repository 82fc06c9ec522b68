package org.longform.ui.app;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import javafx.beans.Observable;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.longform.engine.sample.SamplerSettings;
import org.longform.ui.choices.ChoiceStore;
import org.longform.ui.editor.StoryEditor;
import org.longform.ui.gen.StoryPipeline;
import org.longform.ui.prompt.AssembledPrompt;
import org.longform.ui.prompt.PromptAssembler;
import org.longform.ui.story.AuthorsNote;
import org.longform.ui.story.DiskStamp;
import org.longform.ui.story.HistoryData;
import org.longform.ui.story.Span;
import org.longform.ui.story.StoryChoices;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.StoryLock;
import org.longform.ui.story.StorySummary;
import org.longform.ui.story.WorldInfoEntry;
import org.longform.ui.story.WorldInfoRules;

/**
 * One open story (one tab): the editor plus memory, author's note, world info and sampler as
 * observable properties. {@link #changesProperty()} ticks on any change, which drives autosave and
 * the context map. FX thread only; {@link #snapshot()} makes the immutable copy the workers save.
 */
public final class StorySession {
    private final String id;
    private final long created;
    private final StoryEditor editor = new StoryEditor();
    private final StringProperty title = new SimpleStringProperty();
    private final ObjectProperty<Path> file = new SimpleObjectProperty<>();
    private final BooleanProperty dirty = new SimpleBooleanProperty();
    private final StringProperty memory = new SimpleStringProperty("");
    private final StringProperty noteText = new SimpleStringProperty("");
    private final StringProperty noteTemplate = new SimpleStringProperty(AuthorsNote.DEFAULT_TEMPLATE);
    private final IntegerProperty noteDepth = new SimpleIntegerProperty(AuthorsNote.DEFAULT_DEPTH);
    private final ObservableList<WorldInfoEntry> worldInfo = FXCollections.observableArrayList();
    private final ObjectProperty<WorldInfoRules> worldInfoRules = new SimpleObjectProperty<>(WorldInfoRules.defaults());
    private final ObjectProperty<SamplerSettings> sampling = new SimpleObjectProperty<>(StoryData.EDITOR_SAMPLER);
    private final BooleanProperty generateAtCursor = new SimpleBooleanProperty();
    // The story so far: the applied summary (in the prompt) and the draft the Memory panel edits (not in it).
    private final ObjectProperty<StorySummary> summary = new SimpleObjectProperty<>(StorySummary.empty());
    private final StringProperty summaryDraft = new SimpleStringProperty("");
    private final ObjectProperty<List<StorySummary.Covered>> draftCovered = new SimpleObjectProperty<>(List.of());
    private final BooleanProperty summaryOffer = new SimpleBooleanProperty(true);
    private final BooleanBinding summaryDrafted;
    private final ObjectProperty<AssembledPrompt> prompt = new SimpleObjectProperty<>();
    private final LongProperty changes = new SimpleLongProperty();
    private final StoryPipeline pipeline = new StoryPipeline();
    private final ChoiceStore choices = new ChoiceStore();
    private final IntegerProperty nextRecompute = new SimpleIntegerProperty(-1);
    private final BooleanProperty readOnly = new SimpleBooleanProperty();
    private volatile OnDisk onDisk;
    private volatile StoryLock lock;
    private String model;
    /** First story character of the last prompt; kept while it fits so the KV cache prefix stays the same. */
    private int storyCut = -1;

    public StorySession(StoryData d, Path file) {
        this.id = d.id();
        this.created = d.created();
        this.file.set(file);
        title.set(d.title());
        memory.set(d.memory());
        noteText.set(d.authorsNote().text());
        noteTemplate.set(d.authorsNote().template());
        noteDepth.set(d.authorsNote().depth());
        worldInfo.setAll(d.worldInfo());
        worldInfoRules.set(d.worldInfoRules());
        sampling.set(d.sampling());
        generateAtCursor.set(d.generateAtCursor());
        model = d.model();
        StorySummary sum = d.summary();
        summary.set(new StorySummary(sum.text(), sum.covered(), null, sum.offer()));
        summaryDraft.set(sum.draftOrCurrent().text());
        draftCovered.set(sum.draftOrCurrent().covered());
        summaryOffer.set(sum.offer());
        summaryDrafted = Bindings.createBooleanBinding(
                () -> !summaryDraft.get().equals(summary.get().text())
                        || !draftCovered.get().equals(summary.get().covered()),
                summary,
                summaryDraft,
                draftCovered);
        editor.load(d.text(), d.generated(), d.history());
        choices.restore(d.choices());
        editor.addChangeListener(choices::changed);
        editor.addChangeListener(
                (pos, removed, inserted) -> storyCut = PromptAssembler.cutAfterEdit(storyCut, pos, removed, inserted));
        Observable[] all = {
            editor.revisionProperty(),
            memory,
            noteText,
            noteTemplate,
            noteDepth,
            worldInfo,
            worldInfoRules,
            sampling,
            generateAtCursor,
            title,
            summary,
            summaryDraft,
            draftCovered,
            summaryOffer
        };
        for (Observable o : all)
            o.addListener(x -> {
                changes.set(changes.get() + 1);
                dirty.set(true);
            });
    }

    public StoryData snapshot() {
        return snapshotLater().get();
    }

    /**
     * FX thread: copies the story now, all but its generated spans, which the returned supplier
     * works out (on any thread, e.g. autosave's) from an immutable copy of the document.
     */
    public Supplier<StoryData> snapshotLater() {
        String text = editor.text();
        Supplier<List<Span>> generated = editor.generatedSpansLater();
        String t = title.get(), mem = memory.get(), m = model;
        AuthorsNote note = authorsNote();
        List<WorldInfoEntry> wi = List.copyOf(worldInfo);
        WorldInfoRules rules = worldInfoRules.get();
        SamplerSettings sampler = sampling.get();
        boolean atCursor = generateAtCursor.get();
        HistoryData history = editor.tree().toData();
        StorySummary summary = summarySnapshot();
        StoryChoices picks = choices.saved();
        long saved = System.currentTimeMillis();
        return () -> new StoryData(
                id,
                t,
                text,
                generated.get(),
                mem,
                note,
                wi,
                rules,
                sampler,
                m,
                atCursor,
                history,
                created,
                saved,
                summary,
                picks);
    }

    private StorySummary summarySnapshot() {
        StorySummary applied = summary.get();
        StorySummary.Draft draft =
                summaryDrafted.get() ? new StorySummary.Draft(summaryDraft.get(), draftCovered.get()) : null;
        return new StorySummary(applied.text(), applied.covered(), draft, summaryOffer.get());
    }

    /** The applied story so far: what the prompt holds after memory. */
    public ObjectProperty<StorySummary> summaryProperty() {
        return summary;
    }

    /** The summary's draft text (the Memory panel's "Story so far"): outside the prompt until applied. */
    public StringProperty summaryDraftProperty() {
        return summaryDraft;
    }

    /** The chapters the draft covers. */
    public ObjectProperty<List<StorySummary.Covered>> draftCoveredProperty() {
        return draftCovered;
    }

    /** Whether the editor offers a summary when chapters leave the model's view. */
    public BooleanProperty summaryOfferProperty() {
        return summaryOffer;
    }

    /** True while the draft differs from the applied summary. */
    public BooleanBinding summaryDraftedProperty() {
        return summaryDrafted;
    }

    /** A proposed summary (the model's or the writer's start) becomes the draft. */
    public void proposeSummary(StorySummary.Draft d) {
        summaryDraft.set(d.text());
        draftCovered.set(d.covered());
    }

    /** The draft goes into the prompt (the next generation recomputes the window after memory, once). */
    public void applySummary() {
        summary.set(new StorySummary(summaryDraft.get(), draftCovered.get(), null, summaryOffer.get()));
    }

    /** The draft goes back to the applied summary. */
    public void discardSummaryDraft() {
        summaryDraft.set(summary.get().text());
        draftCovered.set(summary.get().covered());
    }

    public AuthorsNote authorsNote() {
        return new AuthorsNote(noteText.get(), noteTemplate.get(), Math.max(0, noteDepth.get()));
    }

    public String id() {
        return id;
    }

    public StoryEditor editor() {
        return editor;
    }

    public StringProperty titleProperty() {
        return title;
    }

    public ObjectProperty<Path> fileProperty() {
        return file;
    }

    public BooleanProperty dirtyProperty() {
        return dirty;
    }

    public StringProperty memoryProperty() {
        return memory;
    }

    public StringProperty noteTextProperty() {
        return noteText;
    }

    public StringProperty noteTemplateProperty() {
        return noteTemplate;
    }

    public IntegerProperty noteDepthProperty() {
        return noteDepth;
    }

    public ObservableList<WorldInfoEntry> worldInfo() {
        return worldInfo;
    }

    public ObjectProperty<WorldInfoRules> worldInfoRulesProperty() {
        return worldInfoRules;
    }

    public ObjectProperty<SamplerSettings> samplingProperty() {
        return sampling;
    }

    public BooleanProperty generateAtCursorProperty() {
        return generateAtCursor;
    }

    public ObjectProperty<AssembledPrompt> promptProperty() {
        return prompt;
    }

    public LongProperty changesProperty() {
        return changes;
    }

    public String model() {
        return model;
    }

    public void setModel(String m) {
        model = m;
    }

    public int storyCut() {
        return storyCut;
    }
    /** The story's tokens and prompt pipeline (shared with the model worker; thread-safe). */
    public StoryPipeline pipeline() {
        return pipeline;
    }

    /** The model's choices for this story's generated text (its file keeps the newest). */
    public ChoiceStore choices() {
        return choices;
    }
    /** Tokens the next generation would recompute with the cache as it is (-1: unknown, e.g. a remote model). */
    public IntegerProperty nextRecomputeProperty() {
        return nextRecompute;
    }

    public void setStoryCut(int c) {
        storyCut = c;
    }

    /**
     * The story file as this instance last read or wrote it: a save checks it first and does not
     * overwrite a file that changed since (another window, a sync client).
     */
    public record OnDisk(Path file, DiskStamp stamp) {}

    /** What the next save of {@code file} must find there, or null if unknown (then it is not checked). */
    public DiskStamp expectedOnDisk(Path file) {
        OnDisk d = onDisk;
        return d != null && d.file().equals(file) ? d.stamp() : null;
    }

    /** Any thread: the I/O worker records each save, the FX thread what was opened. */
    public void setOnDisk(Path file, DiskStamp stamp) {
        onDisk = file == null || stamp == null ? null : new OnDisk(file, stamp);
    }

    /** Opened read-only (another window has the story): saves go to the recovery copy, never the file. */
    public BooleanProperty readOnlyProperty() {
        return readOnly;
    }

    /** The lock this window holds on the story file, or null. */
    public StoryLock lock() {
        return lock;
    }

    public void setLock(StoryLock l) {
        lock = l;
    }
}
