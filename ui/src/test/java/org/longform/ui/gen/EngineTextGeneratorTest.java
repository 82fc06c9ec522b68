package org.longform.ui.gen;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.gen.CancelToken;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.StopReason;
import org.longform.engine.gen.TokenListener;
import org.longform.engine.io.ModelFormatException;
import org.longform.engine.sample.SamplerSettings;
import org.longform.ui.TestSupport;
import org.longform.ui.story.StoryData;

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
        assertArrayEquals(
                TestSupport.tokenizer().encode("The old sailor looked at the sea and"),
                prompt,
                "same tokenizer as the bundled one");
        SamplerSettings greedy = StoryData.EDITOR_SAMPLER
                .withTemperature(0)
                .withRepetitionPenalty(1)
                .withMaxTokens(8);
        List<String> streamed = new ArrayList<>();
        int[] prefill = {0};
        GenerationResult a = gen.generate(
                new GenerationRequest(prompt, greedy, 0, 0),
                new TokenListener() {
                    @Override
                    public void onPrefill(int done, int total) {
                        prefill[0] = done;
                    }

                    @Override
                    public void onToken(int id, String text) {
                        streamed.add(text);
                    }
                },
                new CancelToken());
        assertEquals(prompt.length, prefill[0]);
        assertEquals(prompt.length, a.promptTokens());
        assertTrue(a.ids().length > 0 && a.ids().length <= 8);
        assertEquals(a.text(), String.join("", streamed), "streamed pieces add up to the result");

        // Same prompt again: same text (greedy), and only the last prompt token is recomputed.
        GenerationResult b =
                gen.generate(new GenerationRequest(prompt, greedy, 0, 0), TokenListener.NONE, new CancelToken());
        assertEquals(a.text(), b.text());
        assertEquals(1, b.recomputedTokens());
    }

    @Test
    void cancelStopsGeneration() {
        CancelToken cancel = new CancelToken();
        int[] count = {0};
        GenerationResult r = gen.generate(
                new GenerationRequest(
                        gen.encode("Once upon a time"),
                        StoryData.EDITOR_SAMPLER.withMaxTokens(50).withSeed(3L),
                        0,
                        0),
                new TokenListener() {
                    @Override
                    public void onToken(int id, String text) {
                        if (++count[0] == 2) cancel.cancel();
                    }
                },
                cancel);
        assertEquals(StopReason.CANCELLED, r.reason());
        assertTrue(r.ids().length < 50);
    }

    @Test
    void brokenModelFolderGivesAMessageNamingIt(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.json"), "{not json");
        var e = assertThrows(ModelFormatException.class, () -> EngineTextGenerator.open(dir, 1));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    }
}
