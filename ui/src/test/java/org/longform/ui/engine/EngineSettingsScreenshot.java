package org.longform.ui.engine;

import java.awt.image.BufferedImage;
import javafx.scene.image.PixelReader;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.longform.ui.TestSupport;
import org.longform.ui.app.Themes;
import org.longform.ui.gen.EngineSettings;
import org.testfx.framework.junit5.ApplicationTest;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Draws docs/screenshot-engine-settings.png: Model ▸ Engine settings… as a writer with
 * StoryWriter on a 24 GB laptop would see it. On request only: {@code mvn -pl ui -am verify
 * -Dtest=EngineSettingsScreenshot -Dui.excludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class EngineSettingsScreenshot extends ApplicationTest {
    EngineSettingsDialog dialog;

    @Override
    public void start(Stage stage) {
        dialog = new EngineSettingsDialog(
                stage,
                new EngineSettings("q8_0", "auto", 0),
                "mpt-7b-storywriter: weights bf16, KV int8, window 31,744 tokens",
                (s, done) -> done.accept(null));
        Themes.apply(dialog.stage().getScene(), "light");
        dialog.show();
    }

    @Test
    void draw() throws Exception {
        WritableImage img = WaitForAsyncUtils.asyncFx(
                        () -> dialog.stage().getScene().snapshot(null))
                .get();
        PixelReader pr = img.getPixelReader();
        BufferedImage out = new BufferedImage((int) img.getWidth(), (int) img.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < out.getHeight(); y++)
            for (int x = 0; x < out.getWidth(); x++) out.setRGB(x, y, pr.getArgb(x, y));
        ImageIO.write(
                out,
                "png",
                TestSupport.home()
                        .resolve("docs/screenshot-engine-settings.png")
                        .toFile());
    }
}
