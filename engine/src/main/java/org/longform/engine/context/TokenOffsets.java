package org.longform.engine.context;

import org.longform.engine.token.Tokenizer;

/**
 * Token index to character offset in the decoded text, so the editor can shade what a
 * {@link ContextMap} reports. Byte-level BPE tokens may split a character: a token that starts
 * inside one maps to the offset of that character. Characters count as UTF-16 units (what Java
 * strings and JavaFX text use). The decoded text equals the story for valid UTF-8 NFC text.
 */
public final class TokenOffsets {
    private TokenOffsets() {}

    /** offsets[i] = char offset where token i begins; offsets[ids.length] = length of the decoded text. */
    public static int[] charOffsets(Tokenizer tokenizer, int[] ids) {
        int[] out = new int[ids.length + 1];
        int chars = 0;
        int pending = 0; // continuation bytes still owed by the current multi-byte character
        int openUnits = 0; // UTF-16 units of that character, already counted
        for (int i = 0; i < ids.length; i++) {
            out[i] = pending > 0 ? chars - openUnits : chars;
            for (byte b : tokenizer.tokenBytes(ids[i])) {
                int u = b & 0xff;
                if (pending > 0 && (u & 0xc0) == 0x80) {
                    pending--;
                    continue;
                }
                // a lead byte, an ASCII byte, or a stray continuation byte (decoded as one U+FFFD)
                pending = u >= 0xf0 ? 3 : u >= 0xe0 ? 2 : u >= 0xc0 ? 1 : 0;
                openUnits = u >= 0xf0 ? 2 : 1; // 4-byte sequences are surrogate pairs
                chars += openUnits;
            }
        }
        out[ids.length] = chars;
        return out;
    }
}
