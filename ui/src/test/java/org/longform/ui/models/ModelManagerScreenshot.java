package org.longform.ui.models;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import javafx.application.Platform;
import javafx.scene.image.PixelReader;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;
import javafx.stage.Window;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.hub.FakeHub;
import org.longform.hub.HubClient;
import org.longform.hub.HubDownloader;
import org.longform.hub.LocalModel;
import org.longform.hub.RecentModels;
import org.longform.ui.TestSupport;
import org.longform.ui.app.AppConfig;
import org.longform.ui.app.Themes;
import org.testfx.framework.junit5.ApplicationTest;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Draws docs/screenshot-models.png: the model manager's download page with a download paused
 * half-way (against the loopback fake hub serving the tiny fixture), recent models on the other
 * page. On request only: {@code mvn -pl ui -am verify -Dtest=ModelManagerScreenshot -Dui.excludedGroups=none
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class ModelManagerScreenshot extends ApplicationTest {
    @TempDir
    Path tmp;

    FakeHub hub;
    ModelManagerDialog dialog;

    @Override
    public void start(Stage stage) throws Exception {
        hub = new FakeHub(TestSupport.tinyModel());
        RecentModels recent = new RecentModels(tmp.resolve("recent.json"), 12);
        recent.add(LocalModel.inspect(TestSupport.home().resolve("assets/models/mpt-demo")));
        ModelServices services = new ModelServices(
                AppConfig.daemon("s-io"),
                AppConfig.daemon("s-net"),
                Platform::runLater,
                recent,
                ep -> new HubDownloader(
                        new HubClient(hub.endpoint(), null, Duration.ofSeconds(5), Duration.ofSeconds(5)),
                        d -> 80_000_000_000L,
                        3,
                        Duration.ofMillis(10)),
                repo -> tmp.resolve("models").resolve(repo),
                new ModelServices.Choosers() {
                    @Override
                    public Path folder(Window owner, String title) {
                        return null;
                    }

                    @Override
                    public Path ggufFile(Window owner) {
                        return null;
                    }
                });
        dialog = new ModelManagerDialog(stage, services, p -> {}, s -> Themes.apply(s, "light"));
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    @Test
    void draw() throws Exception {
        var gate = hub.holdThenDrop("model.safetensors", 4_200_000);
        interact(() -> {
            dialog.show(true);
            dialog.download().setRepo(FakeHub.REPO);
        });
        clickOn("#hub-check");
        waitFor(() -> dialog.download().stateProperty().get() == DownloadPane.State.READY);
        clickOn("#hub-download");
        waitFor(() -> dialog.download().progressValue() > 0.3);
        clickOn("#hub-pause");
        gate.countDown();
        waitFor(() -> dialog.download().stateProperty().get() == DownloadPane.State.PAUSED);
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
                TestSupport.home().resolve("docs/screenshot-models.png").toFile());
    }

    void waitFor(BooleanSupplier c) throws Exception {
        for (int i = 0; i < 1500; i++) {
            if (WaitForAsyncUtils.asyncFx(c::getAsBoolean).get()) return;
            Thread.sleep(20);
        }
        throw new AssertionError("timed out");
    }
}
