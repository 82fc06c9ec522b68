package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.longform.ui.gen.FakeGenerator;

/**
 * Kills a running app (a child JVM with the real main window) after it autosaved, then starts the
 * app again on the same config folder: it offers recovery, and Recover brings the text back.
 */
class CrashRecoveryFxTest extends FxTestBase {
    static final String TYPED = "Chapter One. The storm had been raging for three days when the letter came.";
    static Path crashedConfig;

    @BeforeAll
    static void crashAnApp() throws Exception {
        crashedConfig = Files.createTempDirectory("longform-crash");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "--add-modules",
                "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED",
                "-Xmx512m"));
        for (String p : List.of(
                "glass.platform",
                "monocle.platform",
                "prism.order",
                "prism.text",
                "headless.geometry",
                "longform.home",
                "testfx.headless")) {
            if (System.getProperty(p) != null) cmd.add("-D" + p + "=" + System.getProperty(p));
        }
        cmd.addAll(List.of(CrashHarness.class.getName(), crashedConfig.toString(), TYPED));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder log = new StringBuilder();
        boolean saved = false;
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            String line;
            while (System.nanoTime() < end && (line = r.readLine()) != null) {
                log.append(line).append('\n');
                if (line.equals("AUTOSAVED")) {
                    saved = true;
                    break;
                }
            }
            assertTrue(saved, "the child app never autosaved:\n" + log);
            child.destroyForcibly(); // the crash: no clean shutdown, no chance to tidy up
            assertTrue(child.waitFor(20, TimeUnit.SECONDS));
        } finally {
            child.destroyForcibly();
        }
        assertTrue(
                Files.isDirectory(crashedConfig.resolve("autosave").resolve(Long.toString(child.pid()))),
                "left its autosave behind");
    }

    @Override
    AppConfig appConfig() {
        fake = new FakeGenerator(0, " y");
        return new AppConfig(
                crashedConfig,
                AppConfig.daemon("test-model"),
                AppConfig.daemon("test-io"),
                Platform::runLater,
                dir -> fake,
                Path.of("fake-model"),
                Duration.ofMillis(200),
                Duration.ofMillis(50),
                ProcessHandle.current().pid());
    }

    @Test
    void restartOffersRecoveryAndRestoresTheText() {
        waitFor("recovery offered", () -> window.notice().message().contains("did not close properly"));
        assertTrue(fx(() -> window.notice().message().contains("\u201CCrash test\u201D")));
        clickOn("#recover");
        waitFor(
                "recovered story open",
                () -> window.stories().stream().anyMatch(s -> s.editor().text().equals(TYPED)));
        StorySession s = fx(() -> window.active());
        assertEquals(TYPED, fx(() -> s.editor().text()));
        assertEquals("Crash test", fx(() -> s.titleProperty().get()));
        assertEquals("", fx(() -> window.notice().message()));
        // Handled: the crashed session's folder is cleaned up and no longer offered.
        waitFor(
                "old autosave removed",
                () -> window.store().recoverable(new ArrayList<>()).isEmpty());
    }
}
