package org.longform.ui.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import javafx.application.Platform;
import javafx.scene.control.TabPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.longform.ui.TestSupport;
import org.longform.ui.gen.EngineTextGenerator;
import org.longform.ui.gen.FakeGenerator;
import org.testfx.framework.junit5.ApplicationTest;

/** Starts the real main window headless, with a scripted generator and a temp config folder. */
abstract class FxTestBase extends ApplicationTest {
    @TempDir
    Path config;

    MainWindow window;
    FakeGenerator fake;

    /** Scripts the fake model answers with, in order (the last one repeats). */
    String[] scripts() {
        return new String[] {" The wolves came down from the hills.", " Snow fell on the empty road."};
    }

    long tokenDelayMs() {
        return 0;
    }

    List<String> args() {
        return List.of();
    }

    AppConfig appConfig() {
        fake = new FakeGenerator(tokenDelayMs(), scripts());
        return new AppConfig(
                config,
                AppConfig.daemon("test-model"),
                AppConfig.daemon("test-io"),
                Platform::runLater,
                // The fake for the default "model"; any real folder goes to the engine (used to test load errors).
                dir -> dir.equals(Path.of("fake-model")) ? fake : EngineTextGenerator.open(dir, 1),
                Path.of("fake-model"),
                Duration.ofMillis(200),
                Duration.ofMillis(50),
                ProcessHandle.current().pid());
    }

    @Override
    public void start(Stage stage) {
        window = new MainWindow(appConfig(), stage);
        window.start(args());
    }

    /** Quits like the writer would, so pending saves land before the temp folder is removed. */
    @AfterEach
    void quitApp() {
        if (window != null) interact(() -> window.quit());
    }

    /** Waits (off the FX thread) until the condition, evaluated on the FX thread, holds. */
    void waitFor(String what, BooleanSupplier condition) {
        TestSupport.waitOnFx(what, condition, 10);
    }

    <T> T fx(Callable<T> c) {
        return TestSupport.onFx(c);
    }

    void waitForModel() {
        waitFor("model loaded", () -> window.model().get() != null && window.active() != null);
    }

    StorySession story() {
        return fx(() -> window.active());
    }

    String text() {
        return fx(() -> window.active().editor().text());
    }

    /** Closes the story in the selected tab, as the tab's close button does. */
    void closeSelectedStory() {
        interact(() -> window.closeStory(((TabPane) window.scene().lookup("#stories"))
                .getSelectionModel()
                .getSelectedItem()));
    }

    /** Closes the (only) story tab and opens {@code file} again, as a writer reopening it. */
    void closeAndReopen(Path file) {
        closeSelectedStory();
        waitFor("tab closed", () -> window.stories().isEmpty());
        interact(() -> window.files().open(file));
        waitFor(
                "reopened",
                () -> window.active() != null
                        && file.equals(window.active().fileProperty().get()));
    }
}
