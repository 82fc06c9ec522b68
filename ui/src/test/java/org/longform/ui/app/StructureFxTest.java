package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import javafx.scene.control.ListCell;
import javafx.scene.control.TabPane;
import org.junit.jupiter.api.Test;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.StoryFile;
import org.longform.ui.structure.ChapterNavigator;
import org.longform.ui.structure.HistoryBrowser;
import org.longform.ui.structure.LineDiff;

/** The chapter navigator (jump, the model's view) and the version history (diff, restore, undo) in the real window. */
class StructureFxTest extends FxTestBase {
    static String manuscript() {
        StringBuilder b = new StringBuilder("BOOK ONE: 1805\n\n");
        for (int c = 1; c <= 6; c++) {
            b.append("CHAPTER ").append(c).append("\n\n");
            for (int p = 0; p < 12; p++)
                b.append("In chapter ")
                        .append(c)
                        .append(" the snow kept falling on the roofs of Moscow, paragraph ")
                        .append(p)
                        .append(".\n");
            b.append('\n');
        }
        return b.toString();
    }

    @Test
    void navigatorListsHeadingsJumpsAndMarksWhatTheModelSees() {
        waitForModel();
        String text = manuscript();
        StorySession s = fx(() -> window.addStory(StoryData.blank("Snow").withText(text), null));
        fx(() -> {
            window.setPrefs(window.prefs().withPromptCap(300));
            window.monitor().schedule();
            return null;
        });
        waitFor("the story outgrows the window", () -> s.promptProperty().get() != null && s.storyCut() > 0);
        fx(() -> {
            window.chapters().refresh();
            return null;
        });
        waitFor(
                "rows marked against the current cut",
                () -> window.chapters().list().getItems().size() == 7
                        && window.chapters()
                                .list()
                                .getItems()
                                .equals(ChapterNavigator.rows(s.editor().text(), s.storyCut())));
        List<ChapterNavigator.Row> rows =
                fx(() -> List.copyOf(window.chapters().list().getItems()));
        assertEquals(
                List.of("BOOK ONE: 1805", "CHAPTER 1", "CHAPTER 2", "CHAPTER 3", "CHAPTER 4", "CHAPTER 5", "CHAPTER 6"),
                rows.stream().map(r -> r.chapter().title()).toList());
        int cut = fx(s::storyCut);
        for (ChapterNavigator.Row r : rows) {
            ChapterNavigator.View want = r.chapter().end() <= cut
                    ? ChapterNavigator.View.OUT
                    : r.chapter().start() >= cut ? ChapterNavigator.View.IN : ChapterNavigator.View.PARTLY;
            assertEquals(want, r.view(), r.chapter().title());
        }
        assertEquals(ChapterNavigator.View.OUT, rows.get(1).view(), "the first chapter has left a 300-token window");
        assertNotEquals(ChapterNavigator.View.OUT, rows.getLast().view(), "the last chapter is in view");
        // Click a chapter: the cursor goes to its heading.
        fx(() -> {
            ((TabPane) window.scene().lookup("#side")).getSelectionModel().selectLast();
            return null;
        });
        waitFor(
                "chapters tab shown",
                () -> window.chapters().list().lookupAll(".list-cell").size() > 3);
        var cell = fx(() -> window.chapters().list().lookupAll(".list-cell").stream()
                .filter(n -> n instanceof ListCell<?> c
                        && c.getItem() instanceof ChapterNavigator.Row r
                        && r.chapter().title().equals("CHAPTER 3"))
                .findFirst()
                .orElseThrow());
        clickOn(cell);
        assertEquals(text.indexOf("CHAPTER 3"), fx(() -> s.editor().area().getCaretPosition()));
        // A new heading typed in the story appears a moment later.
        fx(() -> {
            s.editor().area().appendText("\nCHAPTER 7\n\nThe thaw.");
            return null;
        });
        waitFor("new heading listed", () -> window.chapters().list().getItems().size() == 8);
    }

    @Test
    void historyShowsTheDiffAndRestoreIsOneUndo() throws Exception {
        waitForModel();
        String v1 = "It was winter.\nThe wolves came.\nThe end.";
        String now = "It was winter.\nThe bears came.\nThe end.\nAn epilogue.";
        StoryData d = StoryData.blank("Wolves").withText(now);
        Path dir = config.resolve("history").resolve(d.id());
        StoryFile.write(dir.resolve("20261201-101500-000" + StoryFile.EXTENSION), d.withText(v1));
        StoryFile.write(
                dir.resolve("20261201-103000-000" + StoryFile.EXTENSION),
                d.withText("It was winter.\nThe bears came.\nThe end."));
        StorySession s = fx(() -> window.addStory(d, null));
        HistoryBrowser h = fx(() -> window.showHistory());
        waitFor("versions listed", () -> h.versions().getItems().size() == 2);
        assertEquals(
                List.of(10, 10),
                fx(() -> h.versions().getItems().stream()
                        .map(v -> v.time().getHour())
                        .toList()));
        assertEquals(30, fx(() -> h.versions().getItems().getFirst().time().getMinute()), "newest first");
        fx(() -> {
            h.versions().getSelectionModel().select(1);
            return null;
        });
        waitFor("diff shown", () -> !h.diff().getItems().isEmpty());
        assertEquals(
                List.of(
                        new LineDiff.Line(LineDiff.Kind.SAME, "It was winter."),
                        new LineDiff.Line(LineDiff.Kind.REMOVED, "The bears came."),
                        new LineDiff.Line(LineDiff.Kind.ADDED, "The wolves came."),
                        new LineDiff.Line(LineDiff.Kind.SAME, "The end."),
                        new LineDiff.Line(LineDiff.Kind.REMOVED, "An epilogue.")),
                fx(() -> List.copyOf(h.diff().getItems())));
        assertTrue(fx(() -> h.summary().getText())
                .startsWith("Against the text now: 2 lines would go, 1 would come back"));
        clickOn("#history-restore");
        assertEquals(v1, text());
        assertTrue(fx(() -> h.summary().getText()).contains("Undo takes it back"));
        fx(() -> {
            window.actions().get("undo").run();
            return null;
        });
        assertEquals(now, text(), "one Undo takes the restore back");
        fx(() -> {
            window.actions().get("redo").run();
            return null;
        });
        assertEquals(v1, text());
        fx(() -> {
            h.stage().close();
            return null;
        });
    }
}
