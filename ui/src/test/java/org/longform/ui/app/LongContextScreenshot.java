package org.longform.ui.app;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javafx.application.Platform;
import javafx.scene.image.PixelReader;
import javafx.scene.image.WritableImage;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.longform.engine.Assets;
import org.longform.ui.TestSupport;
import org.longform.ui.gen.EngineTextGenerator;
import org.longform.ui.story.StoryData;

/**
 * Draws docs/screenshot-long-context.png: Moby-Dick open on the demo model after a generation, the
 * status bar showing the cache's mode and what the next generation recomputes. On request only:
 * {@code mvn -pl ui -am verify -Dtest=LongContextScreenshot -Dui.excludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class LongContextScreenshot extends FxTestBase {
    @Override
    AppConfig appConfig() {
        return new AppConfig(
                config,
                AppConfig.daemon("test-model"),
                AppConfig.daemon("test-io"),
                Platform::runLater,
                dir -> EngineTextGenerator.open(dir, 0),
                Assets.demoModel(),
                Duration.ofMillis(200),
                Duration.ofMillis(50),
                ProcessHandle.current().pid());
    }

    @Test
    void draw() throws Exception {
        waitForModel();
        String text = Files.readString(TestSupport.home()
                .resolve("../shared/corpus/moby-dick.melville.txt")
                .normalize());
        interact(() -> {
            StorySession s = window.addStory(StoryData.blank("Moby-Dick").withText(text), null);
            s.samplingProperty().set(StoryData.EDITOR_SAMPLER.withMaxTokens(60));
            s.memoryProperty().set("The whaling ship Pequod hunts the white whale.");
            s.noteTextProperty().set("Ishmael is uneasy.");
        });
        TestSupport.waitOnFx(
                "warm", () -> window.contextBar().legendText().matches(".*next generation recomputes 0(\\s.*)?"), 300);
        clickOn("#btn-generate");
        TestSupport.waitOnFx(
                "generated",
                () -> !window.generation().generatingProperty().get()
                        && window.generation().statusProperty().get().contains("recomputed"),
                300);
        TestSupport.waitOnFx(
                "warm again",
                () -> window.cacheStatusLabel().getText().contains("saved with the story")
                        && window.contextBar().legendText().matches(".*next generation recomputes 0(\\s.*)?"),
                300);
        interact(() -> window.active()
                .editor()
                .area()
                .showParagraphAtBottom(
                        window.active().editor().area().getParagraphs().size() - 1));
        Thread.sleep(500);
        WritableImage img = fx(() -> window.scene().snapshot(null));
        Path out = TestSupport.home().resolve("docs/screenshot-long-context.png");
        PixelReader pr = img.getPixelReader();
        BufferedImage png = new BufferedImage((int) img.getWidth(), (int) img.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < png.getHeight(); y++)
            for (int x = 0; x < png.getWidth(); x++) png.setRGB(x, y, pr.getArgb(x, y));
        ImageIO.write(png, "png", out.toFile());
    }
}
