package org.longform.ui.story;

import java.nio.file.Path;

/** A story file that cannot be read or written; the message names the file and the problem, fit for a dialog. */
public class StoryFileException extends Exception {
    private final Path file;

    public StoryFileException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public StoryFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
