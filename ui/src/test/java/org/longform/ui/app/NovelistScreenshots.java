package org.longform.ui.app;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.scene.Scene;
import javafx.scene.control.TabPane;
import javafx.scene.image.PixelReader;
import javafx.scene.image.WritableImage;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.longform.ui.TestSupport;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.StoryFile;
import org.longform.ui.structure.ChapterNavigator;
import org.longform.ui.structure.HistoryBrowser;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Draws docs/screenshot-chapters.png (War and Peace in the Chapters panel, most of it out of the
 * model's view) and docs/screenshot-history.png (the version history with a diff). On request only:
 * {@code mvn -pl ui -am verify -Dtest=NovelistScreenshots -Dui.excludedGroups=none
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class NovelistScreenshots extends FxTestBase {
    static void save(Scene scene, String name) throws Exception {
        WritableImage img =
                WaitForAsyncUtils.asyncFx(() -> scene.snapshot(null)).get();
        PixelReader pr = img.getPixelReader();
        BufferedImage out = new BufferedImage((int) img.getWidth(), (int) img.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < out.getHeight(); y++)
            for (int x = 0; x < out.getWidth(); x++) out.setRGB(x, y, pr.getArgb(x, y));
        ImageIO.write(out, "png", TestSupport.home().resolve("docs/" + name).toFile());
    }

    @Test
    void chapters() throws Exception {
        Path novel = WarAndPeaceFxTest.novel();
        Assumptions.assumeTrue(Files.isRegularFile(novel));
        waitForModel();
        fx(() -> {
            window.stage.setWidth(1400);
            window.stage.setHeight(860);
            return null;
        });
        interact(() -> window.files().open(novel));
        waitFor(
                "novel open",
                () -> window.active() != null && window.active().editor().length() > 3_000_000);
        waitFor(
                "context map",
                () -> story().promptProperty().get() != null && story().editor().shadedUpTo() > 0);
        fx(() -> {
            ((TabPane) window.scene().lookup("#side")).getSelectionModel().selectLast();
            window.chapters().refresh();
            return null;
        });
        waitFor(
                "chapters marked",
                () -> window.chapters().list().getItems().size() > 300
                        && window.chapters().list().getItems().getLast().view() != ChapterNavigator.View.UNKNOWN);
        fx(() -> {
            var list = window.chapters().list();
            int partly = 0;
            for (int i = 0; i < list.getItems().size(); i++)
                if (list.getItems().get(i).view() != ChapterNavigator.View.OUT) {
                    partly = i;
                    break;
                }
            list.scrollTo(Math.max(0, partly - 12));
            list.getSelectionModel().select(partly);
            window.chapters().jumpTo(list.getItems().get(partly).chapter());
            return null;
        });
        sleep(800);
        save(window.scene(), "screenshot-chapters.png");
    }

    @Test
    void history() throws Exception {
        waitForModel();
        String v1 =
                "CHAPTER I\n\nThe caravan left at dawn.\nBy noon the camels were restless.\nOren blamed the wind.\n\nCHAPTER II\n\nNight came.";
        String v2 = v1.replace("Oren blamed the wind.", "Oren blamed the wind, then the camels, then himself.")
                + "\nThe fire would not catch.";
        String now = v2.replace("By noon the camels were restless.\n", "") + "\nSomewhere a dog barked.";
        StoryData d = StoryData.blank("The Salt Road").withText(now);
        Path dir = config.resolve("history").resolve(d.id());
        StoryFile.write(dir.resolve("20261207-091512-000" + StoryFile.EXTENSION), d.withText(v1));
        StoryFile.write(dir.resolve("20261207-094803-000" + StoryFile.EXTENSION), d.withText(v2));
        StoryFile.write(dir.resolve("20261207-101130-000" + StoryFile.EXTENSION), d.withText(now));
        fx(() -> window.addStory(d, null));
        HistoryBrowser h = fx(() -> window.showHistory());
        waitFor("versions", () -> h.versions().getItems().size() == 3);
        fx(() -> {
            h.versions().getSelectionModel().select(2);
            return null;
        });
        waitFor("diff", () -> !h.diff().getItems().isEmpty());
        sleep(500);
        save(h.stage().getScene(), "screenshot-history.png");
        fx(() -> {
            h.stage().close();
            return null;
        });
    }
}
