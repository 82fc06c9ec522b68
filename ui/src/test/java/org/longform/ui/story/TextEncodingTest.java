package org.longform.ui.story;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A writer's own .txt opens whatever wrote it, with a notice naming an assumed encoding, and no byte lost. */
class TextEncodingTest {
    static byte[] bytes(int... b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) r[i] = (byte) b[i];
        return r;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    /** Encoding the text back in the charset it was read with (BOM and all) gives the file's bytes. */
    static void assertLossless(byte[] file, TextEncoding.Decoded d) {
        byte[] back = d.text().getBytes(d.charset());
        int bom = file.length - back.length;
        assertTrue(bom >= 0 && bom <= 3, "BOM of " + bom + " bytes");
        assertArrayEquals(Arrays.copyOfRange(file, bom, file.length), back, "re-encoded in " + d.charset());
    }

    @Test
    void notUtf8TextWasRefusedWhole_windows1252CurlyQuotes(@TempDir Path tmp) throws Exception {
        // “Hello,” she said – it cost 5€.  as Notepad on Windows wrote it
        byte[] file = concat(
                bytes(0x93),
                ascii("Hello,"),
                bytes(0x94),
                ascii(" she said "),
                bytes(0x96),
                ascii(" it cost 5"),
                bytes(0x80, '.'));
        Path f = tmp.resolve("old chapter.txt");
        Files.write(f, file);
        StoryFile.Opened o = StoryFile.importTextWithNotice(f);
        assertEquals(
                "\u201CHello,\u201D she said \u2013 it cost 5\u20AC.", o.story().text());
        assertTrue(o.notice().startsWith("old chapter.txt was not UTF-8: read as Windows-1252"), o.notice());
        assertLossless(file, TextEncoding.decode(file));
    }

    @Test
    void latin1() {
        byte[] file = concat(ascii("caf"), bytes(0xE9), ascii(" na"), bytes(0xEF), ascii("ve"));
        TextEncoding.Decoded d = TextEncoding.decode(file);
        assertEquals("caf\u00E9 na\u00EFve", d.text());
        assertTrue(d.notice().contains("Latin-1"), d.notice());
        assertLossless(file, d);
    }

    @Test
    void bytesUnassignedInWindows1252FallBackToLatin1() {
        byte[] file = bytes('a', 0x81, 0x93, 'b');
        TextEncoding.Decoded d = TextEncoding.decode(file);
        assertEquals(StandardCharsets.ISO_8859_1, d.charset());
        assertLossless(file, d);
    }

    @Test
    void utf16WithByteOrderMarks(@TempDir Path tmp) throws Exception {
        String text = "\u201CIt was night,\u201D \u00E9crivit-elle. \uD83D\uDCD6";
        for (Charset cs : new Charset[] {StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE}) {
            byte[] bom = cs == StandardCharsets.UTF_16LE ? bytes(0xFF, 0xFE) : bytes(0xFE, 0xFF);
            byte[] file = concat(bom, text.getBytes(cs));
            Path f = tmp.resolve("u16.txt");
            Files.write(f, file);
            StoryFile.Opened o = StoryFile.importTextWithNotice(f);
            assertEquals(text, o.story().text(), cs.name());
            assertTrue(o.notice().contains(cs.name()), o.notice());
            assertLossless(file, TextEncoding.decode(file));
        }
    }

    @Test
    void utf8NeedsNoNotice(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("a.txt");
        Files.write(f, concat(bytes(0xEF, 0xBB, 0xBF), "\u201Cdone\u201D".getBytes(StandardCharsets.UTF_8)));
        StoryFile.Opened o = StoryFile.importTextWithNotice(f);
        assertEquals("\u201Cdone\u201D", o.story().text());
        assertNull(o.notice());
        Files.writeString(f, "plain \u00E9");
        assertNull(StoryFile.openWithNotice(f).notice());
    }

    @Test
    void anyBytesAtAllOpenAndRoundTrip() {
        SplittableRandom r = new SplittableRandom(18);
        for (int i = 0; i < 3000; i++) {
            byte[] file = new byte[r.nextInt(64)];
            for (int j = 0; j < file.length; j++) {
                // mostly text-like bytes, some high ones, sometimes a BOM in front
                file[j] = (byte) (r.nextInt(4) == 0 ? 0x80 + r.nextInt(128) : 0x20 + r.nextInt(95));
            }
            if (i % 7 == 0 && file.length >= 2) {
                file[0] = (byte) 0xFF;
                file[1] = (byte) 0xFE;
            }
            if (i % 11 == 0 && file.length >= 3) System.arraycopy(bytes(0xEF, 0xBB, 0xBF), 0, file, 0, 3);
            TextEncoding.Decoded d = TextEncoding.decode(file);
            assertLossless(file, d);
        }
    }
}
