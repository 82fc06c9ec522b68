package org.longform.engine.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TextStreamerTest {
    static Tokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = Tokenizer.load(TokenizerTest.tokenizerPath());
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private static String stream(int[] ids, TextStreamer streamer) {
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            String piece = streamer.push(id);
            assertFalse(piece.contains("\uFFFD"), "emitted a broken character: " + piece);
            out.append(piece);
        }
        return out.append(streamer.flush()).toString();
    }

    @Test
    void streamedTextEqualsWholeDecodeForUnicodeProse() {
        String text = TokenizerTest.STORY + TokenizerTest.CONTINUATION + "\n\n" + TokenizerTest.UNICODE_PROSE;
        int[] ids = tokenizer.encode(text);
        assertEquals(tokenizer.decode(ids), stream(ids, new TextStreamer(tokenizer)));
        assertEquals(text, stream(ids, new TextStreamer(tokenizer)));
    }

    @Test
    void holdsBackPartialCharacters() {
        // An emoji outside the vocabulary is spelled as several byte tokens; none of them alone is text.
        int[] ids = tokenizer.encode("🕯");
        assertTrue(ids.length > 1, "expected a multi-token emoji, got " + ids.length);
        TextStreamer streamer = new TextStreamer(tokenizer);
        for (int i = 0; i < ids.length - 1; i++) {
            assertEquals("", streamer.push(ids[i]));
        }
        assertEquals("🕯", streamer.push(ids[ids.length - 1]));
        assertEquals("", streamer.flush());
    }

    @Test
    void flushReleasesUnfinishedBytesAndStreamerIsReusable() {
        int[] ids = tokenizer.encode("🕯");
        TextStreamer streamer = new TextStreamer(tokenizer);
        assertEquals("", streamer.push(ids[0]));
        assertEquals("\uFFFD", streamer.flush());
        assertEquals(" sea", stream(tokenizer.encode(" sea"), streamer));
    }

    @Test
    void invalidUtf8DoesNotStallTheStream() {
        // A lone continuation byte repeated: never valid, so text must still come out every MAX_PENDING tokens.
        int[] cont = tokenizer.encode("🕯");
        int bad = cont[cont.length - 1];
        TextStreamer streamer = new TextStreamer(tokenizer);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 3 * TextStreamer.MAX_PENDING; i++) {
            out.append(streamer.push(bad));
        }
        assertFalse(out.isEmpty());
        out.append(streamer.flush());
        assertEquals(" ok", stream(tokenizer.encode(" ok"), streamer));
    }

    @Test
    void longStreamStaysFast() {
        // 200k tokens streamed one by one: each push decodes a bounded window, so this stays well under the limit.
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 400_000) {
            sb.append(TokenizerTest.UNICODE_PROSE).append(' ');
        }
        int[] ids = tokenizer.encode(sb.toString());
        TextStreamer streamer = new TextStreamer(tokenizer);
        long start = System.nanoTime();
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            out.append(streamer.push(id));
        }
        out.append(streamer.flush());
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(sb.toString(), out.toString());
        assertTrue(seconds < 30, ids.length + " tokens took " + seconds + " s");
    }
}
