package org.longform.ui.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import org.longform.ui.story.StoryFile;

/**
 * Where stories without a chosen file live (CONFIG/stories): every story always has a file, so
 * autosave can always write it and nothing depends on the writer remembering to save.
 */
public final class StoryLibrary {
    private StoryLibrary() {}

    public static Path newFile(Path configDir, String title) {
        String base = title == null || title.isBlank()
                ? "Untitled"
                : title.replaceAll("[^\\p{L}\\p{N} ._-]", "_").strip();
        if (base.length() > 60) base = base.substring(0, 60);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = configDir.resolve("stories");
        Path p = dir.resolve(base + " " + stamp + StoryFile.EXTENSION);
        for (int i = 2; Files.exists(p); i++)
            p = dir.resolve(base + " " + stamp + " (" + i + ")" + StoryFile.EXTENSION);
        return p;
    }
}
