package org.longform.ui.tools;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javafx.animation.PauseTransition;
import javafx.beans.binding.BooleanExpression;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.IndexRange;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.util.Duration;
import org.fxmisc.richtext.StyleClassedTextArea;
import org.fxmisc.richtext.model.StyleSpan;
import org.fxmisc.richtext.model.StyleSpans;
import org.fxmisc.richtext.model.StyleSpansBuilder;
import org.longform.ui.app.StorySession;
import org.longform.ui.editor.StoryEditor;
import org.longform.ui.story.WorldInfoEntry;

/**
 * The find / replace bar above the story (Ctrl+F, Ctrl+H): match case, whole word, regular
 * expressions, in the story only or in all panels (memory, author's note, world info). A story
 * replacement is one edit in the editor's own history, so one Undo takes back even Replace all.
 * Next and Previous walk the story; the panels' matches are counted and replaced with the story's.
 */
public final class FindReplaceBar extends HBox {
    public static final String IN_STORY = "In the story", IN_ALL = "In the story and all panels";

    private final TextField find = new TextField();
    private final TextField replace = new TextField();
    private final CheckBox matchCase = new CheckBox("Match case");
    private final CheckBox wholeWord = new CheckBox("Whole word");
    private final CheckBox regex = new CheckBox("Regex");
    private final ChoiceBox<String> scope = new ChoiceBox<>();
    private final Label status = new Label();
    private final Supplier<StorySession> story;
    private final PauseTransition recount = new PauseTransition(Duration.millis(150));
    private final Executor work;
    private final Consumer<Runnable> fx;
    private final AtomicLong request = new AtomicLong();
    private final BooleanProperty searching = new SimpleBooleanProperty();

    /** @param work where searches run (a thread of their own: not the FX thread, not autosave's) */
    public FindReplaceBar(Supplier<StorySession> story, BooleanExpression busy, Executor work, Consumer<Runnable> fx) {
        this.story = story;
        this.work = work;
        this.fx = fx;
        setId("find-bar");
        getStyleClass().add("find-bar");
        setSpacing(6);
        setPadding(new Insets(4, 10, 4, 10));
        setAlignment(Pos.CENTER_LEFT);
        find.setId("find-field");
        find.setPromptText("Find");
        replace.setId("replace-field");
        replace.setPromptText("Replace with");
        matchCase.setId("find-case");
        wholeWord.setId("find-word");
        regex.setId("find-regex");
        scope.setId("find-scope");
        scope.getItems().addAll(IN_STORY, IN_ALL);
        scope.setValue(IN_STORY);
        status.setId("find-status");
        status.setMinWidth(Region.USE_PREF_SIZE);
        Button prev = button("find-prev", "Previous", () -> findNext(false));
        Button next = button("find-next", "Next", () -> findNext(true));
        Button one = button("replace-one", "Replace", this::replaceCurrent);
        Button all = button("replace-all", "Replace all", this::replaceAll);
        one.disableProperty().bind(busy);
        all.disableProperty().bind(busy);
        Button close = button("find-close", "✕", this::close);
        HBox.setHgrow(find, Priority.SOMETIMES);
        HBox.setHgrow(replace, Priority.SOMETIMES);
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        getChildren()
                .addAll(find, prev, next, replace, one, all, matchCase, wholeWord, regex, scope, status, grow, close);
        recount.setOnFinished(e -> updateCount());
        // A new search forgets the last Replace all's message (until then every count keeps it in front).
        find.textProperty().addListener(x -> {
            afterReplace = null;
            recount.playFromStart();
        });
        for (var b : List.of(matchCase.selectedProperty(), wholeWord.selectedProperty(), regex.selectedProperty())) {
            b.addListener(x -> {
                afterReplace = null;
                updateCount();
            });
        }
        scope.valueProperty().addListener(x -> {
            afterReplace = null;
            updateCount();
        });
        addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (e.getCode() == KeyCode.ESCAPE) {
                close();
                e.consume();
            } else if (e.getCode() == KeyCode.ENTER && e.getTarget() == find) {
                findNext(!e.isShiftDown());
                e.consume();
            } else if (e.getCode() == KeyCode.ENTER && e.getTarget() == replace) {
                replaceCurrent();
                e.consume();
            }
        });
        setVisible(false);
        setManaged(false);
    }

    private static Button button(String id, String text, Runnable r) {
        Button b = new Button(text);
        b.setId(id);
        b.setMinWidth(Region.USE_PREF_SIZE);
        b.setOnAction(e -> r.run());
        return b;
    }

    /** Shows the bar; the selection (one short line) becomes the query. Focus goes to find or replace. */
    public void open(boolean toReplace) {
        StorySession s = story.get();
        if (s != null) {
            String sel = s.editor().area().getSelectedText();
            if (!sel.isEmpty() && sel.length() < 200 && !sel.contains("\n")) find.setText(sel);
        }
        setVisible(true);
        setManaged(true);
        (toReplace ? replace : find).requestFocus();
        find.selectAll();
        updateCount();
    }

    public void close() {
        setVisible(false);
        setManaged(false);
        StorySession s = story.get();
        if (s != null) s.editor().area().requestFocus();
    }

    public TextField findField() {
        return find;
    }

    public TextField replaceField() {
        return replace;
    }

    public Label status() {
        return status;
    }

    public TextSearch.Options options() {
        return new TextSearch.Options(matchCase.isSelected(), wholeWord.isSelected(), regex.isSelected());
    }

    public void setOptions(TextSearch.Options o, boolean allPanels) {
        matchCase.setSelected(o.matchCase());
        wholeWord.setSelected(o.wholeWord());
        regex.setSelected(o.regex());
        scope.setValue(allPanels ? IN_ALL : IN_STORY);
    }

    private boolean allPanels() {
        return IN_ALL.equals(scope.getValue());
    }

    private Pattern pattern() {
        try {
            status.getStyleClass().remove("find-error");
            return TextSearch.compile(find.getText(), options());
        } catch (TextSearch.BadQuery e) {
            status.setText(e.getMessage());
            if (!status.getStyleClass().contains("find-error"))
                status.getStyleClass().add("find-error");
            return null;
        }
    }

    /** What a search on the worker thread gives back: a value, or the one-line reason there is none. */
    private record Outcome<T>(T value, String error) {}

    private interface Search<T> {
        T run() throws TextSearch.BadQuery;
    }

    /**
     * Runs a search on the worker (a regular expression over a whole novel takes up to a second)
     * and applies its result on the FX thread, unless a newer search started or the story changed
     * in between (then the result is stale and dropped).
     */
    private <T> void search(StorySession s, Search<T> compute, Consumer<T> apply) {
        long r = request.incrementAndGet();
        long revision = s.editor().revisionProperty().get();
        searching.set(true);
        work.execute(() -> {
            Outcome<T> out;
            try {
                out = request.get() == r ? new Outcome<>(compute.run(), null) : null;
            } catch (TextSearch.BadQuery e) {
                out = new Outcome<>(null, e.getMessage());
            }
            Outcome<T> result = out;
            fx.accept(() -> {
                if (request.get() != r || result == null) return;
                searching.set(false);
                if (story.get() != s || s.editor().revisionProperty().get() != revision) return;
                if (result.error() != null) status.setText(result.error());
                else apply.accept(result.value());
            });
        });
    }

    /** True while a search runs on the worker. */
    public BooleanProperty searchingProperty() {
        return searching;
    }

    /** Counts the matches and shows them ("12 in the story, 2 in the panels"); the count arrives from the worker. */
    public void updateCount() {
        StorySession s = story.get();
        if (s == null || find.getText().isEmpty()) {
            request.incrementAndGet();
            searching.set(false);
            status.setText("");
            return;
        }
        Pattern p = pattern();
        if (p == null) {
            request.incrementAndGet();
            searching.set(false);
            return;
        }
        String text = s.editor().text();
        List<String> panels = allPanels() ? panelTexts(s) : null;
        search(
                s,
                () -> {
                    String out = count(TextSearch.findAll(text, p).size()) + " in the story";
                    if (panels != null) {
                        int inPanels = 0;
                        for (String t : panels)
                            inPanels += TextSearch.findAll(t, p).size();
                        out += ", " + count(inPanels) + " in the panels";
                    }
                    return out;
                },
                counted -> {
                    // The recount that follows a Replace all keeps its message in front, so it is still read.
                    status.setText(afterReplace != null ? afterReplace + " · now " + counted : counted);
                });
    }

    /** What the last Replace all did, shown before the counts that follow it until the search changes. */
    private String afterReplace;

    /**
     * Replaces the span from the first match to the last in one change (one undo step), then gives
     * the text between the matches its styles back (generated, out of view): only the replaced
     * words lose the generated mark, as typed text would.
     */
    private static void replaceInStory(StyleClassedTextArea area, String text, TextSearch.Replaced r) {
        int first = r.firstStart(), last = r.lastEnd();
        StyleSpans<Collection<String>> old = area.getStyleSpans(first, last);
        StyleSpansBuilder<Collection<String>> styles = new StyleSpansBuilder<>();
        int pos = first;
        boolean any = false;
        for (TextSearch.Edit e : r.edits()) {
            if (e.start() > pos) {
                for (StyleSpan<Collection<String>> span : old.subView(pos - first, e.start() - first)) {
                    if (span.getLength() > 0) {
                        styles.add(span);
                        any = true;
                    }
                }
            }
            if (e.length() > 0) {
                int at = e.start() - first;
                Set<String> st =
                        new HashSet<>(old.subView(at, at + 1).getStyleSpan(0).getStyle());
                st.remove(StoryEditor.GENERATED);
                styles.add(st, e.length());
                any = true;
            }
            pos = e.end();
        }
        String middle = r.text().substring(first, r.text().length() - (text.length() - last));
        area.replaceText(first, last, middle);
        if (any) area.setStyleSpans(first, styles.create());
    }

    private static String count(int n) {
        return n == 0 ? "no match" : n == 1 ? "1 match" : String.format("%,d matches", n);
    }

    private static List<String> panelTexts(StorySession s) {
        List<String> out = new ArrayList<>(
                List.of(s.memoryProperty().get(), s.noteTextProperty().get()));
        for (WorldInfoEntry e : s.worldInfo()) out.add(e.content());
        return out;
    }

    /** Selects the next (or previous) match in the story, wrapping around (found on the worker). */
    public void findNext(boolean forward) {
        StorySession s = story.get();
        Pattern p = pattern();
        if (s == null || p == null) return;
        StyleClassedTextArea area = s.editor().area();
        IndexRange sel = area.getSelection();
        String text = s.editor().text();
        int from = forward
                ? (sel.getLength() > 0 ? sel.getEnd() : area.getCaretPosition())
                : (sel.getLength() > 0 ? sel.getStart() : area.getCaretPosition());
        search(
                s,
                () -> {
                    TextSearch.Match m = forward ? TextSearch.next(text, p, from) : TextSearch.previous(text, p, from);
                    List<TextSearch.Match> all = m == null ? List.of() : TextSearch.findAll(text, p);
                    return new Found(m, all.indexOf(m) + 1, all.size());
                },
                f -> {
                    if (f.match() == null) {
                        status.setText(count(0) + " in the story");
                        return;
                    }
                    area.selectRange(f.match().start(), f.match().end());
                    area.requestFollowCaret();
                    status.setText("Match " + f.index() + " of " + String.format("%,d", f.of()));
                });
    }

    /** A match found on the worker: which one of how many. */
    private record Found(TextSearch.Match match, int index, int of) {}

    /** Replaces the selected match (one undo step) and selects the next; with no match selected, selects the first. */
    public void replaceCurrent() {
        StorySession s = story.get();
        Pattern p = pattern();
        if (s == null || p == null || s.editor().streaming()) return;
        StyleClassedTextArea area = s.editor().area();
        IndexRange sel = area.getSelection();
        String r = null;
        if (sel.getLength() > 0) {
            try {
                r = TextSearch.replacementFor(
                        s.editor().text(),
                        p,
                        new TextSearch.Match(sel.getStart(), sel.getEnd()),
                        replace.getText(),
                        options());
            } catch (TextSearch.BadQuery e) {
                status.setText(e.getMessage());
                return;
            }
        }
        if (r != null) {
            area.replaceText(sel.getStart(), sel.getEnd(), r);
            area.moveTo(sel.getStart() + r.length());
        }
        findNext(true);
    }

    /**
     * Replaces every match: in the story as one edit (the span from the first match to the last),
     * so a single Undo restores it; in the panels too when the scope says so. The matches are found
     * on the worker; the replacement is applied on the FX thread if nothing changed meanwhile.
     */
    public void replaceAll() {
        StorySession s = story.get();
        Pattern p = pattern();
        if (s == null || p == null || s.editor().streaming()) return;
        String text = s.editor().text();
        String with = replace.getText();
        TextSearch.Options o = options();
        List<String> panels = allPanels() ? panelTexts(s) : null;
        search(
                s,
                () -> {
                    List<TextSearch.Replaced> inPanels = new ArrayList<>();
                    if (panels != null) for (String t : panels) inPanels.add(TextSearch.replaceAll(t, p, with, o));
                    return new ReplacedAll(TextSearch.replaceAll(text, p, with, o), inPanels);
                },
                all -> {
                    if (s.editor().streaming()) return;
                    if (all.story().count() > 0) replaceInStory(s.editor().area(), text, all.story());
                    int inPanels = 0;
                    if (panels != null) {
                        // Panels: memory, the author's note, then each world-info entry, as panelTexts lists them;
                        // a field edited since the search started is left alone.
                        List<TextSearch.Replaced> r = all.panels();
                        if (r.get(0).count() > 0 && s.memoryProperty().get().equals(panels.get(0))) {
                            s.memoryProperty().set(r.get(0).text());
                            inPanels += r.get(0).count();
                        }
                        if (r.get(1).count() > 0 && s.noteTextProperty().get().equals(panels.get(1))) {
                            s.noteTextProperty().set(r.get(1).text());
                            inPanels += r.get(1).count();
                        }
                        for (int i = 0; i + 2 < r.size() && i < s.worldInfo().size(); i++) {
                            WorldInfoEntry e = s.worldInfo().get(i);
                            if (r.get(i + 2).count() > 0 && e.content().equals(panels.get(i + 2))) {
                                s.worldInfo().set(i, e.withContent(r.get(i + 2).text()));
                                inPanels += r.get(i + 2).count();
                            }
                        }
                    }
                    afterReplace = "Replaced " + count(all.story().count()) + " in the story"
                            + (panels != null ? ", " + count(inPanels) + " in the panels" : "");
                    status.setText(afterReplace);
                    recount.playFromStart(); // the text changed: count what is left
                });
    }

    /** Replace all's findings: the story's, then each panel's in {@link #panelTexts} order. */
    private record ReplacedAll(TextSearch.Replaced story, List<TextSearch.Replaced> panels) {}
}
