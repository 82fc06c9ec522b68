package org.longform.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.longform.ui.story.EpubExport;
import org.longform.ui.story.Export;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.StoryFile;
import org.longform.ui.story.StoryFileException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code longform export INPUT --format txt|md|epub --out FILE [--title T] [--author A]}: the story
 * text of anything the editor opens (.longform, .txt, .md, KoboldAI saves) through the same writers
 * as the editor's File ▸ Export. Memory, notes and world info stay out.
 */
@Command(
        name = "export",
        description = "Export a story's text as plain text, Markdown or EPUB 3 (the editor's File > Export).")
public final class ExportCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            paramLabel = "INPUT",
            description = "A .longform story, a .txt or .md manuscript, or a KoboldAI save (.json).")
    Path input;

    @Option(
            names = "--format",
            paramLabel = "txt|md|epub",
            description = "Output format (default: from the --out file's extension).")
    String format;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write.")
    Path out;

    @Option(names = "--title", paramLabel = "T", description = "Book title (default: the story's title).")
    String title;

    @Option(names = "--author", paramLabel = "A", description = "Author, for EPUB metadata.")
    String author;

    @Override
    public Integer call() throws StoryFileException {
        String f = format != null ? format.toLowerCase(Locale.ROOT) : extension(out);
        if (!f.equals("txt") && !f.equals("md") && !f.equals("epub")) {
            throw new IllegalArgumentException("unknown export format \"" + (format != null ? format : f)
                    + "\": use --format txt, md or epub (or an --out file ending in one of them)");
        }
        StoryData story = StoryFile.open(input.toAbsolutePath());
        String bookTitle = title != null && !title.isBlank() ? title : story.title();
        switch (f) {
            case "txt" -> Export.txt(out, story);
            case "md" -> Export.markdown(out, bookTitle, story.text());
            default -> EpubExport.write(out, story, title, author);
        }
        System.out.println("wrote " + out + " (" + f + ", "
                + String.format("%,d", story.text().length()) + " characters of story text)");
        return 0;
    }

    private static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
