package org.longform.ui.story;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * EPUB 3 export of the story text (memory, notes and world info stay out): one XHTML file per
 * heading found by {@link Chapters} (text before the first heading becomes an opening section),
 * a navigation document, and an OPF package with title, author, language and modification date.
 * The container follows the OCF rules epubcheck checks first: {@code mimetype} is the first entry,
 * stored uncompressed with no extra field; then META-INF/container.xml. The same story always
 * gives the same bytes (entry times are the story's modification time).
 */
public final class EpubExport {
    public static final String MIMETYPE = "application/epub+zip";
    private static final DateTimeFormatter MODIFIED = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'");

    /** What goes into the book besides the text. {@code author} may be empty. */
    public record Meta(String title, String author, String language, String id, Instant modified) {
        public Meta {
            title = title == null || title.isBlank() ? "Untitled" : title.strip();
            author = author == null ? "" : author.strip();
            language = language == null || language.isBlank() ? "en" : language.strip();
            id = id == null || id.isBlank() ? UUID.randomUUID().toString() : uuidShaped(id);
            modified = modified == null ? Instant.EPOCH : modified;
        }
    }

    /** The identifier goes out as urn:uuid:…; a story id that is not a UUID is turned into one, stably. */
    static String uuidShaped(String id) {
        try {
            return UUID.fromString(id).toString();
        } catch (IllegalArgumentException e) {
            return UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8)).toString();
        }
    }

    /** One XHTML document of the book; {@code level} as in {@link Chapters} (the opening: Integer.MAX_VALUE). */
    record Section(String title, String file, String body, int level) {}

    private EpubExport() {}

    public static void write(Path file, StoryData story, String title, String author) throws StoryFileException {
        Meta meta = new Meta(
                title == null || title.isBlank() ? story.title() : title,
                author,
                "en",
                story.id(),
                Instant.ofEpochMilli(story.modified()));
        try {
            AtomicFiles.write(file, build(meta, story.text()));
        } catch (IOException e) {
            throw new StoryFileException(file, "cannot write: " + StoryFile.describe(e), e);
        }
    }

    public static byte[] build(Meta meta, String text) throws IOException {
        List<Section> sections = sections(meta.title(), text);
        // Zip entry times cannot be before 1980 (DOS dates).
        long dos1980 =
                LocalDateTime.of(1980, 1, 2, 0, 0).toInstant(ZoneOffset.UTC).toEpochMilli();
        long time = Math.max(dos1980, meta.modified().toEpochMilli());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes, StandardCharsets.UTF_8)) {
            byte[] mt = MIMETYPE.getBytes(StandardCharsets.US_ASCII);
            ZipEntry m = new ZipEntry("mimetype");
            m.setMethod(ZipEntry.STORED);
            m.setSize(mt.length);
            m.setCompressedSize(mt.length);
            CRC32 crc = new CRC32();
            crc.update(mt);
            m.setCrc(crc.getValue());
            m.setTime(time);
            zip.putNextEntry(m);
            zip.write(mt);
            zip.closeEntry();
            zip.setMethod(ZipOutputStream.DEFLATED);
            put(zip, "META-INF/container.xml", CONTAINER, time);
            put(zip, "OEBPS/content.opf", opf(meta, sections), time);
            put(zip, "OEBPS/nav.xhtml", nav(meta, sections), time);
            put(zip, "OEBPS/style.css", CSS, time);
            for (Section s : sections) put(zip, "OEBPS/" + s.file(), xhtml(meta, s.title(), s.body()), time);
        }
        return bytes.toByteArray();
    }

    private static void put(ZipOutputStream zip, String name, String content, long time) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setTime(time);
        zip.putNextEntry(e);
        zip.write(content.getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
    }

    /** The sections: an opening (text before the first heading, if any) and one per heading. */
    static List<Section> sections(String title, String text) {
        List<Chapters.Chapter> chapters = Chapters.of(text);
        List<Section> out = new ArrayList<>();
        int firstStart =
                chapters.isEmpty() ? text.length() : chapters.getFirst().start();
        String opening = text.substring(0, firstStart);
        if (!opening.isBlank() || chapters.isEmpty()) {
            out.add(new Section(title, "", paragraphs(opening), Integer.MAX_VALUE));
        }
        for (Chapters.Chapter c : chapters) {
            String body = text.substring(c.start(), c.end());
            int nl = body.indexOf('\n');
            out.add(new Section(c.title(), "", paragraphs(nl < 0 ? "" : body.substring(nl + 1)), c.level()));
        }
        List<Section> named = new ArrayList<>();
        for (int i = 0; i < out.size(); i++) {
            Section s = out.get(i);
            named.add(new Section(s.title(), String.format("chapter-%03d.xhtml", i + 1), s.body(), s.level()));
        }
        return named;
    }

    /**
     * Paragraph markup. Text with blank lines between paragraphs (as most books are typed, often
     * hard-wrapped) gets one paragraph per block, its line breaks read as spaces; text without any
     * blank line gets one paragraph per line.
     */
    static String paragraphs(String body) {
        String t = body.replace("\r\n", "\n").strip();
        if (t.isEmpty()) return "";
        String[] blocks = t.contains("\n\n") ? t.split("\n\\s*\n") : t.split("\n");
        StringBuilder sb = new StringBuilder();
        for (String b : blocks) {
            String p = b.strip().replaceAll("\\s*\n\\s*", " ");
            if (!p.isEmpty()) sb.append("    <p>").append(escape(p)).append("</p>\n");
        }
        return sb.toString();
    }

    /** XML text: markup characters escaped, characters XML 1.0 forbids dropped. */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        s.codePoints().forEach(c -> {
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                default -> {
                    boolean ok = c == 0x9
                            || c == 0xA
                            || c == 0xD
                            || c >= 0x20 && c <= 0xD7FF
                            || c >= 0xE000 && c <= 0xFFFD
                            || c >= 0x10000 && c <= 0x10FFFF;
                    if (ok) sb.appendCodePoint(c);
                }
            }
        });
        return sb.toString();
    }

    private static final String CONTAINER = """
            <?xml version="1.0" encoding="UTF-8"?>
            <container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
              <rootfiles>
                <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
              </rootfiles>
            </container>
            """;

    private static final String CSS = """
            body { font-family: serif; line-height: 1.4; margin: 0 5%; }
            h1, h2 { text-align: center; margin: 2em 0 1em; }
            p { text-indent: 1.5em; margin: 0; text-align: justify; }
            """;

    private static String opf(Meta meta, List<Section> sections) {
        StringBuilder manifest = new StringBuilder(), spine = new StringBuilder();
        for (int i = 0; i < sections.size(); i++) {
            String id = String.format("c%03d", i + 1);
            manifest.append("    <item id=\"")
                    .append(id)
                    .append("\" href=\"")
                    .append(sections.get(i).file())
                    .append("\" media-type=\"application/xhtml+xml\"/>\n");
            spine.append("    <itemref idref=\"").append(id).append("\"/>\n");
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" unique-identifier=\"book-id\""
                + " xml:lang=\"" + escape(meta.language()) + "\">\n"
                + "  <metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
                + "    <dc:identifier id=\"book-id\">urn:uuid:" + escape(meta.id()) + "</dc:identifier>\n"
                + "    <dc:title>" + escape(meta.title()) + "</dc:title>\n"
                + (meta.author().isEmpty() ? "" : "    <dc:creator>" + escape(meta.author()) + "</dc:creator>\n")
                + "    <dc:language>" + escape(meta.language()) + "</dc:language>\n"
                + "    <meta property=\"dcterms:modified\">"
                + MODIFIED.format(meta.modified().atOffset(ZoneOffset.UTC))
                + "</meta>\n"
                + "  </metadata>\n"
                + "  <manifest>\n"
                + "    <item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" properties=\"nav\"/>\n"
                + "    <item id=\"css\" href=\"style.css\" media-type=\"text/css\"/>\n"
                + manifest
                + "  </manifest>\n"
                + "  <spine>\n" + spine + "  </spine>\n"
                + "</package>\n";
    }

    /** A table-of-contents entry and the entries nested under it (the chapters of a part or book). */
    private record TocNode(Section section, List<TocNode> children) {}

    /** The table of contents, nested by level: chapters under the part or book before them. */
    private static String nav(Meta meta, List<Section> sections) {
        List<TocNode> top = new ArrayList<>();
        ArrayDeque<TocNode> open = new ArrayDeque<>();
        for (Section s : sections) {
            while (!open.isEmpty() && open.peek().section().level() >= s.level()) open.pop();
            TocNode n = new TocNode(s, new ArrayList<>());
            (open.isEmpty() ? top : open.peek().children()).add(n);
            open.push(n);
        }
        StringBuilder ol = new StringBuilder();
        toc(top, "    ", ol);
        return head(meta, meta.title())
                + "  <nav epub:type=\"toc\" id=\"toc\">\n    <h1>" + escape(meta.title()) + "</h1>\n" + ol
                + "  </nav>\n"
                + "</body>\n</html>\n";
    }

    private static void toc(List<TocNode> nodes, String indent, StringBuilder out) {
        out.append(indent).append("<ol>\n");
        for (TocNode n : nodes) {
            out.append(indent)
                    .append("  <li><a href=\"")
                    .append(n.section().file())
                    .append("\">")
                    .append(escape(n.section().title()))
                    .append("</a>");
            if (!n.children().isEmpty()) {
                out.append('\n');
                toc(n.children(), indent + "    ", out);
                out.append(indent).append("  ");
            }
            out.append("</li>\n");
        }
        out.append(indent).append("</ol>\n");
    }

    private static String xhtml(Meta meta, String title, String body) {
        return head(meta, title) + "  <section epub:type=\"chapter\">\n    <h2>" + escape(title) + "</h2>\n" + body
                + "  </section>\n</body>\n</html>\n";
    }

    private static String head(Meta meta, String title) {
        String lang = escape(meta.language());
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n"
                + "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" lang=\""
                + lang + "\" xml:lang=\"" + lang + "\">\n"
                + "<head>\n  <meta charset=\"UTF-8\"/>\n  <title>" + escape(title) + "</title>\n"
                + "  <link rel=\"stylesheet\" type=\"text/css\" href=\"style.css\"/>\n</head>\n<body>\n";
    }
}
