package org.longform.ui.app;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javafx.application.Platform;
import javafx.geometry.Bounds;
import javafx.scene.Scene;
import javafx.scene.image.PixelReader;
import javafx.scene.image.WritableImage;
import javafx.stage.Window;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.longform.engine.Assets;
import org.longform.ui.TestSupport;
import org.longform.ui.choices.ChoiceStore;
import org.longform.ui.gen.EngineTextGenerator;
import org.longform.ui.story.StoryData;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Draws docs/screenshot-alternatives.png: the demo model's alternatives for a word it wrote, over the
 * editor. On request only: {@code mvn -pl ui -am test -Dtest=ChoicesScreenshot -Dui.excludedGroups=none
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class ChoicesScreenshot extends FxTestBase {
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

    static BufferedImage image(Scene scene) throws Exception {
        WritableImage img =
                WaitForAsyncUtils.asyncFx(() -> scene.snapshot(null)).get();
        PixelReader pr = img.getPixelReader();
        BufferedImage out = new BufferedImage((int) img.getWidth(), (int) img.getHeight(), BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < out.getHeight(); y++)
            for (int x = 0; x < out.getWidth(); x++) out.setRGB(x, y, pr.getArgb(x, y));
        return out;
    }

    @Test
    void alternatives() throws Exception {
        waitForModel();
        String text = Files.readString(TestSupport.home().resolve("replay/stories/christmas-carol-opening.txt"))
                .substring(0, 640);
        interact(() -> {
            window.stage.setWidth(1280);
            window.stage.setHeight(800);
            story().samplingProperty().set(StoryData.EDITOR_SAMPLER.withSeed(7L).withMaxTokens(48));
            story().editor().area().replaceText(text);
        });
        interact(() -> window.generation().generate(story()));
        TestSupport.waitOnFx(
                "generation", () -> !window.generation().generatingProperty().get(), 180);
        // A word-starting token in the middle of the generation with a spread of alternatives.
        List<ChoiceStore.Token> tokens =
                fx(() -> story().choices().runs().getFirst().tokens());
        ChoiceStore.Token pick = tokens.get(tokens.size() / 2);
        double spread = -1;
        for (ChoiceStore.Token t : tokens.subList(tokens.size() / 4, tokens.size()))
            if (t.start() >= 0 && t.choice().top().get(0).probability() < 0.6) {
                double p = t.choice().top().get(0).probability();
                if (spread < 0 || p > spread) {
                    spread = p;
                    pick = t;
                }
            }
        int at = pick.start() + 1;
        interact(() -> {
            story().editor().area().moveTo(at);
            story().editor().area().requestFollowCaret();
        });
        sleep(300);
        Bounds b = fx(() ->
                story().editor().area().getCharacterBoundsOnScreen(at, at + 1).orElseThrow());
        interact(() -> window.choices().show(story(), at, b));
        sleep(500);
        BufferedImage main = image(window.scene());
        Window pop = window.choices().popup();
        BufferedImage over = image(pop.getScene());
        double x = fx(() -> pop.getX() - window.stage.getX() - window.scene().getX());
        double y = fx(() -> pop.getY() - window.stage.getY() - window.scene().getY());
        Graphics2D g = main.createGraphics();
        g.drawImage(over, (int) Math.round(x), (int) Math.round(y), null);
        g.dispose();
        Path out = TestSupport.home().resolve("docs/screenshot-alternatives.png");
        BufferedImage rgb = new BufferedImage(main.getWidth(), main.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g2 = rgb.createGraphics();
        g2.drawImage(main, 0, 0, null);
        g2.dispose();
        ImageIO.write(rgb, "png", out.toFile());
        interact(() -> window.choices().popup().hide());
    }
}
