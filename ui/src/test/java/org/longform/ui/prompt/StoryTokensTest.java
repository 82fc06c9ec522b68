package org.longform.ui.prompt;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.longform.ui.TestSupport;
import org.longform.ui.gen.TokenCounter;

class StoryTokensTest {
    private final TokenCounter tok = TestSupport.tokenizer();

    private static String novel(int chars) throws IOException {
        Path p = TestSupport.home()
                .resolve("../shared/corpus/moby-dick.melville.txt")
                .normalize();
        String s = Files.exists(p)
                ? Files.readString(p)
                : "Call me Ishmael. Some years ago, never mind how long precisely, I thought I would sail about a little. "
                        .repeat(2000);
        return s.substring(0, Math.min(chars, s.length()));
    }

    @Test
    void segmentedIdsEqualWholeTextTokenization() throws IOException {
        String text = novel(60_000);
        StoryTokens st = new StoryTokens(tok);
        st.update(text);
        assertTrue(st.starts().length > 20, "a long text is split: " + st);
        assertArrayEquals(tok.encode(text), st.all());
    }

    @Test
    void editsRetokenizeLocallyAndStayEqualToWholeText() throws IOException {
        String text = novel(40_000);
        StoryTokens st = new StoryTokens(tok);
        st.update(text);
        Random r = new Random(7);
        String[] inserts = {"a grey whale", " ", "\n\n", "’", "Ahab.", "", "x", " the sea  rolled on"};
        for (int i = 0; i < 60; i++) {
            int at = r.nextInt(text.length());
            int del = Math.min(text.length() - at, r.nextInt(20));
            text = text.substring(0, at) + inserts[r.nextInt(inserts.length)] + text.substring(at + del);
            st.update(text);
            assertTrue(
                    st.lastRetokenizedChars() < 4 * StoryTokens.TARGET_CHARS,
                    "edit " + i + " retokenized " + st.lastRetokenizedChars());
            assertArrayEquals(tok.encode(text), st.all(), "edit " + i + " at " + at);
        }
    }

    @Test
    void appendingKeepsEarlierIdsUnchanged() throws IOException {
        String text = novel(20_000);
        StoryTokens st = new StoryTokens(tok);
        st.update(text);
        int[] before = st.all();
        st.update(text + " And then the captain spoke.");
        int[] after = st.all();
        int lastStart = st.starts()[st.starts().length - 1];
        int stable = st.ids(0, lastStart).length;
        for (int i = 0; i < stable; i++) assertEquals(before[i], after[i], "token " + i);
        assertTrue(st.lastRetokenizedChars() <= 2 * StoryTokens.TARGET_CHARS);
    }

    @Test
    void budgetStartIsASegmentStartWhoseTailFits() throws IOException {
        String text = novel(30_000);
        StoryTokens st = new StoryTokens(tok);
        st.update(text);
        int c = st.startForBudget(text.length(), 2000);
        assertEquals(c, st.segmentStartAtOrAfter(c));
        int n = st.ids(c, text.length()).length;
        assertTrue(n <= 2000 + 400 && n > 1000, n + " tokens");
    }

    @Test
    void aWholeNovelIsTokenizedOnlyWhereTheViewNeedsIt() throws IOException {
        String text = novel(1_000_000);
        StoryTokens st = new StoryTokens(tok);
        st.update(text);
        assertEquals(0, st.tokenized(), "splitting tokenizes nothing");
        int c = st.startForBudget(text.length(), 2000);
        assertTrue(c > text.length() - 20_000, "the view is the end: " + c);
        assertTrue(st.tokenized() <= 12, st.tokenized() + " segments tokenized");
        assertArrayEquals(tok.encode(text.substring(c)), st.ids(c, text.length()));
    }

    @Test
    void pinnedIdsAreKeptWhereTheTokenizerWouldSplitOtherwise() throws IOException {
        String before = novel(5_000), piece = " the whale rose", after = " and the sea was calm again.";
        StoryTokens st = new StoryTokens(tok);
        st.update(before + piece + after);
        // One token per character: a split no tokenizer run gives, like a model's own sampled spelling.
        int[] ids = piece.chars()
                .flatMap(c -> IntStream.of(tok.encode(String.valueOf((char) c))))
                .toArray();
        assertEquals(piece.length(), ids.length);
        assertFalse(st.pin(before.length(), piece + "x", ids), "a piece that is not the text there");
        assertFalse(st.pin(before.length(), piece, new int[] {ids[0]}), "ids that do not spell the piece");
        assertTrue(st.pin(before.length(), piece, ids));
        int[] all = st.all();
        assertEquals(before + piece + after, tok.decode(all));
        assertArrayEquals(ids, st.ids(before.length(), before.length() + piece.length()));
        assertArrayEquals(tok.encode(before), st.ids(0, before.length()), "the text before keeps its ids");
        // An edit after the pinned piece leaves its ids alone.
        st.update(before + piece + after + " More.");
        assertArrayEquals(ids, st.ids(before.length(), before.length() + piece.length()));
    }
}
