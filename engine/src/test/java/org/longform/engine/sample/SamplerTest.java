package org.longform.engine.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SamplerTest {
    static final int VOCAB = 50432;

    /** Model-like logits: mostly noise around 0, a handful of strong candidates. */
    static float[] randomLogits(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] l = new float[VOCAB];
        for (int i = 0; i < VOCAB; i++) {
            l[i] = (float) (r.nextGaussian() * 2.0);
        }
        for (int i = 0; i < 20; i++) {
            l[r.nextInt(VOCAB)] = 8 + (float) r.nextDouble() * 6;
        }
        return l;
    }

    static int argmax(float[] l) {
        int best = 0;
        for (int i = 1; i < l.length; i++) {
            if (l[i] > l[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Plain temperature-1 sampling with nothing else, the base for single-filter tests. */
    static SamplerSettings plain() {
        return new SamplerSettings(1, 0, 1, 0, 1, 1, 0, 1L, 100, null, null);
    }

    static Set<Integer> support(float[] p) {
        Set<Integer> s = new HashSet<>();
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                s.add(i);
            }
        }
        return s;
    }

    static double[] softmax(float[] l) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : l) {
            max = Math.max(max, v);
        }
        double[] p = new double[l.length];
        double sum = 0;
        for (int i = 0; i < l.length; i++) {
            p[i] = Math.exp(l[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < l.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    @Test
    void greedyPicksArgmaxAndLowestIdOnTies() {
        Sampler greedy = new Sampler(SamplerSettings.greedy());
        for (long s = 0; s < 5; s++) {
            float[] l = randomLogits(s);
            assertEquals(argmax(l), greedy.sample(l));
        }
        float[] tie = {1, 5, 3, 5, 5};
        assertEquals(1, greedy.sample(tie));
        assertEquals(1, greedy.sample(new float[] {Float.NaN, 2, Float.NaN}));
    }

    @Test
    void equalSeedsGiveEqualSequencesAndDifferentSeedsDiffer() {
        SamplerSettings s = SamplerSettings.defaults()
                .withTemperature(1.5)
                .withTopK(0)
                .withTopP(1)
                .withMinP(0)
                .withRepetitionPenalty(1);
        int[] a = draws(new Sampler(s.withSeed(42L)), 300);
        int[] b = draws(new Sampler(s.withSeed(42L)), 300);
        int[] c = draws(new Sampler(s.withSeed(43L)), 300);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
        assertEquals(42L, new Sampler(s.withSeed(42L)).seed());
        // No seed: each sampler gets its own, and reports it so a story can be reproduced.
        Sampler random = new Sampler(s.withSeed(null));
        assertArrayEquals(draws(random, 50), draws(new Sampler(s.withSeed(random.seed())), 50));
    }

    private static int[] draws(Sampler sampler, int n) {
        float[] l = new float[VOCAB];
        for (int i = 0; i < 64; i++) {
            l[i * 7] = 5; // 64 equally likely tokens plus a long tail: draws vary a lot with the seed
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = sampler.sample(l);
        }
        return out;
    }

    @Test
    void topKOneIsGreedy() {
        Sampler s = new Sampler(plain().withTopK(1).withTemperature(2));
        for (long seed = 0; seed < 20; seed++) {
            float[] l = randomLogits(seed);
            assertEquals(argmax(l), s.sample(l));
        }
    }

    @Test
    void tinyTopPIsArgmax() {
        Sampler s = new Sampler(plain().withTopP(1e-6).withTemperature(3));
        for (long seed = 0; seed < 20; seed++) {
            float[] l = randomLogits(seed);
            assertEquals(argmax(l), s.sample(l));
        }
    }

    @Test
    void topKKeepsExactlyTheKBest() {
        float[] l = randomLogits(3);
        float[] p = new Sampler(plain().withTopK(40)).probabilities(l, null, 0);
        Set<Integer> expected = new HashSet<>();
        IntStream.range(0, VOCAB)
                .boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -l[i]).thenComparing(i -> i))
                .limit(40)
                .forEach(expected::add);
        assertEquals(expected, support(p));
        // Relative probabilities among survivors are unchanged at temperature 1.
        int a = argmax(l);
        for (int i : expected) {
            assertEquals(Math.exp(l[i] - l[a]), p[i] / p[a], 1e-4);
        }
    }

    @Test
    void topPMatchesSortedReference() {
        for (long seed = 0; seed < 5; seed++) {
            float[] l = randomLogits(seed);
            for (int i = 0; i < VOCAB; i++) {
                l[i] *= 0.5f; // flatter, so the nucleus holds thousands of tokens
            }
            double topP = 0.9;
            double[] sm = softmax(l);
            Integer[] order = IntStream.range(0, VOCAB)
                    .boxed()
                    .sorted(Comparator.comparingDouble((Integer i) -> -l[i]).thenComparing(i -> i))
                    .toArray(Integer[]::new);
            Set<Integer> expected = new HashSet<>();
            double cum = 0;
            for (int id : order) {
                expected.add(id);
                cum += sm[id];
                if (cum >= topP) {
                    break;
                }
            }
            float[] p = new Sampler(plain().withTopP(topP)).probabilities(l, null, 0);
            assertEquals(expected, support(p), "seed " + seed);
            // Same result when top-k first leaves a sorted candidate list (the other code path).
            float[] pk = new Sampler(plain().withTopK(VOCAB - 1).withTopP(topP)).probabilities(l, null, 0);
            assertEquals(expected, support(pk), "seed " + seed + " after top-k");
            // Followed by min-p: the survivors of both, whichever code path runs.
            double max = l[argmax(l)];
            Set<Integer> both = new HashSet<>();
            for (int id : expected) {
                if (l[id] - max >= Math.log(0.05)) {
                    both.add(id);
                }
            }
            assertTrue(both.size() < expected.size(), "min-p should cut something here");
            assertEquals(both, support(new Sampler(plain().withTopP(topP).withMinP(0.05)).probabilities(l, null, 0)));
            assertEquals(
                    both,
                    support(new Sampler(
                                    plain().withTopK(VOCAB - 1).withTopP(topP).withMinP(0.05))
                            .probabilities(l, null, 0)));
        }
    }

    @Test
    void typicalMatchesReference() {
        float[] l = randomLogits(11);
        double typicalP = 0.5;
        double[] sm = softmax(l);
        double entropy = 0;
        for (double q : sm) {
            if (q > 0) {
                entropy -= q * Math.log(q);
            }
        }
        final double h = entropy;
        Integer[] order = IntStream.range(0, VOCAB)
                .boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> Math.abs(-Math.log(sm[i]) - h))
                        .thenComparing(i -> i))
                .toArray(Integer[]::new);
        Set<Integer> expected = new HashSet<>();
        double cum = 0;
        for (int id : order) {
            expected.add(id);
            cum += sm[id];
            if (cum > typicalP) {
                break;
            }
        }
        float[] p = new Sampler(plain().withTypicalP(typicalP)).probabilities(l, null, 0);
        assertEquals(expected, support(p));
    }

    @Test
    void minPDropsTokensFarBelowTheBest() {
        // probabilities 0.5, 0.3, 0.15, 0.05: with minP 0.25 the cut is at 0.125, so 0.05 goes.
        float[] l = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.15), (float) Math.log(0.05)};
        float[] p = new Sampler(plain().withMinP(0.25)).probabilities(l, null, 0);
        assertEquals(0, p[3]);
        assertEquals(0.5 / 0.95, p[0], 1e-6);
        assertEquals(0.3 / 0.95, p[1], 1e-6);
        assertEquals(0.15 / 0.95, p[2], 1e-6);
        float[] all = new Sampler(plain().withMinP(0.05)).probabilities(l, null, 0);
        assertEquals(Set.of(0, 1, 2, 3), support(all));
    }

    @Test
    void repetitionPenaltyLowersRepeatedTokensOnce() {
        float[] l = {2f, 2f, -1f, -1f, 0.5f};
        double pen = 2;
        int[] history = {4, 0, 2, 0, 0, 2};
        // Range 5 covers tokens 0 and 2 but not the 4 at the start.
        float[] p = new Sampler(plain().withRepetitionPenalty(pen).withRepetitionRange(5)).probabilities(l, history, 6);
        double[] expected = softmax(new float[] {1f, 2f, -2f, -1f, 0.5f}); // 2/2 once, -1*2 once, 4 untouched
        for (int i = 0; i < l.length; i++) {
            assertEquals(expected[i], p[i], 1e-6, "token " + i);
        }
        assertTrue(p[0] < p[1] && p[2] < p[3]);
        // Range 0 means the whole history: now 4 is penalized too.
        float[] whole =
                new Sampler(plain().withRepetitionPenalty(pen).withRepetitionRange(0)).probabilities(l, history, 6);
        assertEquals(softmax(new float[] {1f, 2f, -2f, -1f, 0.25f})[4], whole[4], 1e-6);
        // historyLen limits what counts: only the first two entries.
        float[] prefix = new Sampler(plain().withRepetitionPenalty(pen)).probabilities(l, history, 2);
        assertEquals(softmax(new float[] {1f, 2f, -1f, -1f, 0.25f})[2], prefix[2], 1e-6);
        // Greedy applies the penalty too: token 1 wins once 0 has been used.
        assertEquals(1, new Sampler(SamplerSettings.greedy().withRepetitionPenalty(1.5)).sample(l, new int[] {0}, 1));
        // The caller's logits are untouched.
        assertArrayEquals(new float[] {2f, 2f, -1f, -1f, 0.5f}, l);
    }

    @Test
    void drawFrequenciesFollowTheTemperedDistribution() {
        double[] base = {0.5, 0.3, 0.2};
        float[] l = new float[1000]; // small vocabulary keeps 60k draws quick
        Arrays.fill(l, Float.NEGATIVE_INFINITY); // masked tokens must never be drawn
        l[100] = (float) Math.log(base[0]);
        l[200] = (float) Math.log(base[1]);
        l[300] = (float) Math.log(base[2]);
        for (double t : new double[] {1.0, 2.0, 0.5}) {
            double[] expected = new double[3];
            double sum = 0;
            for (int i = 0; i < 3; i++) {
                expected[i] = Math.pow(base[i], 1 / t);
                sum += expected[i];
            }
            Sampler s = new Sampler(plain().withTemperature(t).withSeed(1234L));
            int n = 20_000;
            int[] counts = new int[3];
            for (int i = 0; i < n; i++) {
                int id = s.sample(l);
                assertTrue(id == 100 || id == 200 || id == 300, "drew masked token " + id);
                counts[id / 100 - 1]++;
            }
            double chi2 = 0;
            for (int i = 0; i < 3; i++) {
                double e = n * expected[i] / sum;
                chi2 += (counts[i] - e) * (counts[i] - e) / e;
            }
            // 2 degrees of freedom: 13.8 is the 0.1% critical value.
            assertTrue(chi2 < 13.8, "T=" + t + " counts " + Arrays.toString(counts) + " chi2 " + chi2);
        }
    }

    @Test
    void temperatureSharpensAndFlattens() {
        float[] l = {1, 2, 3};
        float[] cold = new Sampler(plain().withTemperature(0.5)).probabilities(l, null, 0);
        float[] hot = new Sampler(plain().withTemperature(2)).probabilities(l, null, 0);
        float[] neutral = new Sampler(plain()).probabilities(l, null, 0);
        assertTrue(cold[2] > neutral[2] && neutral[2] > hot[2]);
        assertEquals(softmax(new float[] {2, 4, 6})[0], cold[0], 1e-6);
    }

    @Test
    void samplingAllocatesNothingPerToken() {
        Sampler s = new Sampler(SamplerSettings.defaults().withSeed(5L).withTypicalP(0.95));
        float[] l = randomLogits(9);
        int[] history = new int[512];
        for (int i = 0; i < history.length; i++) {
            history[i] = i * 31 % VOCAB;
        }
        for (int i = 0; i < 200; i++) {
            s.sample(l, history, history.length); // warm up: buffers and JIT
        }
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        int sink = 0;
        for (int i = 0; i < 200; i++) {
            sink += s.sample(l, history, history.length);
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        // One vocabulary-sized buffer per call would be 200 x 200 KB = 40 MB.
        assertTrue(allocated < 200_000, "allocated " + allocated + " bytes in 200 calls (" + sink + ")");
    }

    @Test
    void fullVocabularyWithAllFiltersIsFast() {
        Sampler s =
                new Sampler(SamplerSettings.defaults().withSeed(1L).withTopK(0).withTypicalP(0.95));
        float[] l = randomLogits(21);
        int[] history = {1, 2, 3};
        for (int i = 0; i < 50; i++) {
            s.sample(l, history, 3);
        }
        long start = System.nanoTime();
        int n = 200;
        for (int i = 0; i < n; i++) {
            s.sample(l, history, 3);
        }
        double msPerToken = (System.nanoTime() - start) / 1e6 / n;
        // Generous bound for a shared CI core; typically a few milliseconds at most.
        assertTrue(msPerToken < 50, msPerToken + " ms per token");
    }

    @Test
    void keysOrderByValueThenLowerPosition() {
        assertTrue(Sampler.key(1f, 5) > Sampler.key(0.5f, 0));
        assertTrue(Sampler.key(-1f, 5) > Sampler.key(-2f, 0));
        assertTrue(Sampler.key(Float.NEGATIVE_INFINITY, 0) < Sampler.key(-1e30f, 9));
        assertTrue(Sampler.key(3f, 2) > Sampler.key(3f, 7));
        assertEquals(50431, Sampler.position(Sampler.key(-7.5f, 50431)));
        assertNotEquals(Sampler.key(0f, 1), Sampler.key(0f, 2));
    }
}
