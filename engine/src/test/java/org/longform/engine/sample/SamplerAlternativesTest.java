package org.longform.engine.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The alternatives pop-up's numbers: the top-N capture against a softmax worked out by hand. */
class SamplerAlternativesTest {
    private static final double EPS = 1e-6;

    /** Five logits; e^3 + e^2 + e^1 + e^0 + e^-1 = 20.0855 + 7.3891 + 2.7183 + 1 + 0.3679 = 31.5608. */
    static final float[] LOGITS = {2, 1, 0, -1, 3};

    static final double Z = Math.exp(3) + Math.exp(2) + Math.exp(1) + 1 + Math.exp(-1);

    static SamplerSettings settings(double temperature, int topK, double penalty) {
        return new SamplerSettings(temperature, topK, 1, 0, 1, penalty, 0, 7L, 100, null, null);
    }

    static void assertAlt(int id, double p, boolean kept, Alternative a) {
        assertEquals(id, a.id(), a.toString());
        assertEquals(p, a.probability(), EPS, a.toString());
        assertEquals(kept, a.kept(), a.toString());
    }

    @Test
    void topThreeAreTheSoftmaxAtTemperatureOneWithTheFiltersMarked() {
        // Temperature 0.8 and top-k 2: the draw is from {4, 0}, but the pop-up shows the model's own odds.
        Sampler s = new Sampler(settings(0.8, 2, 1));
        int chosen = s.sample(LOGITS);
        List<Alternative> top = s.top(3);
        assertEquals(3, top.size());
        assertAlt(4, Math.exp(3) / Z, true, top.get(0)); // 0.6364
        assertAlt(0, Math.exp(2) / Z, true, top.get(1)); // 0.2341
        assertAlt(1, Math.exp(1) / Z, false, top.get(2)); // 0.0861, removed by top-k
        assertTrue(chosen == 4 || chosen == 0);
        assertEquals(s.alternative(chosen), top.get(chosen == 4 ? 0 : 1));
        assertAlt(3, Math.exp(-1) / Z, false, s.alternative(3)); // outside the top: asked by id
    }

    @Test
    void penaltiesAreInTheOddsAndTiesGoToTheLowerId() {
        // Repetition penalty 1.5 on token 4 (seen): 3 / 1.5 = 2, tied with token 0; the lower id comes first.
        Sampler s = new Sampler(settings(1, 0, 1.5));
        s.sample(LOGITS, new int[] {4}, 1);
        double z = 2 * Math.exp(2) + Math.exp(1) + 1 + Math.exp(-1);
        List<Alternative> top = s.top(2);
        assertAlt(0, Math.exp(2) / z, true, top.get(0));
        assertAlt(4, Math.exp(2) / z, true, top.get(1));
    }

    @Test
    void greedyKeepsOnlyTheBestAndTopNeverExceedsTheVocabulary() {
        Sampler s = new Sampler(settings(0, 0, 1));
        assertEquals(4, s.sample(LOGITS));
        List<Alternative> top = s.top(8);
        assertEquals(5, top.size());
        double sum = 0;
        for (Alternative a : top) sum += a.probability();
        assertEquals(1, sum, EPS);
        assertTrue(top.get(0).kept());
        for (int i = 1; i < 5; i++) assertFalse(top.get(i).kept(), top.get(i).toString());
        // Ascending probability order never holds: best first.
        for (int i = 1; i < 5; i++)
            assertTrue(top.get(i - 1).probability() >= top.get(i).probability());
    }

    @Test
    void aMaskedTokenHasProbabilityZero() {
        float[] l = {Float.NEGATIVE_INFINITY, 0, Float.NaN, 0};
        Sampler s = new Sampler(settings(1, 0, 1));
        s.sample(l);
        List<Alternative> top = s.top(4);
        assertAlt(1, 0.5, true, top.get(0));
        assertAlt(3, 0.5, true, top.get(1));
        assertEquals(0, top.get(2).probability());
        assertEquals(0, top.get(3).probability());
    }

    @Test
    void vectorScansMatchTheirScalarTwins() {
        SplittableRandom r = new SplittableRandom(3);
        for (int n : new int[] {1, 7, 16, 1000, 50432}) {
            float[] x = new float[n];
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) max = Math.max(max, x[i] = (float) (r.nextGaussian() * 4));
            double want = VocabScan.sumExpScalar(x, n, max), got = VocabScan.sumExp(x, n, max);
            assertEquals(want, got, want * 1e-5, "n " + n);
            for (float floor : new float[] {max - 1, max, max + 1, 0, Float.NEGATIVE_INFINITY})
                for (int from : new int[] {0, n / 3, n - 1, n})
                    assertEquals(
                            VocabScan.firstAboveScalar(x, from, n, floor),
                            VocabScan.firstAbove(x, from, n, floor),
                            "n " + n + " from " + from + " floor " + floor);
        }
    }
}
