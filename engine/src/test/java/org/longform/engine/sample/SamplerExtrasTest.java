package org.longform.engine.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DRY, XTC and logit bias against distributions worked out by hand on tiny vocabularies. */
class SamplerExtrasTest {
    private static final double EPS = 1e-6;

    /** Temperature 1 and every filter off: the probabilities are the plain softmax of the adjusted logits. */
    static SamplerSettings plain() {
        return new SamplerSettings(1, 0, 1, 0, 1, 1, 0, 7L, 100, null, null);
    }

    static void assertProbs(double[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], EPS, "token " + i + " of " + Arrays.toString(actual));
        }
    }

    /** Token texts for a six-token vocabulary: 4 is a newline, 5 is ".\n" (contains one). */
    static final String[] TEXT = {"a", "b", "c", "d", "\n", ".\n"};

    static Sampler.Vocabulary vocab() {
        return new Sampler.Vocabulary(
                text -> switch (text) {
                    case "dragon" -> new int[] {2, 5};
                    case " dragon" -> new int[] {3};
                    case "sword", " sword" -> new int[] {1, 4};
                    default -> new int[0];
                },
                id -> TEXT[id].getBytes(StandardCharsets.UTF_8),
                TEXT.length);
    }

    static SamplerSettings dry(double multiplier, double base, int allowed, int range, List<String> breakers) {
        return plain().withDry(new SamplerSettings.Dry(multiplier, base, allowed, range, breakers));
    }

    // ---- logit bias ----

    @Test
    void tokenBiasAddsToTheLogit() {
        float[] p = new Sampler(plain().withLogitBias(Map.of(1, Math.log(3)))).probabilities(new float[4], null, 0);
        assertProbs(new double[] {1 / 6.0, 3 / 6.0, 1 / 6.0, 1 / 6.0}, p);
        // -100 (OpenAI's "ban") leaves a weight of e^-100: zero at float precision
        float[] banned = new Sampler(plain().withLogitBias(Map.of(0, -100.0))).probabilities(new float[4], null, 0);
        assertProbs(new double[] {0, 1 / 3.0, 1 / 3.0, 1 / 3.0}, banned);
    }

    @Test
    void phraseBiasMovesTheFirstTokenOfBothSpellings() {
        // "dragon" starts with 2, " dragon" with 3: both doubled, 5 (the second token of "dragon") untouched
        SamplerSettings s = plain().withPhraseBias(Map.of("dragon", Math.log(2)));
        float[] p = new Sampler(s, vocab()).probabilities(new float[6], null, 0);
        assertProbs(new double[] {1 / 8.0, 1 / 8.0, 2 / 8.0, 2 / 8.0, 1 / 8.0, 1 / 8.0}, p);
        // both spellings start with token 1: it is biased once; a token bias on the same id adds up
        SamplerSettings once =
                plain().withPhraseBias(Map.of("sword", Math.log(2))).withLogitBias(Map.of(1, Math.log(2)));
        float[] q = new Sampler(once, vocab()).probabilities(new float[6], null, 0);
        assertProbs(new double[] {1 / 9.0, 4 / 9.0, 1 / 9.0, 1 / 9.0, 1 / 9.0, 1 / 9.0}, q);
    }

    @Test
    void biasAppliesToGreedyToo() {
        float[] l = {2, 1, 0};
        assertEquals(0, new Sampler(SamplerSettings.greedy()).sample(l));
        assertEquals(2, new Sampler(SamplerSettings.greedy().withLogitBias(Map.of(2, 2.5))).sample(l));
    }

    @Test
    void biasErrorsAreClear() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new Sampler(plain().withLogitBias(Map.of(9, 1.0))).sample(new float[4]));
        assertTrue(e.getMessage().contains("token id 9") && e.getMessage().contains("only 4 tokens"), e.getMessage());
        IllegalArgumentException noVocab = assertThrows(
                IllegalArgumentException.class, () -> new Sampler(plain().withPhraseBias(Map.of("dragon", 1.0))));
        assertTrue(noVocab.getMessage().contains("phrase bias needs the tokenizer"), noVocab.getMessage());
    }

    // ---- DRY ----

    @Test
    void dryPenalizesTheTokenThatWouldExtendARepeat() {
        // history a b c d a b c: "a b c" (length 3) was followed by d, so d would make it a repeat of length 3.
        // penalty = multiplier * base^(3 - allowed) = 1 * 2^(3 - 2) = 2
        int[] h = {0, 1, 2, 3, 0, 1, 2};
        float[] p = new Sampler(dry(1, 2, 2, 0, List.of())).probabilities(new float[6], h, h.length);
        double d = Math.exp(-2);
        assertProbs(new double[] {1 / (5 + d), 1 / (5 + d), 1 / (5 + d), d / (5 + d), 1 / (5 + d), 1 / (5 + d)}, p);
        // 1.5 * 1.75^(3 - 1) = 4.59375
        float[] q = new Sampler(dry(1.5, 1.75, 1, 0, List.of())).probabilities(new float[6], h, h.length);
        double e = Math.exp(-4.59375);
        assertEquals(e / (5 + e), q[3], EPS);
        // a repeat shorter than the allowed length is free
        float[] free = new Sampler(dry(1, 2, 4, 0, List.of())).probabilities(new float[6], h, h.length);
        assertProbs(new double[] {1 / 6.0, 1 / 6.0, 1 / 6.0, 1 / 6.0, 1 / 6.0, 1 / 6.0}, free);
    }

    @Test
    void dryTakesTheLongestRepeatPerToken() {
        // last token b (after "a"); earlier b at 1 ("a b", next c: length 2) and at 4 ("d b", next a: length 1)
        int[] h = {0, 1, 2, 3, 1, 0, 0, 1};
        float[] p = new Sampler(dry(1, 2, 1, 0, List.of())).probabilities(new float[6], h, h.length);
        double c = Math.exp(-2); // 2^(2 - 1)
        double a = Math.exp(-1); // 2^(1 - 1)
        double z = a + 1 + c + 3;
        assertProbs(new double[] {a / z, 1 / z, c / z, 1 / z, 1 / z, 1 / z}, p);
    }

    @Test
    void dryRangeLimitsTheSearch() {
        int[] h = {0, 1, 2, 3, 0, 1, 2};
        // the last 5 tokens "c d a b c": c at 2 is followed by d, and the match cannot reach back past the window
        float[] p = new Sampler(dry(1, 2, 1, 5, List.of())).probabilities(new float[6], h, h.length);
        double d = Math.exp(-1);
        assertEquals(d / (5 + d), p[3], EPS);
        // the last 4 tokens "d a b c" hold no earlier c: nothing to penalize
        float[] none = new Sampler(dry(1, 2, 1, 4, List.of())).probabilities(new float[6], h, h.length);
        assertEquals(1 / 6.0, none[3], EPS);
    }

    @Test
    void sequenceBreakersEndRepeats() {
        // ".\n" (token 5) contains the breaker "\n": "a .\n b" then "c a .\n b" -- the repeat stops at .\n
        int[] h = {0, 5, 1, 2, 0, 5, 1};
        float[] broken = new Sampler(dry(1, 2, 2, 0, List.of("\n")), vocab()).probabilities(new float[6], h, h.length);
        assertEquals(1 / 6.0, broken[2], EPS); // length 1 < 2
        float[] whole = new Sampler(dry(1, 2, 2, 0, List.of()), vocab()).probabilities(new float[6], h, h.length);
        double c = Math.exp(-2); // length 3: 2^(3 - 2)
        assertEquals(c / (5 + c), whole[2], EPS);
        // a breaker is never penalized itself, and a breaker as the last token ends everything
        int[] toBreaker = {0, 4, 2, 0};
        float[] q = new Sampler(dry(1, 2, 1, 0, List.of("\n")), vocab()).probabilities(new float[6], toBreaker, 4);
        assertEquals(1 / 6.0, q[4], EPS);
        int[] endsOnBreaker = {4, 1, 4};
        float[] r = new Sampler(dry(1, 2, 1, 0, List.of("\n")), vocab()).probabilities(new float[6], endsOnBreaker, 3);
        assertEquals(1 / 6.0, r[1], EPS);
        assertThrows(IllegalArgumentException.class, () -> new Sampler(dry(1, 2, 2, 0, List.of("\n"))));
    }

    @Test
    void dryOffByDefaultAndGreedyHonoursIt() {
        int[] h = {0, 1, 2, 3, 0, 1, 2};
        float[] l = {0, 0, 0, 1, 0, 0};
        assertEquals(3, new Sampler(SamplerSettings.greedy(), vocab()).sample(l, h, h.length));
        SamplerSettings g = SamplerSettings.greedy().withDry(new SamplerSettings.Dry(1, 2, 2, 0, List.of()));
        assertEquals(0, new Sampler(g).sample(l, h, h.length));
    }

    // ---- XTC ----

    static float[] logs(double... p) {
        float[] l = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            l[i] = (float) Math.log(p[i]);
        }
        return l;
    }

    static SamplerSettings xtc(double threshold, double probability) {
        return plain().withXtc(new SamplerSettings.Xtc(threshold, probability));
    }

    @Test
    void xtcRemovesTopChoicesButTheLeastLikelyOfThem() {
        float[] l = logs(0.5, 0.3, 0.15, 0.05);
        assertProbs(new double[] {0, 0, 0.75, 0.25}, new Sampler(xtc(0.1, 1)).probabilities(l, null, 0));
        assertProbs(new double[] {0, 0.6, 0.3, 0.1}, new Sampler(xtc(0.2, 1)).probabilities(l, null, 0));
        // one token above the threshold: nothing to exclude; above 0.5 XTC is off
        assertProbs(new double[] {0.5, 0.3, 0.15, 0.05}, new Sampler(xtc(0.4, 1)).probabilities(l, null, 0));
        assertProbs(new double[] {0.5, 0.3, 0.15, 0.05}, new Sampler(xtc(0.6, 1)).probabilities(l, null, 0));
        // it judges the probabilities after temperature: at T=0.5 they are 25:9:2.25:0.25 (sum 36.5)
        SamplerSettings hot = xtc(0.2, 1).withTemperature(0.5);
        assertProbs(new double[] {0, 9 / 11.5, 2.25 / 11.5, 0.25 / 11.5}, new Sampler(hot).probabilities(l, null, 0));
        // greedy ignores it
        assertEquals(0, new Sampler(SamplerSettings.greedy().withXtc(new SamplerSettings.Xtc(0.1, 1))).sample(l));
    }

    @Test
    void xtcDiceIsSeededAndLeavesTheMainDrawsAlone() {
        float[] l = logs(0.5, 0.3, 0.15, 0.05);
        int[] a = draws(new Sampler(xtc(0.1, 0.5)), l, 4000);
        assertArrayEquals(a, draws(new Sampler(xtc(0.1, 0.5)), l, 4000));
        // P(token 0) = 0.5 (dice fails) * 0.5 = 0.25; 4000 draws: sd ~ 0.007
        long zeros = Arrays.stream(a).filter(t -> t == 0).count();
        assertEquals(0.25, zeros / 4000.0, 0.03);
        // a dice that never succeeds gives exactly the draws of XTC off
        assertArrayEquals(draws(new Sampler(plain()), l, 500), draws(new Sampler(xtc(0.1, 1e-12)), l, 500));
    }

    static int[] draws(Sampler s, float[] l, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = s.sample(l);
        }
        return out;
    }

    // ---- settings ----

    @Test
    void newFieldsAreOffInTheOldConstructorAndValidated() {
        SamplerSettings s = plain();
        assertEquals(SamplerSettings.Dry.OFF, s.dry());
        assertEquals(SamplerSettings.Xtc.OFF, s.xtc());
        assertEquals(Map.of(), s.logitBias());
        assertEquals(List.of("\n", ":", "\"", "*"), SamplerSettings.Dry.OFF.sequenceBreakers());
        rejects("DRY multiplier", () -> new SamplerSettings.Dry(-1, 1.75, 2, 0, List.of()));
        rejects("DRY base", () -> new SamplerSettings.Dry(1, 0.5, 2, 0, List.of()));
        rejects("DRY allowed length", () -> new SamplerSettings.Dry(1, 1.75, 0, 0, List.of()));
        rejects("DRY range", () -> new SamplerSettings.Dry(1, 1.75, 2, -1, List.of()));
        rejects("DRY sequence breakers", () -> new SamplerSettings.Dry(1, 1.75, 2, 0, List.of("")));
        rejects("XTC threshold", () -> new SamplerSettings.Xtc(1.5, 0));
        rejects("XTC probability", () -> new SamplerSettings.Xtc(0.1, -0.1));
        rejects("negative token id", () -> s.withLogitBias(Map.of(-1, 1.0)));
        rejects("finite", () -> s.withLogitBias(Map.of(1, Double.POSITIVE_INFINITY)));
        rejects("empty phrase", () -> s.withPhraseBias(Map.of(" ", 1.0)));
    }

    private static void rejects(String inMessage, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(inMessage), e.getMessage());
    }
}
