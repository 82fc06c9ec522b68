package org.longform.ui.app;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import javafx.beans.Observable;
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
import org.longform.ui.editor.StoryEditor;
import org.longform.ui.gen.StoryPipeline;
import org.longform.ui.prompt.AssembledPrompt;
import org.longform.ui.story.AuthorsNote;
import org.longform.ui.story.HistoryData;
import org.longform.ui.story.Span;
import org.longform.ui.story.StoryData;
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
    private final ObjectProperty<AssembledPrompt> prompt = new SimpleObjectProperty<>();
    private final LongProperty changes = new SimpleLongProperty();
    private final StoryPipeline pipeline = new StoryPipeline();
    private final IntegerProperty nextRecompute = new SimpleIntegerProperty(-1);
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
        editor.load(d.text(), d.generated(), d.history());
        editor.addChangeListener((pos, removed, inserted) -> {
            if (storyCut > pos) storyCut = Math.max(pos, storyCut - removed + inserted);
        });
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
            title
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
        long saved = System.currentTimeMillis();
        return () -> new StoryData(
                id, t, text, generated.get(), mem, note, wi, rules, sampler, m, atCursor, history, created, saved);
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
    /** Tokens the next generation would recompute with the cache as it is (-1: unknown, e.g. a remote model). */
    public IntegerProperty nextRecomputeProperty() {
        return nextRecompute;
    }

    public void setStoryCut(int c) {
        storyCut = c;
    }
}
