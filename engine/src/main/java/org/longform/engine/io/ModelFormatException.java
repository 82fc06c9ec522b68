package org.longform.engine.io;

import java.nio.file.Path;

/**
 * A checkpoint, config or tokenizer file that cannot be used; the message names the file and the
 * problem in one line (line breaks in names read from the file, or in a parser's message, become spaces).
 */
public class ModelFormatException extends RuntimeException {
    public ModelFormatException(Path file, String problem) {
        super(oneLine(file, problem));
    }

    public ModelFormatException(Path file, String problem, Throwable cause) {
        super(oneLine(file, problem), cause);
    }

    private static String oneLine(Path file, String problem) {
        return ((file == null ? "" : file + ": ") + problem).replaceAll("[\\r\\n]+", " ");
    }
}
