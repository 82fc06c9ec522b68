package org.longform.ui.editor;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import javafx.application.Platform;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleLongProperty;
import org.fxmisc.flowless.VirtualizedScrollPane;
import org.fxmisc.richtext.StyleClassedTextArea;
import org.fxmisc.richtext.model.Paragraph;
import org.fxmisc.richtext.model.PlainTextChange;
import org.fxmisc.richtext.model.ReadOnlyStyledDocument;
import org.fxmisc.richtext.model.StyleSpan;
import org.fxmisc.richtext.model.StyleSpans;
import org.fxmisc.richtext.util.UndoUtils;
import org.longform.ui.history.EditTree;
import org.longform.ui.story.HistoryData;
import org.longform.ui.story.Span;

/**
 * The story editor: a virtualized RichTextFX area plus the edit tree. Typing is recorded in the
 * tree; generated text is streamed in with the "generated" style and recorded as one generation
 * node when it ends; undo/redo/branch flips replay tree changes. Text before the model's view is
 * styled "out-of-view". FX thread only.
 */
public final class StoryEditor {
    public static final String GENERATED = "generated";
    public static final String OUT_OF_VIEW = "out-of-view";

    private final StyleClassedTextArea area = new StyleClassedTextArea();
    private final VirtualizedScrollPane<StyleClassedTextArea> view = new VirtualizedScrollPane<>(area);
    private EditTree tree = new EditTree();
    private boolean applying;
    private LongSupplier clock = System::currentTimeMillis;

    private final ReadOnlyBooleanWrapper canUndo = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper canRedo = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper lastIsGeneration = new ReadOnlyBooleanWrapper();
    private final IntegerProperty alternatives = new SimpleIntegerProperty();
    private final IntegerProperty alternativeIndex = new SimpleIntegerProperty();
    /** Bumped on every text change (typed, generated or replayed): autosave and the context map watch it. */
    private final LongProperty revision = new SimpleLongProperty();

    private int streamStart = -1, streamPos = -1;
    /** The text the running generation replaced (see {@link #beginGeneration(int, int, String)}). */
    private String replaced = "";

    private int shadedUpTo;
    /**
     * The text, kept in step from the change events: the area's own getText() rebuilds a whole
     * novel from its paragraphs (17-85 ms for War and Peace), too slow for every keystroke's readers.
     */
    private final StringBuilder mirror = new StringBuilder();
    /** {@link #mirror} as a String, made once per change on first use (null: stale). */
    private String textCopy = "";

    private final List<ChangeListener> changeListeners = new ArrayList<>();

    /** Told about every text change (for offsets that must follow the text, like the story cut). */
    public interface ChangeListener {
        void changed(int pos, int removedLength, int insertedLength);
    }

    public StoryEditor() {
        area.getStyleClass().add("story-editor");
        area.setWrapText(true);
        area.setUndoManager(UndoUtils.noOpUndoManager()); // the edit tree is the undo history
        area.setUseInitialStyleForInsertion(true); // typed text is plain, even inside a generated span
        area.plainTextChanges().subscribe(this::onChange);
        // Cells for edited paragraphs are built before the CSS pass: no whole-window repaint per keystroke.
        LayoutBeforeCss.install(area);
    }

    public StyleClassedTextArea area() {
        return area;
    }

    public VirtualizedScrollPane<StyleClassedTextArea> view() {
        return view;
    }

    public void setClock(LongSupplier clock) {
        this.clock = clock;
    }

    public void addChangeListener(ChangeListener l) {
        changeListeners.add(l);
    }

    /** The whole text: a copy of a few milliseconds for a novel, shared by every reader until the next change. */
    public String text() {
        String t = textCopy;
        if (t == null) textCopy = t = mirror.toString();
        return t;
    }

    public int length() {
        return area.getLength();
    }

    public EditTree tree() {
        return tree;
    }

    public ReadOnlyBooleanProperty canUndoProperty() {
        return canUndo.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canRedoProperty() {
        return canRedo.getReadOnlyProperty();
    }

    /** True when the current history node is a generation (so Retry and branch flips apply). */
    public ReadOnlyBooleanProperty lastIsGenerationProperty() {
        return lastIsGeneration.getReadOnlyProperty();
    }

    public IntegerProperty alternativesProperty() {
        return alternatives;
    }

    public IntegerProperty alternativeIndexProperty() {
        return alternativeIndex;
    }

    public LongProperty revisionProperty() {
        return revision;
    }

    /** Replaces everything: text, generated spans and history (as loaded from a story file). */
    public void load(String text, List<Span> generated, HistoryData history) {
        applying = true;
        try {
            area.replaceText(text);
            for (Span s : generated) {
                if (s.end() <= text.length() && s.end() > s.start())
                    area.setStyle(s.start(), s.end(), List.of(GENERATED));
            }
        } finally {
            applying = false;
        }
        shadedUpTo = 0;
        tree = EditTree.fromData(history);
        area.moveTo(area.getLength());
        area.requestFollowCaret();
        refresh();
        revision.set(revision.get() + 1);
    }

    private void onChange(PlainTextChange c) {
        int removed = c.getRemoved().length(), inserted = c.getInserted().length();
        mirror.replace(c.getPosition(), c.getPosition() + removed, c.getInserted());
        textCopy = null;
        if (c.getPosition() < shadedUpTo) {
            shadedUpTo = Math.max(c.getPosition(), shadedUpTo - removed + inserted);
            // Text typed into the out-of-view part is inserted plain; shade it too, after this change completes.
            int from = c.getPosition(), to = Math.min(from + inserted, shadedUpTo);
            if (to > from)
                Platform.runLater(() -> {
                    int end = Math.min(to, Math.min(shadedUpTo, area.getLength()));
                    if (end > from) restyle(from, end, s -> with(s, OUT_OF_VIEW));
                });
        }
        for (ChangeListener l : changeListeners) l.changed(c.getPosition(), removed, inserted);
        revision.set(revision.get() + 1);
        if (applying) return;
        tree.recordEdit(c.getPosition(), c.getRemoved(), c.getInserted(), clock.getAsLong());
        refresh();
    }

    // ---- undo, redo, branches ----

    public void undo() {
        if (streaming()) return;
        apply(tree.undo());
    }

    public void redo() {
        if (streaming()) return;
        apply(tree.redo());
    }

    /** Shows alternative {@code index} (0-based, oldest first) of the current generation. */
    public void showAlternative(int index) {
        List<EditTree.Node> alts = tree.alternatives();
        if (streaming() || index < 0 || index >= alts.size()) return;
        for (EditTree.Change c : tree.switchTo(alts.get(index))) apply(c);
    }

    private void apply(EditTree.Change c) {
        if (c == null) return;
        applying = true;
        try {
            int end = c.pos() + c.removed().length();
            if (c.generated()) area.replace(c.pos(), end, c.inserted(), GENERATED);
            else area.replaceText(c.pos(), end, c.inserted());
            area.moveTo(c.pos() + c.inserted().length());
            area.requestFollowCaret();
        } finally {
            applying = false;
        }
        refresh();
    }

    private void refresh() {
        canUndo.set(tree.canUndo());
        canRedo.set(tree.canRedo());
        List<EditTree.Node> alts = tree.alternatives();
        lastIsGeneration.set(tree.current().kind() == EditTree.Kind.GENERATION);
        alternatives.set(alts.size());
        alternativeIndex.set(alts.indexOf(tree.current()));
    }

    // ---- streaming a generation ----

    public boolean streaming() {
        return streamPos >= 0;
    }

    /** Starts a generation at {@code pos}; the area is read-only until {@link #endGeneration}. */
    public void beginGeneration(int pos) {
        beginGeneration(pos, pos, "");
    }

    /**
     * Starts a generation that replaces [pos, end) (the rest of a generation, a span retried) with
     * {@code lead} (the alternative the writer chose, or "") and what streams in after it: one undo step.
     */
    public void beginGeneration(int pos, int end, String lead) {
        streamStart = Math.max(0, Math.min(pos, area.getLength()));
        end = Math.max(streamStart, Math.min(end, area.getLength()));
        replaced = area.getText(streamStart, end);
        if (end > streamStart || !lead.isEmpty()) {
            applying = true;
            try {
                area.replace(streamStart, end, lead, GENERATED);
            } finally {
                applying = false;
            }
        }
        streamPos = streamStart + lead.length();
        area.setEditable(false);
    }

    /** Inserts one batch of streamed text (one call per frame, not per token). */
    public void appendGenerated(String text) {
        if (!streaming() || text.isEmpty()) return;
        boolean follow = area.getCaretPosition() == streamPos;
        applying = true;
        try {
            area.insert(streamPos, text, GENERATED);
        } finally {
            applying = false;
        }
        streamPos += text.length();
        if (follow) {
            area.moveTo(streamPos);
            area.requestFollowCaret();
        }
    }

    /** Ends streaming; what was inserted becomes one generation node. Returns the inserted text. */
    public String endGeneration() {
        if (!streaming()) return "";
        String inserted = mirror.substring(streamStart, streamPos);
        if (!replaced.isEmpty()) tree.recordGeneration(streamStart, replaced, inserted, clock.getAsLong());
        else if (!inserted.isEmpty()) tree.recordGeneration(streamStart, inserted, clock.getAsLong());
        streamStart = streamPos = -1;
        replaced = "";
        area.setEditable(true);
        refresh();
        return inserted;
    }

    /** Where the running generation will insert next, or -1. */
    public int streamPosition() {
        return streamPos;
    }

    /** Clears the generated style everywhere: the writer accepts the text as theirs. */
    public void acceptGenerated() {
        restyle(0, area.getLength(), s -> without(s, GENERATED));
    }

    /** The generated spans, for saving. */
    public List<Span> generatedSpans() {
        return generatedSpansLater().get();
    }

    /**
     * The generated spans as they are now, worked out when asked, on any thread, from an immutable
     * copy of the document taken here at no cost: walking a novel's styles takes 5-20 ms, too long
     * for the FX thread on every autosave.
     */
    public Supplier<List<Span>> generatedSpansLater() {
        ReadOnlyStyledDocument<Collection<String>, String, Collection<String>> doc =
                area.getContent().snapshot();
        return () -> generatedSpans(doc);
    }

    /** Walks each paragraph's own style spans; a line break is styled like the end of its line, as in the area. */
    private static List<Span> generatedSpans(
            ReadOnlyStyledDocument<Collection<String>, String, Collection<String>> doc) {
        List<Span> out = new ArrayList<>();
        int pos = 0, start = -1;
        boolean first = true, lastGen = false;
        for (Paragraph<Collection<String>, String, Collection<String>> p : doc.getParagraphs()) {
            if (!first) { // the line break before this paragraph
                if (lastGen && start < 0) start = pos;
                if (!lastGen && start >= 0) {
                    out.add(new Span(start, pos));
                    start = -1;
                }
                pos++;
            }
            first = false;
            for (StyleSpan<Collection<String>> s : p.getStyleSpans()) {
                lastGen = s.getStyle().contains(GENERATED);
                if (s.getLength() == 0) continue;
                if (lastGen && start < 0) start = pos;
                if (!lastGen && start >= 0) {
                    out.add(new Span(start, pos));
                    start = -1;
                }
                pos += s.getLength();
            }
        }
        if (start >= 0 && pos > start) out.add(new Span(start, pos));
        return out;
    }

    // ---- the model's view ----

    /** Shades text before {@code cut} (out of the model's view); only the range between the old and new cut is restyled. */
    public void shadeBefore(int cut) {
        cut = Math.max(0, Math.min(cut, area.getLength()));
        if (cut > shadedUpTo) restyle(shadedUpTo, cut, s -> with(s, OUT_OF_VIEW));
        else if (cut < shadedUpTo) restyle(cut, Math.min(shadedUpTo, area.getLength()), s -> without(s, OUT_OF_VIEW));
        // Typed text uses the initial (plain) style, so re-apply on the whole shaded range's edges cheaply:
        shadedUpTo = cut;
    }

    public int shadedUpTo() {
        return shadedUpTo;
    }

    private void restyle(int from, int to, UnaryOperator<Collection<String>> f) {
        if (to <= from) return;
        StyleSpans<Collection<String>> spans = area.getStyleSpans(from, to);
        area.setStyleSpans(from, spans.mapStyles(f));
    }

    private static Collection<String> with(Collection<String> s, String cls) {
        if (s.contains(cls)) return s;
        Set<String> out = new HashSet<>(s);
        out.add(cls);
        return out;
    }

    private static Collection<String> without(Collection<String> s, String cls) {
        if (!s.contains(cls)) return s;
        Set<String> out = new HashSet<>(s);
        out.remove(cls);
        return out;
    }
}
