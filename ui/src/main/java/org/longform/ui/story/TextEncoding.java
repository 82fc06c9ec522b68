package org.longform.ui.story;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes a writer's own text file whatever wrote it: UTF-8 (with or without a BOM), UTF-16 with a
 * BOM, or, when the bytes are not UTF-8, Windows-1252 (curly quotes and dashes from older Windows
 * editors) or ISO-8859-1. Every charset is decoded strictly and only used when encoding the text
 * back gives the very same bytes, so no byte of the writer's file is dropped or replaced.
 */
public final class TextEncoding {
    /** The text, the charset it was read with, and a notice when that was a guess (null for UTF-8). */
    public record Decoded(String text, Charset charset, String notice) {
        /** The notice without what the editor does on save, for readers that never save (the CLI); null for UTF-8. */
        public String readAs() {
            return notice == null || !notice.endsWith(SAVED)
                    ? notice
                    : notice.substring(0, notice.length() - SAVED.length());
        }
    }

    static final String SAVED = "; it is saved as UTF-8";

    static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    private TextEncoding() {}

    public static Decoded decode(byte[] b) {
        if (starts(b, 0xEF, 0xBB, 0xBF)) {
            String t = strict(b, 3, StandardCharsets.UTF_8);
            if (t != null) return new Decoded(t, StandardCharsets.UTF_8, null);
        }
        if (starts(b, 0xFF, 0xFE) || starts(b, 0xFE, 0xFF)) {
            Charset cs = b[0] == (byte) 0xFF ? StandardCharsets.UTF_16LE : StandardCharsets.UTF_16BE;
            String t = strict(b, 2, cs);
            if (t != null) {
                return new Decoded(t, cs, "read as " + cs.name() + " (it starts with a UTF-16 byte order mark)");
            }
        }
        String utf8 = strict(b, 0, StandardCharsets.UTF_8);
        if (utf8 != null) return new Decoded(utf8, StandardCharsets.UTF_8, null);
        // Not UTF-8. Bytes 0x80-0x9F are curly quotes, dashes and the euro sign in Windows-1252 and
        // invisible control codes in Latin-1; five of them are unassigned in Windows-1252.
        String cp = strict(b, 0, WINDOWS_1252);
        if (cp != null && hasC1(b)) {
            return new Decoded(
                    cp,
                    WINDOWS_1252,
                    "not UTF-8: read as Windows-1252 (curly quotes and dashes from an older editor)" + SAVED);
        }
        return new Decoded(
                new String(b, StandardCharsets.ISO_8859_1),
                StandardCharsets.ISO_8859_1,
                "not UTF-8: read as Latin-1 (ISO-8859-1)" + SAVED);
    }

    private static boolean hasC1(byte[] b) {
        for (byte x : b) if ((x & 0xE0) == 0x80) return true;
        return false;
    }

    private static boolean starts(byte[] b, int... prefix) {
        if (b.length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if ((b[i] & 0xFF) != prefix[i]) return false;
        return true;
    }

    /** The bytes from {@code from} decoded, or null when they are not valid in {@code cs} or would not round-trip. */
    private static String strict(byte[] b, int from, Charset cs) {
        try {
            String t = cs.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, from, b.length - from))
                    .toString();
            ByteBuffer back = cs.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(t));
            return back.equals(ByteBuffer.wrap(b, from, b.length - from)) ? t : null;
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
