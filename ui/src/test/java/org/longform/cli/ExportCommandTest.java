package org.longform.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.ui.story.EpubExportTest;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.StoryFile;
import org.w3c.dom.Document;

/** {@code longform export}: each input kind, each format, and one-line errors. */
class ExportCommandTest {
    @TempDir
    Path dir;

    @Test
    void textToEpubWithTitleAndAuthor() throws Exception {
        Path in = dir.resolve("novel.txt");
        Files.writeString(in, "CHAPTER I\n\nIt began.\n\nCHAPTER II\n\nIt went on.\n");
        Path out = dir.resolve("novel.epub");
        CliTest.Run r = CliTest.run(
                "export",
                in.toString(),
                "--format",
                "epub",
                "--out",
                out.toString(),
                "--title",
                "The Novel",
                "--author",
                "A. Writer");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("wrote " + out + " (epub, "), r.out());
        List<Document> spine = EpubExportTest.checkStructure(Files.readAllBytes(out));
        assertEquals(
                List.of("CHAPTER I", "CHAPTER II"),
                spine.stream().map(d -> EpubExportTest.text(d, "h2")).toList());
        String opf;
        try (ZipFile z = new ZipFile(out.toFile())) {
            opf = new String(z.getInputStream(z.getEntry("OEBPS/content.opf")).readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(
                opf.contains("<dc:title>The Novel</dc:title>") && opf.contains("<dc:creator>A. Writer</dc:creator>"),
                opf);
    }

    @Test
    void longformStoryToMarkdownAndTextKeepsOnlyTheStory() throws Exception {
        StoryData d = StoryData.blank("Snow").withText("Chapter 1\nIt snowed.");
        d = new StoryData(
                d.id(),
                d.title(),
                d.text(),
                d.generated(),
                "SECRET MEMORY",
                d.authorsNote(),
                d.worldInfo(),
                d.worldInfoRules(),
                d.sampling(),
                d.model(),
                d.generateAtCursor(),
                d.history(),
                d.created(),
                d.modified(),
                d.summary(),
                d.choices());
        Path in = dir.resolve("snow" + StoryFile.EXTENSION);
        StoryFile.write(in, d);
        Path md = dir.resolve("snow.md");
        assertEquals(
                0, CliTest.run("export", in.toString(), "--out", md.toString()).code(), "format from the extension");
        assertEquals("# Snow\n\n## Chapter 1\nIt snowed.", Files.readString(md));
        Path txt = dir.resolve("out.txt");
        assertEquals(
                0,
                CliTest.run("export", in.toString(), "--format", "txt", "--out", txt.toString())
                        .code());
        assertEquals("Chapter 1\nIt snowed.", Files.readString(txt));
        Path epub = dir.resolve("snow.epub");
        assertEquals(
                0,
                CliTest.run("export", in.toString(), "--format", "epub", "--out", epub.toString())
                        .code());
        StringBuilder all = new StringBuilder();
        try (ZipFile z = new ZipFile(epub.toFile())) {
            for (var e : Collections.list(z.entries()))
                all.append(new String(z.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8));
        }
        assertTrue(all.toString().contains("It snowed."));
        assertFalse(all.toString().contains("SECRET"), "memory stays out");
    }

    @Test
    void koboldSaveExportsItsStoryText() throws Exception {
        Path in = dir.resolve("kobold.json");
        Files.writeString(
                in,
                "{\"gamestarted\": true, \"prompt\": \"Once upon a time\", \"memory\": \"m\", \"authorsnote\": \"\","
                        + " \"actions\": [\", a fox\", \" ran.\"], \"worldinfo\": []}");
        Path out = dir.resolve("k.txt");
        assertEquals(
                0,
                CliTest.run("export", in.toString(), "--format", "txt", "--out", out.toString())
                        .code());
        assertEquals("Once upon a time, a fox ran.", Files.readString(out));
    }

    @Test
    void errorsAreOneLine() {
        CliTest.Run missing = CliTest.run(
                "export",
                dir.resolve("nope.txt").toString(),
                "--format",
                "epub",
                "--out",
                dir.resolve("x.epub").toString());
        assertEquals(2, missing.code());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        assertTrue(missing.err().startsWith("longform: ") && missing.err().contains("nope.txt"), missing.err());
        CliTest.Run format = CliTest.run(
                "export",
                dir.resolve("nope.txt").toString(),
                "--format",
                "pdf",
                "--out",
                dir.resolve("x.pdf").toString());
        assertEquals(2, format.code());
        assertEquals(
                "longform: unknown export format \"pdf\": use --format txt, md or epub (or an --out file ending in one of them)",
                format.err().strip());
        assertFalse(Files.exists(dir.resolve("x.epub")));
    }
}
