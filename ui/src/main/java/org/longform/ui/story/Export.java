package org.longform.ui.story;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Plain-text and Markdown export; Markdown turns heading lines ("CHAPTER IV", "Chapter 12. The Ball",
 * "BOOK ONE", as {@link Chapters} finds them, so the Chapters panel and EPUB agree) into {@code ##}
 * headings. A sentence that only starts with such a word ("Part of me wanted…") stays a sentence.
 */
public final class Export {
    private Export() {}

    public static void txt(Path file, StoryData s) throws StoryFileException {
        write(file, s.text());
    }

    public static void markdown(Path file, StoryData s) throws StoryFileException {
        markdown(file, s.title(), s.text());
    }

    public static void markdown(Path file, String title, String text) throws StoryFileException {
        write(file, toMarkdown(title, text));
    }

    public static String toMarkdown(String title, String text) {
        StringBuilder out = new StringBuilder();
        if (!title.isBlank()) out.append("# ").append(title.strip()).append("\n\n");
        for (String line : text.split("\n", -1)) {
            String h = line.strip();
            if (!h.startsWith("#") && Chapters.levelOf(h) > 0)
                out.append("## ").append(h).append('\n');
            else out.append(line).append('\n');
        }
        if (out.length() > 0) out.setLength(out.length() - 1);
        return out.toString();
    }

    private static void write(Path file, String content) throws StoryFileException {
        try {
            AtomicFiles.write(file, content.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new StoryFileException(file, "cannot write: " + StoryFile.describe(e), e);
        }
    }
}
