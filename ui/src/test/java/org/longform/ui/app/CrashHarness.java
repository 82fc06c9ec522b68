package org.longform.ui.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javafx.application.Platform;
import javafx.stage.Stage;
import org.longform.ui.gen.FakeGenerator;
import org.longform.ui.story.StoryFile;

/**
 * Child-process app for the crash test: starts the real main window on a config folder, types
 * text into the editor, waits until autosave has it on disk, prints AUTOSAVED, then idles until it
 * is killed.
 */
public final class CrashHarness {
    public static void main(String[] args) throws Exception {
        Path config = Path.of(args[0]);
        String text = args[1];
        Platform.startup(() -> {
            FakeGenerator fake = new FakeGenerator(0, " x");
            AppConfig cfg = new AppConfig(
                    config,
                    AppConfig.daemon("model"),
                    AppConfig.daemon("io"),
                    Platform::runLater,
                    d -> fake,
                    Path.of("fake"),
                    Duration.ofMillis(300),
                    Duration.ofMillis(50),
                    ProcessHandle.current().pid());
            MainWindow w = new MainWindow(cfg, new Stage());
            w.start(List.of());
            w.active().titleProperty().set("Crash test");
            // Typed as edits, the way keystrokes arrive.
            for (int i = 0; i < text.length(); i++) w.active().editor().area().insertText(i, text.substring(i, i + 1));
        });
        Path dir = config.resolve("autosave")
                .resolve(Long.toString(ProcessHandle.current().pid()));
        for (int i = 0; i < 600; i++) {
            if (Files.isDirectory(dir)) {
                try (var files = Files.list(dir)) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".longform"))
                            .toList()) {
                        if (StoryFile.read(f).text().equals(text)) {
                            System.out.println("AUTOSAVED");
                            System.out.flush();
                            Thread.sleep(Long.MAX_VALUE);
                        }
                    }
                } catch (Exception ignored) {
                    // mid-write or not yet there: poll again
                }
            }
            Thread.sleep(50);
        }
        System.out.println("TIMEOUT");
    }
}
