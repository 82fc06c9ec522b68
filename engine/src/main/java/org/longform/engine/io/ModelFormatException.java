package org.longform.engine.io;

import java.nio.file.Path;

/** A checkpoint, config or tokenizer file that cannot be used; the message names the file and the problem. */
public class ModelFormatException extends RuntimeException {
    public ModelFormatException(Path file, String problem) {
        super((file == null ? "" : file + ": ") + problem);
    }

    public ModelFormatException(Path file, String problem, Throwable cause) {
        super((file == null ? "" : file + ": ") + problem, cause);
    }
}
