package org.longform.engine.gen;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.longform.engine.Assets;
import org.longform.engine.Fixtures;
import org.longform.engine.model.Model;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.runtime.Session;
import org.longform.engine.sample.Alternative;
import org.longform.engine.sample.SamplerSettings;
import org.longform.engine.token.Tokenizer;

class GeneratorTest {
    static Model model;
    static Tokenizer tok;

    @BeforeAll
    static void load() {
        model = Model.load(Fixtures.modelDir("tiny-mpt-4h"));
        tok = Tokenizer.load(Assets.tokenizer());
    }

    @AfterAll
    static void close() {
        tok.close();
        model.close();
    }

    static Generator gen() {
        return new Generator(model, tok, EngineOptions.defaults().withBlockSize(32));
    }

    static SamplerSettings greedy(int n) {
        return SamplerSettings.greedy().withMaxTokens(n);
    }

    @Test
    void greedyMatchesTheFixtureAndStreamsTheSameText() {
        JsonNode c = Fixtures.testCase(Fixtures.expected("tiny-mpt-4h"), "greedy");
        int[] prompt = Fixtures.ints(c.get("prompt_ids"));
        int[] want = Fixtures.ints(c.get("generated"));
        try (Generator g = gen()) {
            StringBuilder streamed = new StringBuilder();
            List<Integer> ids = new ArrayList<>();
            GenerationResult r = g.generate(
                    new GenerationRequest(prompt, greedy(40)),
                    new TokenListener() {
                        @Override
                        public void onToken(int id, String text) {
                            if (id >= 0) ids.add(id);
                            streamed.append(text);
                        }
                    },
                    null);
            if (r.reason() == StopReason.EOS) {
                assertArrayEquals(Arrays.copyOf(want, r.ids().length), r.ids());
            } else {
                assertEquals(StopReason.MAX_TOKENS, r.reason());
                assertArrayEquals(want, r.ids());
            }
            assertEquals(r.ids().length, ids.size());
            assertEquals(tok.decode(r.ids()), r.text());
            assertEquals(r.text(), streamed.toString());
            assertEquals(prompt.length, r.recomputedTokens());
        }
    }

    @Test
    void secondRequestReusesTheCache() {
        JsonNode c = Fixtures.testCase(Fixtures.expected("tiny-mpt-4h"), "greedy");
        int[] prompt = Fixtures.ints(c.get("prompt_ids"));
        try (Generator g = gen()) {
            GenerationResult a = g.generate(new GenerationRequest(prompt, greedy(10)), null, null);
            int[] next = Arrays.copyOf(prompt, prompt.length + a.ids().length + 1);
            System.arraycopy(a.ids(), 0, next, prompt.length, a.ids().length);
            next[next.length - 1] = 11;
            GenerationResult b = g.generate(new GenerationRequest(next, greedy(5)), null, null);
            // everything but the last generated token (not yet fed) and the new one came from the cache
            assertEquals(2, b.recomputedTokens());
        }
    }

    @Test
    void stopSequenceEndsGenerationAndIsNotShown() {
        int[] prompt = tok.encode("The lighthouse keeper had not spoken to anyone in eleven winters.");
        try (Generator g = gen()) {
            GenerationResult free = g.generate(new GenerationRequest(prompt, greedy(30)), null, null);
            assertTrue(free.text().length() > 8, free.text());
            String stop = free.text().substring(4, 8);
            GenerationResult r =
                    g.generate(new GenerationRequest(prompt, greedy(30).withStopSequences(List.of(stop))), null, null);
            assertEquals(StopReason.STOP_SEQUENCE, r.reason());
            int at = free.text().indexOf(stop);
            assertEquals(free.text().substring(0, at), r.text());
        }
    }

    @Test
    void bannedPhraseNeverAppears() {
        int[] prompt = tok.encode("The lighthouse keeper had not spoken to anyone in eleven winters.");
        try (Generator g = gen()) {
            GenerationResult free = g.generate(new GenerationRequest(prompt, greedy(30)), null, null);
            int first = free.ids()[0];
            String word = tok.decode(new int[] {first}).strip();
            assertFalse(word.isEmpty());
            GenerationResult r =
                    g.generate(new GenerationRequest(prompt, greedy(30).withBannedPhrases(List.of(word))), null, null);
            assertNotEquals(first, r.ids()[0]);
            for (int id : r.ids()) assertNotEquals(first, id);
        }
    }

    @Test
    void cancelStopsAtOnce() {
        int[] prompt = tok.encode("Once upon a time");
        try (Generator g = gen()) {
            CancelToken cancel = new CancelToken();
            int[] seen = {0};
            GenerationResult r = g.generate(
                    new GenerationRequest(prompt, greedy(200)),
                    new TokenListener() {
                        @Override
                        public void onToken(int id, String text) {
                            if (++seen[0] == 5) cancel.cancel();
                        }
                    },
                    cancel);
            assertEquals(StopReason.CANCELLED, r.reason());
            assertEquals(5, r.ids().length);
        }
    }

    @Test
    void windowShiftsKeepThePinnedPrefixWithoutRecomputing() {
        int[] prompt = new int[100];
        for (int i = 0; i < prompt.length; i++) prompt[i] = 100 + i;
        try (Generator g = gen()) {
            GenerationResult r = g.generate(new GenerationRequest(prompt, greedy(150), 128, 10), null, null);
            assertEquals(150, r.ids().length);
            assertTrue(r.shiftedTokens() > 0);
            Session s = g.session();
            assertTrue(s.length() <= 128, "cache holds " + s.length());
            int[] cached = s.tokens();
            for (int i = 0; i < 10; i++) assertEquals(prompt[i], cached[i], "pinned prefix");
            // the generated tail is in the cache in order
            int[] ids = r.ids();
            assertEquals(ids[ids.length - 2], cached[cached.length - 1]);
            assertEquals(64, r.promptTokens(), "fitted: room for half a window of generation");
            assertEquals(64, r.recomputedTokens());
        }
    }

    @Test
    void requestAfterAShiftEvictsInsteadOfRecomputing() {
        int[] story = new int[300];
        for (int i = 0; i < story.length; i++) story[i] = 200 + i;
        try (Generator g = gen()) {
            // prompt = pinned 10 + last 190 of the first 250 tokens
            int[] p1 = concat(Arrays.copyOf(story, 10), Arrays.copyOfRange(story, 60, 250));
            g.generate(new GenerationRequest(p1, greedy(1)), null, null);
            // the story grew by 50: the window moves on by 50
            int[] p2 = concat(Arrays.copyOf(story, 10), Arrays.copyOfRange(story, 110, 300));
            GenerationResult r = g.generate(new GenerationRequest(p2, greedy(1)), null, null);
            assertEquals(50, r.shiftedTokens());
            assertEquals(50, r.recomputedTokens());
        }
    }

    @Test
    void fitKeepsPrefixAndTail() {
        int[] p = new int[100];
        for (int i = 0; i < 100; i++) p[i] = i;
        int[] f = Generator.fit(p, 64, 8, 16);
        assertEquals(48, f.length);
        assertEquals(7, f[7]);
        assertEquals(60, f[8]);
        assertEquals(99, f[47]);
    }

    static int[] concat(int[] a, int[] b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void alternativesNameEachGeneratedTokenWithoutChangingTheDraws() {
        JsonNode c = Fixtures.testCase(Fixtures.expected("tiny-mpt-4h"), "greedy");
        int[] prompt = Fixtures.ints(c.get("prompt_ids"));
        SamplerSettings st = SamplerSettings.defaults().withSeed(11L).withMaxTokens(30);
        try (Generator g = gen()) {
            GenerationResult plain = g.generate(new GenerationRequest(prompt, st), null, null);
            List<TokenChoice> choices = new ArrayList<>();
            GenerationResult r = g.generate(
                    new GenerationRequest(prompt, st),
                    new TokenListener() {
                        @Override
                        public int alternatives() {
                            return 6;
                        }

                        @Override
                        public void onChoice(TokenChoice choice) {
                            choices.add(choice);
                        }
                    },
                    null);
            assertArrayEquals(plain.ids(), r.ids(), "asking for alternatives must not change the draws");
            assertEquals(r.ids().length, choices.size());
            for (int k = 0; k < choices.size(); k++) {
                TokenChoice t = choices.get(k);
                assertEquals(k, t.index());
                assertEquals(r.ids()[k], t.chosen().id());
                assertTrue(t.chosen().kept(), "the drawn token passed the filters");
                assertEquals(6, t.top().size());
                double sum = 0;
                for (Alternative a : t.top()) sum += a.probability();
                assertTrue(sum <= 1 + 1e-9, "sum " + sum);
                // A token's text starts where the text of the tokens before it ends.
                if (t.offset() >= 0)
                    assertEquals(tok.decode(Arrays.copyOf(r.ids(), k)).length(), t.offset(), "token " + k);
            }
        }
    }
}
