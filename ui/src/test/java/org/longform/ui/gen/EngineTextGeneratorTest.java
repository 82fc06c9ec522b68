package org.longform.ui.gen;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.io.ModelFormatException;
import org.longform.ui.TestSupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Drives the real engine with the tiny random-weight fixture model: real tokens, garbage text. */
class EngineTextGeneratorTest {
    static EngineTextGenerator gen;

    @BeforeAll
    static void open() {
        gen = EngineTextGenerator.open(TestSupport.tinyModel(), 1);
    }

    @AfterAll
    static void close() {
        gen.close();
    }

    @Test
    void describesTheModel() {
        ModelInfo m = gen.info();
        assertEquals("tiny-mpt-6h", m.name());
        assertFalse(m.demo());
        assertTrue(m.contextWindow() > 1000, "window " + m.contextWindow());
        assertTrue(m.kvBytesPerToken() > 0);
    }

    @Test
    void greedyGenerationStreamsDeterministicTokensAndReusesTheCache() {
        int[] prompt = gen.encode("The old sailor looked at the sea and");
        assertArrayEquals(TestSupport.tokenizer().encode("The old sailor looked at the sea and"), prompt, "same tokenizer as the bundled one");
        Sampling greedy = Sampling.defaults().withTemperature(0).withRepetitionPenalty(1).withMaxTokens(8);
        List<String> streamed = new ArrayList<>();
        int[] prefill = {0};
        GenResult a = gen.generate(new GenRequest(prompt, greedy, 0, 0), new GenListener() {
            @Override public void onPrefill(int done, int total) { prefill[0] = done; }
            @Override public void onToken(int id, String text) { streamed.add(text); }
        }, new Cancel());
        assertEquals(prompt.length, prefill[0]);
        assertEquals(prompt.length, a.promptTokens());
        assertTrue(a.tokens() > 0 && a.tokens() <= 8);
        assertEquals(a.text(), String.join("", streamed), "streamed pieces add up to the result");

        // Same prompt again: same text (greedy), and only the last prompt token is recomputed.
        GenResult b = gen.generate(new GenRequest(prompt, greedy, 0, 0), new GenListener() {}, new Cancel());
        assertEquals(a.text(), b.text());
        assertEquals(1, b.recomputedTokens());
    }

    @Test
    void cancelStopsGeneration() {
        Cancel cancel = new Cancel();
        int[] count = {0};
        GenResult r = gen.generate(new GenRequest(gen.encode("Once upon a time"), Sampling.defaults().withMaxTokens(50).withSeed(3L), 0, 0),
                new GenListener() {
                    @Override public void onToken(int id, String text) { if (++count[0] == 2) cancel.cancel(); }
                }, cancel);
        assertEquals(GenResult.Stop.CANCELLED, r.reason());
        assertTrue(r.tokens() < 50);
    }

    @Test
    void brokenModelFolderGivesAMessageNamingIt(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.json"), "{not json");
        var e = assertThrows(ModelFormatException.class, () -> EngineTextGenerator.open(dir, 1));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    }
}
