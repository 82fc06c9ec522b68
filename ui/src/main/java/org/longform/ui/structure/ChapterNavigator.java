package org.longform.ui.structure;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javafx.animation.PauseTransition;
import javafx.beans.InvalidationListener;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.util.Duration;
import org.fxmisc.richtext.StyleClassedTextArea;
import org.fxmisc.richtext.model.TwoDimensional;
import org.longform.ui.app.StorySession;
import org.longform.ui.editor.LayoutBeforeCss;
import org.longform.ui.story.Chapters;
import org.longform.ui.tools.TextCounts;

/**
 * The Chapters side panel: the manuscript's headings ({@link Chapters}), each with its length and
 * whether the model sees it: in view, partly (the story cut falls inside it) or out of view
 * (before the cut, shaded in the editor). A click jumps there. Rebuilt a moment after an edit.
 */
public final class ChapterNavigator extends VBox {
    public enum View {
        IN,
        PARTLY,
        OUT,
        UNKNOWN
    }

    /** A row: the heading, its words, and where it stands against the model's window. */
    public record Row(Chapters.Chapter chapter, int words, View view) {}

    private final ListView<Row> list = new ListView<>();
    private final Label summary = new Label();
    private final PauseTransition rebuild = new PauseTransition(Duration.millis(300));
    private final InvalidationListener onChange = x -> rebuild.playFromStart();
    private final Executor work;
    private final Consumer<Runnable> fx;
    private final AtomicLong request = new AtomicLong();
    private StorySession bound;

    /** @param work where headings are found and counted (War and Peace: 150-250 ms, too long for the FX thread) */
    public ChapterNavigator(Executor work, Consumer<Runnable> fx) {
        this.work = work;
        this.fx = fx;
        setId("chapters");
        setSpacing(6);
        setPadding(new Insets(8));
        list.setId("chapter-list");
        LayoutBeforeCss.install(list); // rows re-made after each recount: no whole-window repaint after
        summary.setId("chapter-summary");
        summary.setWrapText(true);
        VBox.setVgrow(list, Priority.ALWAYS);
        list.setPrefHeight(600);
        list.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(Row r, boolean empty) {
                super.updateItem(r, empty);
                getStyleClass().removeAll("chapter-in-view", "chapter-partly", "chapter-out-of-view", "chapter-part");
                if (empty || r == null) {
                    setText(null);
                    return;
                }
                String mark = switch (r.view()) {
                    case IN -> "●";
                    case PARTLY -> "◐";
                    case OUT -> "○";
                    case UNKNOWN -> " ";
                };
                setText((r.chapter().level() > 1 ? "    " : "") + mark + "  "
                        + r.chapter().title() + String.format("   (%,d words)", r.words()));
                getStyleClass()
                        .add(
                                switch (r.view()) {
                                    case IN -> "chapter-in-view";
                                    case PARTLY -> "chapter-partly";
                                    default -> "chapter-out-of-view";
                                });
                if (r.chapter().level() == 1) getStyleClass().add("chapter-part");
            }
        });
        list.setOnMouseClicked(e -> {
            Row r = list.getSelectionModel().getSelectedItem();
            if (r != null) jumpTo(r.chapter());
        });
        list.setOnKeyPressed(e -> {
            Row r = list.getSelectionModel().getSelectedItem();
            if (r != null && e.getCode() == KeyCode.ENTER) jumpTo(r.chapter());
        });
        rebuild.setOnFinished(e -> refresh());
        getChildren().addAll(summary, list);
    }

    public void bind(StorySession s) {
        if (bound != null) {
            bound.editor().revisionProperty().removeListener(onChange);
            bound.promptProperty().removeListener(onChange);
        }
        bound = s;
        if (s != null) {
            s.editor().revisionProperty().addListener(onChange);
            s.promptProperty().addListener(onChange);
        }
        refresh();
    }

    /** Rebuilds the rows (a moment after a change); they arrive from the worker thread. */
    public void refresh() {
        StorySession s = bound;
        long r = request.incrementAndGet();
        if (s == null) {
            list.getItems().clear();
            summary.setText("");
            return;
        }
        String text = s.editor().text();
        int cut = s.promptProperty().get() == null ? -1 : s.storyCut();
        work.execute(() -> {
            if (request.get() != r) return;
            List<Row> rows = rows(text, cut);
            fx.accept(() -> {
                if (request.get() == r && bound == s) show(rows);
            });
        });
    }

    private void show(List<Row> rows) {
        Row selected = list.getSelectionModel().getSelectedItem();
        ObservableList<Row> items = list.getItems();
        if (rows.size() == items.size()) {
            // An edit changes a row or two (a length, a view mark): replace only those, not every cell.
            for (int i = 0; i < rows.size(); i++) if (!rows.get(i).equals(items.get(i))) items.set(i, rows.get(i));
        } else {
            items.setAll(rows);
        }
        if (selected != null && !rows.contains(list.getSelectionModel().getSelectedItem())) {
            for (Row row : rows) {
                if (row.chapter().start() == selected.chapter().start()) {
                    list.getSelectionModel().select(row);
                    break;
                }
            }
        }
        long out = rows.stream().filter(r -> r.view() == View.OUT).count();
        summary.setText(
                rows.isEmpty()
                        ? "No headings yet. Lines such as \u201CChapter 3\u201D, \u201CCHAPTER III. The Ball\u201D, "
                                + "\u201CPart Two\u201D or \u201C# Title\u201D become chapters here."
                        : String.format(
                                "%,d headings · ● in the model's view, ◐ partly, ○ out of view%s",
                                rows.size(), out > 0 ? String.format(" (%,d chapters)", out) : ""));
    }

    /** The rows for {@code text} with the model's view starting at {@code cut} (-1: not known yet). */
    public static List<Row> rows(String text, int cut) {
        return Chapters.of(text).stream()
                .map(c -> new Row(
                        c,
                        TextCounts.words(text.substring(c.start(), c.end())),
                        cut < 0 ? View.UNKNOWN : c.end() <= cut ? View.OUT : c.start() >= cut ? View.IN : View.PARTLY))
                .toList();
    }

    public void jumpTo(Chapters.Chapter c) {
        if (bound == null) return;
        StyleClassedTextArea area = bound.editor().area();
        int pos = Math.min(c.start(), area.getLength());
        area.moveTo(pos);
        area.showParagraphAtTop(
                area.offsetToPosition(pos, TwoDimensional.Bias.Forward).getMajor());
        area.requestFocus();
    }

    public ListView<Row> list() {
        return list;
    }
}
