package org.longform.ui.tools;

import javafx.animation.PauseTransition;
import javafx.beans.binding.BooleanExpression;
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

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

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

    public FindReplaceBar(Supplier<StorySession> story, BooleanExpression busy) {
        this.story = story;
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
        getChildren().addAll(find, prev, next, replace, one, all, matchCase, wholeWord, regex, scope, status, grow,
                close);
        recount.setOnFinished(e -> updateCount());
        find.textProperty().addListener(x -> recount.playFromStart());
        for (var b : List.of(matchCase.selectedProperty(), wholeWord.selectedProperty(), regex.selectedProperty())) {
            b.addListener(x -> updateCount());
        }
        scope.valueProperty().addListener(x -> updateCount());
        addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (e.getCode() == KeyCode.ESCAPE) { close(); e.consume(); }
            else if (e.getCode() == KeyCode.ENTER && e.getTarget() == find) { findNext(!e.isShiftDown()); e.consume(); }
            else if (e.getCode() == KeyCode.ENTER && e.getTarget() == replace) { replaceCurrent(); e.consume(); }
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

    public TextField findField() { return find; }
    public TextField replaceField() { return replace; }
    public Label status() { return status; }

    public TextSearch.Options options() {
        return new TextSearch.Options(matchCase.isSelected(), wholeWord.isSelected(), regex.isSelected());
    }

    public void setOptions(TextSearch.Options o, boolean allPanels) {
        matchCase.setSelected(o.matchCase());
        wholeWord.setSelected(o.wholeWord());
        regex.setSelected(o.regex());
        scope.setValue(allPanels ? IN_ALL : IN_STORY);
    }

    private boolean allPanels() { return IN_ALL.equals(scope.getValue()); }

    private Pattern pattern() {
        try {
            status.getStyleClass().remove("find-error");
            return TextSearch.compile(find.getText(), options());
        } catch (TextSearch.BadQuery e) {
            status.setText(e.getMessage());
            if (!status.getStyleClass().contains("find-error")) status.getStyleClass().add("find-error");
            return null;
        }
    }

    /** Counts the matches and shows them ("12 in the story, 2 in the panels"). */
    public void updateCount() {
        StorySession s = story.get();
        if (s == null || find.getText().isEmpty()) { status.setText(""); return; }
        Pattern p = pattern();
        if (p == null) return;
        int inStory = TextSearch.findAll(s.editor().text(), p).size();
        String text = count(inStory) + " in the story";
        if (allPanels()) {
            int inPanels = 0;
            for (String t : panelTexts(s)) inPanels += TextSearch.findAll(t, p).size();
            text += ", " + count(inPanels) + " in the panels";
        }
        status.setText(text);
    }

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
                    if (span.getLength() > 0) { styles.add(span); any = true; }
                }
            }
            if (e.length() > 0) {
                int at = e.start() - first;
                Set<String> st = new HashSet<>(old.subView(at, at + 1).getStyleSpan(0).getStyle());
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
        List<String> out = new ArrayList<>(List.of(s.memoryProperty().get(), s.noteTextProperty().get()));
        for (WorldInfoEntry e : s.worldInfo()) out.add(e.content());
        return out;
    }

    /** Selects the next (or previous) match in the story, wrapping around; false if there is none. */
    public boolean findNext(boolean forward) {
        StorySession s = story.get();
        Pattern p = pattern();
        if (s == null || p == null) return false;
        StyleClassedTextArea area = s.editor().area();
        IndexRange sel = area.getSelection();
        String text = s.editor().text();
        TextSearch.Match m = forward
                ? TextSearch.next(text, p, sel.getLength() > 0 ? sel.getEnd() : area.getCaretPosition())
                : TextSearch.previous(text, p, sel.getLength() > 0 ? sel.getStart() : area.getCaretPosition());
        if (m == null) {
            updateCount();
            return false;
        }
        area.selectRange(m.start(), m.end());
        area.requestFollowCaret();
        List<TextSearch.Match> all = TextSearch.findAll(text, p);
        status.setText("Match " + (all.indexOf(m) + 1) + " of " + String.format("%,d", all.size()));
        return true;
    }

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
                r = TextSearch.replacementFor(s.editor().text(), p, new TextSearch.Match(sel.getStart(), sel.getEnd()),
                        replace.getText(), options());
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
     * so a single Undo restores it; in the panels too when the scope says so. Returns the count.
     */
    public int replaceAll() {
        StorySession s = story.get();
        Pattern p = pattern();
        if (s == null || p == null || s.editor().streaming()) return 0;
        String text = s.editor().text();
        String with = replace.getText();
        try {
            TextSearch.Replaced r = TextSearch.replaceAll(text, p, with, options());
            int total = r.count();
            if (r.count() > 0) replaceInStory(s.editor().area(), text, r);
            int inPanels = 0;
            if (allPanels()) {
                TextSearch.Replaced m = TextSearch.replaceAll(s.memoryProperty().get(), p, with, options());
                if (m.count() > 0) s.memoryProperty().set(m.text());
                TextSearch.Replaced n = TextSearch.replaceAll(s.noteTextProperty().get(), p, with, options());
                if (n.count() > 0) s.noteTextProperty().set(n.text());
                inPanels = m.count() + n.count();
                for (int i = 0; i < s.worldInfo().size(); i++) {
                    WorldInfoEntry e = s.worldInfo().get(i);
                    TextSearch.Replaced w = TextSearch.replaceAll(e.content(), p, with, options());
                    if (w.count() > 0) s.worldInfo().set(i, e.withContent(w.text()));
                    inPanels += w.count();
                }
                total += inPanels;
            }
            status.setText("Replaced " + count(r.count()) + " in the story"
                    + (allPanels() ? ", " + count(inPanels) + " in the panels" : ""));
            return total;
        } catch (TextSearch.BadQuery e) {
            status.setText(e.getMessage());
            return 0;
        }
    }
}
