package org.longform.ui.app;

import java.nio.file.Path;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.StoryFile;
import org.longform.ui.story.StoryFileException;

/**
 * Child process of {@link DiskFaultTest}, started under {@code ulimit -f}: opens the story, makes
 * its text {@code KB} kilobytes long and autosaves it as the app does. Prints SAVED, or FAILED and
 * the message the writer would see in the status line.
 */
public final class DiskFaultChild {
    public static void main(String[] args) throws Exception {
        Path config = Path.of(args[0]);
        long pid = Long.parseLong(args[1]);
        Path story = Path.of(args[2]);
        int kb = Integer.parseInt(args[3]);
        StoryData d = StoryFile.read(story);
        String text = ("It was a dark and stormy night. ".repeat(kb * 32)).substring(0, kb * 1024);
        try {
            new AutosaveStore(config, pid).save(d.withText(text), story);
            System.out.println("SAVED");
        } catch (StoryFileException e) {
            System.out.println("FAILED Autosave failed: " + e.getMessage());
        }
    }
}
