package org.longform.ui.story;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.longform.ui.TestSupport;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The EPUB's structure as epubcheck checks it first (no epubcheck artifact is available to this
 * build): OCF container (mimetype first, stored, no extra field), well-formed XML everywhere,
 * the OPF's metadata, manifest and spine, and the nav document.
 */
public class EpubExportTest {
    static final String OPF_NS = "http://www.idpf.org/2007/opf",
            DC = "http://purl.org/dc/elements/1.1/",
            XHTML = "http://www.w3.org/1999/xhtml";

    static Map<String, byte[]> entries(byte[] epub) throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(epub))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) out.put(e.getName(), z.readAllBytes());
        }
        return out;
    }

    static Document xml(byte[] b) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(b)); // throws on anything not well-formed
    }

    /** Checks everything epubcheck's container and package checks would look at first; returns the spine's documents in
     * order. */
    public static List<Document> checkStructure(byte[] epub) throws Exception {
        // The first local file header: "PK\3\4", method 0 (stored), name "mimetype", no extra field, then the type
        // itself.
        ByteBuffer h = ByteBuffer.wrap(epub).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x04034b50, h.getInt(0));
        assertEquals(0, h.getShort(8), "mimetype is stored, not deflated");
        assertEquals(8, h.getShort(26));
        assertEquals(0, h.getShort(28), "no extra field on mimetype");
        assertEquals(
                "mimetype" + EpubExport.MIMETYPE,
                new String(epub, 30, 8 + EpubExport.MIMETYPE.length(), StandardCharsets.US_ASCII));
        Map<String, byte[]> e = entries(epub);
        List<String> names = new ArrayList<>(e.keySet());
        assertEquals("mimetype", names.get(0));
        assertEquals("META-INF/container.xml", names.get(1));
        for (var en : e.entrySet()) {
            if (en.getKey().matches(".*\\.(xml|opf|xhtml)")) xml(en.getValue());
        }
        Element rootfile = (Element) xml(e.get("META-INF/container.xml"))
                .getElementsByTagName("rootfile")
                .item(0);
        assertEquals("application/oebps-package+xml", rootfile.getAttribute("media-type"));
        String opfPath = rootfile.getAttribute("full-path");
        Document opf = xml(e.get(opfPath));
        String base = opfPath.substring(0, opfPath.lastIndexOf('/') + 1);
        Element pkg = opf.getDocumentElement();
        assertEquals(OPF_NS, pkg.getNamespaceURI());
        assertEquals("3.0", pkg.getAttribute("version"));
        Element ident = (Element) opf.getElementsByTagNameNS(DC, "identifier").item(0);
        assertEquals(pkg.getAttribute("unique-identifier"), ident.getAttribute("id"));
        assertTrue(ident.getTextContent().matches("urn:uuid:[0-9a-f-]{36}"), ident.getTextContent());
        assertEquals(1, opf.getElementsByTagNameNS(DC, "title").getLength());
        assertEquals(1, opf.getElementsByTagNameNS(DC, "language").getLength());
        boolean modified = false;
        NodeList metas = opf.getElementsByTagNameNS(OPF_NS, "meta");
        for (int i = 0; i < metas.getLength(); i++) {
            Element m = (Element) metas.item(i);
            if (m.getAttribute("property").equals("dcterms:modified")) {
                modified = true;
                assertTrue(
                        m.getTextContent().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), m.getTextContent());
            }
        }
        assertTrue(modified, "dcterms:modified is required in EPUB 3");
        Map<String, String> manifest = new LinkedHashMap<>();
        String navHref = null;
        NodeList items = opf.getElementsByTagNameNS(OPF_NS, "item");
        for (int i = 0; i < items.getLength(); i++) {
            Element it = (Element) items.item(i);
            assertTrue(
                    e.containsKey(base + it.getAttribute("href")), "manifest item present: " + it.getAttribute("href"));
            assertNull(manifest.put(it.getAttribute("id"), it.getAttribute("href")), "unique ids");
            if (it.getAttribute("properties").equals("nav")) navHref = it.getAttribute("href");
        }
        assertNotNull(navHref, "a nav document");
        for (String name : names) {
            if (name.startsWith(base) && !name.equals(opfPath))
                assertTrue(
                        manifest.containsValue(name.substring(base.length())),
                        "every content file is in the manifest: " + name);
        }
        List<Document> spine = new ArrayList<>();
        List<String> spineHrefs = new ArrayList<>();
        NodeList refs = opf.getElementsByTagNameNS(OPF_NS, "itemref");
        assertTrue(refs.getLength() > 0);
        for (int i = 0; i < refs.getLength(); i++) {
            String href = manifest.get(((Element) refs.item(i)).getAttribute("idref"));
            assertNotNull(href, "spine item in the manifest");
            spineHrefs.add(href);
            spine.add(xml(e.get(base + href)));
        }
        Document nav = xml(e.get(base + navHref));
        NodeList links = nav.getElementsByTagNameNS(XHTML, "a");
        List<String> navTargets = new ArrayList<>();
        for (int i = 0; i < links.getLength(); i++) navTargets.add(((Element) links.item(i)).getAttribute("href"));
        assertEquals(spineHrefs, navTargets, "the table of contents links every chapter, in order");
        for (Document d : spine) assertEquals(XHTML, d.getDocumentElement().getNamespaceURI());
        return spine;
    }

    public static String text(Document d, String tag) {
        NodeList l = d.getElementsByTagNameNS(XHTML, tag);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < l.getLength(); i++) out.add(l.item(i).getTextContent());
        return String.join("|", out);
    }

    @Test
    void oneChapterPerHeadingWithTitleAuthorAndEscapedText() throws Exception {
        String story =
                "A foreword of sorts.\n\nCHAPTER I\n\nAnna said: \"<b>Tom & Jerry</b>\"\u0007 and left.\n\nNext paragraph,\nhard-wrapped.\n\n"
                        + "# The Ball\nOne line.\nAnother line.\n";
        byte[] epub = EpubExport.build(
                new EpubExport.Meta(
                        "Anna & Co <1>",
                        "L. Tolstoy",
                        "en",
                        "11111111-2222-3333-4444-555555555555",
                        Instant.parse("2026-12-07T10:00:00Z")),
                story);
        List<Document> spine = checkStructure(epub);
        assertEquals(3, spine.size(), "the opening, CHAPTER I and # The Ball");
        assertEquals("Anna & Co <1>", text(spine.get(0), "h2"));
        assertEquals("A foreword of sorts.", text(spine.get(0), "p"));
        assertEquals("CHAPTER I", text(spine.get(1), "h2"));
        assertEquals(
                "Anna said: \"<b>Tom & Jerry</b>\" and left.|Next paragraph, hard-wrapped.",
                text(spine.get(1), "p"),
                "markup is text, a control character is dropped, hard wraps join");
        assertEquals("The Ball", text(spine.get(2), "h2"));
        assertEquals(
                "One line.|Another line.", text(spine.get(2), "p"), "without blank lines each line is a paragraph");
        Document opf = xml(entries(epub).get("OEBPS/content.opf"));
        assertEquals(
                "Anna & Co <1>", opf.getElementsByTagNameNS(DC, "title").item(0).getTextContent());
        assertEquals(
                "L. Tolstoy", opf.getElementsByTagNameNS(DC, "creator").item(0).getTextContent());
        assertEquals(
                "urn:uuid:11111111-2222-3333-4444-555555555555",
                opf.getElementsByTagNameNS(DC, "identifier").item(0).getTextContent());
        assertArrayEquals(
                epub,
                EpubExport.build(
                        new EpubExport.Meta(
                                "Anna & Co <1>",
                                "L. Tolstoy",
                                "en",
                                "11111111-2222-3333-4444-555555555555",
                                Instant.parse("2026-12-07T10:00:00Z")),
                        story),
                "the same story gives the same bytes");
    }

    @Test
    void tableOfContentsNestsChaptersUnderTheirBook() throws Exception {
        String story =
                "Title page.\n\nBOOK ONE\n\nCHAPTER I\n\nA.\n\nCHAPTER II\n\nB.\n\nBOOK TWO\n\nCHAPTER I\n\nThird.\n";
        byte[] epub = EpubExport.build(new EpubExport.Meta("Books", "", "en", null, null), story);
        assertEquals(6, checkStructure(epub).size());
        Document nav = xml(entries(epub).get("OEBPS/nav.xhtml"));
        Element outer = (Element) nav.getElementsByTagNameNS(XHTML, "ol").item(0);
        List<String> top = new ArrayList<>();
        for (Node n = outer.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element li)
                top.add(((Element) li.getElementsByTagNameNS(XHTML, "a").item(0)).getTextContent() + "/"
                        + li.getElementsByTagNameNS(XHTML, "li").getLength());
        }
        assertEquals(
                List.of("Books/0", "BOOK ONE/2", "BOOK TWO/1"),
                top,
                "the opening, then each book with its chapters inside");
    }

    @Test
    void storyWithoutHeadingsIsOneChapterAndEmptyStoryStillValid() throws Exception {
        assertEquals(
                1,
                checkStructure(EpubExport.build(
                                new EpubExport.Meta("Short", "", null, "x", null), "Just one paragraph."))
                        .size());
        assertEquals(
                1,
                checkStructure(EpubExport.build(new EpubExport.Meta("", null, null, null, null), ""))
                        .size());
    }

    @Test
    void warAndPeaceHasItsBooksAndChapters() throws Exception {
        Path novel = TestSupport.home()
                .resolve("../shared/corpus/war-and-peace.tolstoy.txt")
                .normalize();
        Assumptions.assumeTrue(Files.isRegularFile(novel), "corpus not present");
        String text = Files.readString(novel);
        List<Document> spine = checkStructure(
                EpubExport.build(new EpubExport.Meta("War and Peace", "Leo Tolstoy", "en", null, Instant.now()), text));
        assertEquals(
                Chapters.of(text).size()
                        + (text.substring(0, Chapters.of(text).getFirst().start())
                                        .isBlank()
                                ? 0
                                : 1),
                spine.size());
        assertEquals(
                "BOOK ONE: 1805",
                text(spine.get(spine.size() - Chapters.of(text).size()), "h2"));
    }
}
