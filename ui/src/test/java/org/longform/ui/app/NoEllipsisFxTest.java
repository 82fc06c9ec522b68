package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Label;
import javafx.scene.control.Labeled;
import javafx.scene.text.Text;
import org.junit.jupiter.api.Test;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.StoryFile;

/**
 * At 1280 px wide, with the crash-recovery offer showing (the longest notice the app has, with
 * two buttons), no button or label of the toolbar, the notice bar, the find bar or the counts
 * strip is drawn cut short ("R…").
 */
class NoEllipsisFxTest extends FxTestBase {
    @Override
    AppConfig appConfig() {
        // A crashed session's autosave (a process id that cannot be alive) so the recovery bar shows.
        try {
            Path dir = config.resolve("autosave").resolve(Long.toString(Long.MAX_VALUE - 7));
            StoryData d = StoryData.blank("A story with a rather long title that was being written when it crashed");
            StoryFile.write(dir.resolve(d.id() + StoryFile.EXTENSION), d.withText("It was a dark and stormy night."));
            Files.writeString(
                    dir.resolve(d.id() + ".path"),
                    config.resolve("elsewhere.longform").toString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        AppConfig c = super.appConfig();
        fake.demo = true; // the toolbar then carries its longest label, the demo-model notice
        return c;
    }

    @Test
    void toolbarAndNoticeBarButtonsShowTheirWholeLabelAt1280() {
        waitFor("recovery offered", () -> window.notice().message().contains("did not close properly"));
        waitFor(
                "demo model named in the toolbar",
                () -> ((Label) window.scene().lookup("#toolbar-model"))
                        .getText()
                        .startsWith("Demo"));
        fx(() -> {
            window.tools().findBar().open(true);
            return null;
        }); // the find bar and the counts strip too
        for (double width : new double[] {1280, 1400, 1600}) {
            fx(() -> {
                window.stage.setMaximized(false);
                window.stage.setWidth(width);
                window.stage.setHeight(820);
                return null;
            });
            waitFor("laid out at " + width, () -> Math.abs(window.scene().getWidth() - width) < 40);
            fx(() -> {
                window.scene().getRoot().applyCss();
                window.scene().getRoot().layout();
                return null;
            });
            List<String> cut = fx(() -> {
                List<String> out = new ArrayList<>();
                for (String id : new String[] {"#toolbar", "#notice", "#find-bar", "#writing-stats"})
                    collectCut(window.scene().lookup(id), out);
                return out;
            });
            assertEquals(List.of(), cut, "labels drawn cut short at " + width + " px");
            double need = fx(() -> window.tools().findBar().minWidth(-1)),
                    have = fx(() -> window.scene().getWidth());
            assertTrue(need <= have, "the find bar fits at " + width + " px: needs " + need);
            assertTrue(fx(() -> window.scene().lookup("#recover").isVisible()));
        }
    }

    /** Labeled controls whose drawn text differs from their text (JavaFX replaces the overrun with "…"). */
    static void collectCut(Node n, List<String> out) {
        if (n == null || !n.isVisible()) return;
        if (n instanceof Labeled l && l.getText() != null && !l.getText().isEmpty() && !l.isWrapText()) {
            Text drawn = (Text) l.lookup(".text");
            if (drawn != null && !drawn.getText().equals(l.getText())) {
                out.add((l.getId() == null ? l.getClass().getSimpleName() : l.getId()) + ": \"" + drawn.getText()
                        + "\" for \"" + l.getText() + "\"");
            }
        }
        if (n instanceof Parent p) for (Node c : p.getChildrenUnmodifiable()) collectCut(c, out);
    }
}
