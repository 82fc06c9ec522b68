package org.longform.engine.quant;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.longform.engine.Fixtures.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.longform.engine.Assets;
import org.longform.engine.model.Model;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.runtime.Session;

/**
 * Quantized weights against exact results.
 * <p>
 * The shared fixtures (fp32 references of the two tiny random-weight models): top-1 agreement over
 * every fixture position (prompt positions, teacher-forced decode steps, long-context checkpoints)
 * and the logit error on the reference's top-5, probe ids and log-sum-exp. Their weights are
 * Gaussian noise, and 5 % of positions have a top-1 margin under 0.09 logits while q8_0's 0.53 %
 * relative weight error (the format's own: half a step of amax / 127 in blocks of 32) moves logits
 * by about 0.1: q8_0 agrees at 92.0 % (162 of 176), q4_0 at 38 %. The floors below pin those
 * measurements so a kernel or quantizer regression shows.
 * <p>
 * The trained demo model (real text statistics, margins of a real model): q8_0 agrees with the
 * exact bf16 run at every one of 1000 positions of real text, q4_0 at 98 %.
 */
class QuantFixtureTest {
    static Stream<Arguments> cases() {
        return Stream.of(Arguments.of(WeightType.Q8_0, 0.90), Arguments.of(WeightType.Q4_0, 0.33));
    }

    static Stream<Arguments> demoCases() {
        return Stream.of(Arguments.of(WeightType.Q8_0, 0.99, 0.3), Arguments.of(WeightType.Q4_0, 0.95, 2.0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("demoCases")
    void trainedDemoModelAgreesWithTheExactRun(WeightType quant, double minAgreement, double maxDelta) {
        JsonNode lng = testCase(expected(MODELS[0]), "long");
        int[] ids = ints(lng.get("prompt_ids"));
        int n = Math.min(1000, ids.length);
        Path demo = Assets.demoModel();
        int[] top;
        float[][] exact = new float[n][];
        int V;
        try (Model ref = Model.load(demo, null, false);
                Session s = Session.open(ref, EngineOptions.defaults().withBackend("vector"))) {
            V = ref.config().vocabSize();
            int vocab = V;
            top = new int[n];
            s.feed(
                    ids,
                    0,
                    n,
                    (pos, row, off) -> {
                        top[pos] = argmax(row, off, vocab);
                        exact[pos] = Arrays.copyOfRange(row, off, off + vocab);
                    },
                    null,
                    null);
        }
        int vocab = V;
        int[] agree = {0};
        double[] worst = {0};
        try (Model m = Model.load(demo, quant, false);
                Session s = Session.open(m, EngineOptions.defaults().withBackend("vector"))) {
            s.feed(
                    ids,
                    0,
                    n,
                    (pos, row, off) -> {
                        if (argmax(row, off, vocab) == top[pos]) agree[0]++;
                        for (int v = 0; v < vocab; v++)
                            worst[0] = Math.max(worst[0], Math.abs(row[off + v] - exact[pos][v]));
                    },
                    null,
                    null);
        }
        double rate = (double) agree[0] / n;
        System.out.printf(
                "%s demo model: top-1 agreement with bf16 %d/%d = %.2f%%, max |dlogit| over all %d logits %.3f%n",
                quant.label(), agree[0], n, 100 * rate, vocab, worst[0]);
        assertTrue(rate >= minAgreement, quant.label() + " demo agreement " + rate);
        assertTrue(worst[0] <= maxDelta, quant.label() + " demo max |dlogit| " + worst[0]);
    }

    private static final class Tally {
        int positions, agree;
        double max, sum, flipMargin;
        long n;

        void row(JsonNode summary, int[] probe, float[] row, int off, int V) {
            positions++;
            JsonNode top5 = summary.get("top5");
            if (argmax(row, off, V) == top5.get(0).get(0).asInt()) agree++;
            else
                flipMargin = Math.max(
                        flipMargin,
                        top5.get(0).get(1).asDouble() - top5.get(1).get(1).asDouble());
            for (JsonNode e : summary.get("top5"))
                add(Math.abs(row[off + e.get(0).asInt()] - e.get(1).asDouble()));
            for (int i = 0; i < probe.length; i++)
                add(Math.abs(row[off + probe[i]] - summary.get("probe").get(i).asDouble()));
            add(Math.abs(logSumExp(row, off, V) - summary.get("lse").asDouble()));
        }

        void add(double d) {
            max = Math.max(max, d);
            sum += d;
            n++;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void topOneAgreementOverAllFixturePositions(WeightType quant, double minAgreement) {
        Tally all = new Tally();
        for (String name : MODELS) {
            Tally t = new Tally();
            JsonNode exp = expected(name);
            int[] probe = ints(exp.get("probe_ids"));
            try (Model m = Model.load(modelDir(name), quant, false);
                    Session s = Session.open(
                            m, EngineOptions.defaults().withBackend("vector").withChunkSize(256))) {
                int V = m.config().vocabSize();
                JsonNode prompt = testCase(exp, "prompt");
                int[] ids = ints(prompt.get("prompt_ids"));
                s.feed(
                        ids,
                        0,
                        ids.length,
                        (pos, row, off) -> t.row(prompt.get("positions").get(pos), probe, row, off, V),
                        null,
                        null);

                JsonNode dec = testCase(exp, "decode");
                s.reset();
                s.feed(ints(dec.get("prompt_ids")));
                int[] fed = ints(dec.get("fed_one_by_one"));
                for (int i = 0; i < fed.length; i++) t.row(dec.get("after_each").get(i), probe, s.feed(fed[i]), 0, V);

                JsonNode lng = testCase(exp, "long");
                s.reset();
                int[] lids = ints(lng.get("prompt_ids"));
                JsonNode cps = lng.get("checkpoints");
                s.feed(
                        lids,
                        0,
                        lids.length,
                        (pos, row, off) -> {
                            JsonNode want = cps.get(Integer.toString(pos));
                            if (want != null) t.row(want, probe, row, off, V);
                        },
                        null,
                        null);
            }
            System.out.printf(
                    "%s %s: top-1 agreement %d/%d = %.2f%%, |dlogit| max %.4f mean %.5f%n",
                    quant.label(), name, t.agree, t.positions, 100.0 * t.agree / t.positions, t.max, t.sum / t.n);
            all.positions += t.positions;
            all.agree += t.agree;
            all.max = Math.max(all.max, t.max);
            all.sum += t.sum;
            all.n += t.n;
            all.flipMargin = Math.max(all.flipMargin, t.flipMargin);
        }
        double rate = (double) all.agree / all.positions;
        System.out.printf(
                "%s all fixtures: top-1 agreement %d/%d = %.2f%%, |dlogit| max %.4f mean %.5f; the widest reference margin a flip had: %.4f%n",
                quant.label(), all.agree, all.positions, 100 * rate, all.max, all.sum / all.n, all.flipMargin);
        assertTrue(rate >= minAgreement, quant.label() + " top-1 agreement " + rate + " below " + minAgreement);
    }
}
