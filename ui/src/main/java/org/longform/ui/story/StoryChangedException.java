package org.longform.ui.story;

import java.nio.file.Path;

/**
 * The story file changed on disk since this instance last read or wrote it (another Longform
 * window, a sync client, another editor): it was not overwritten.
 */
public final class StoryChangedException extends StoryFileException {
    public StoryChangedException(Path file) {
        super(file, "changed on disk since Longform last read or saved it (another window or program wrote it)");
    }
}
