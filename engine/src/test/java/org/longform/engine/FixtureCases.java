package org.longform.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.longform.engine.Fixtures.*;

import com.fasterxml.jackson.databind.JsonNode;
import org.longform.engine.runtime.Sequence;

/**
 * The shared fixtures' cases, run the same way on every session kind: runtime.FixtureTest on the
 * CPU, engine-cuda's CudaFixtureTest on the GPU (through this test-jar): both sessions are a
 * {@link Sequence}. Each case asserts what the
 * fixture pins and returns the worst |dlogit| it saw, for the tests' summaries.
 */
public final class FixtureCases {
    private FixtureCases() {}

    /** The prompt in one feed, logits at every position checked, then the full last row. */
    public static double prompt(String model, int vocab, Sequence s) {
        JsonNode exp = expected(model);
        JsonNode c = testCase(exp, "prompt");
        int[] probe = ints(exp.get("probe_ids"));
        int[] ids = ints(c.get("prompt_ids"));
        double[] worst = {0};
        s.feed(
                ids,
                0,
                ids.length,
                (pos, row, off) -> worst[0] = Math.max(
                        worst[0],
                        checkSummary(
                                c.get("positions").get(pos), probe, row, off, vocab, model + " prompt pos " + pos)),
                null,
                null);
        float[] full = lastLogits(model);
        float[] last = s.lastLogits();
        for (int i = 0; i < vocab; i++) {
            double d = Math.abs(full[i] - last[i]);
            worst[0] = Math.max(worst[0], d);
            assertTrue(d <= TOL, "last-position logit " + i + " off by " + d);
        }
        return worst[0];
    }

    /** 40 greedy tokens after the prompt, exactly the reference's. */
    public static void greedy40(String model, int vocab, Sequence s) {
        JsonNode c = testCase(expected(model), "greedy");
        float[] logits = s.feed(ints(c.get("prompt_ids")));
        int[] out = new int[40];
        for (int i = 0; i < out.length; i++) {
            out[i] = argmax(logits, 0, vocab);
            logits = s.feed(out[i]);
        }
        assertArrayEquals(ints(c.get("generated")), out);
    }

    /** The reference's tokens fed one by one, every step's logits checked. */
    public static double decode(String model, int vocab, Sequence s) {
        JsonNode exp = expected(model);
        JsonNode c = testCase(exp, "decode");
        int[] probe = ints(exp.get("probe_ids"));
        int[] fed = ints(c.get("fed_one_by_one"));
        s.feed(ints(c.get("prompt_ids")));
        double worst = 0;
        for (int i = 0; i < fed.length; i++) {
            float[] row = s.feed(fed[i]);
            worst = Math.max(
                    worst, checkSummary(c.get("after_each").get(i), probe, row, 0, vocab, model + " decode step " + i));
        }
        return worst;
    }

    /** A 3000-token prompt, logits checked at every checkpoint. */
    public static double long3000(String model, int vocab, Sequence s) {
        JsonNode exp = expected(model);
        JsonNode c = testCase(exp, "long");
        int[] probe = ints(exp.get("probe_ids"));
        int[] ids = ints(c.get("prompt_ids"));
        JsonNode checkpoints = c.get("checkpoints");
        double[] worst = {0};
        int[] seen = {0};
        s.feed(
                ids,
                0,
                ids.length,
                (pos, row, off) -> {
                    JsonNode want = checkpoints.get(Integer.toString(pos));
                    if (want != null) {
                        seen[0]++;
                        worst[0] = Math.max(
                                worst[0], checkSummary(want, probe, row, off, vocab, model + " long pos " + pos));
                    }
                },
                null,
                null);
        assertEquals(checkpoints.size(), seen[0]);
        return worst[0];
    }

    /** Prefill, evict a span, feed on: the logits after the shift and the greedy tokens that follow. */
    public static double contextShift(String model, int vocab, Sequence s) {
        JsonNode exp = expected(model);
        JsonNode c = testCase(exp, "context-shift");
        int[] probe = ints(exp.get("probe_ids"));
        int[] ids = ints(c.get("prompt_ids"));
        int prefill = c.get("prefill_before_evict").asInt();
        int[] evict = ints(c.get("evict_slots"));
        s.feed(ids, 0, prefill, null, null, null);
        s.evict(evict[0], evict[1]);
        assertEquals(prefill - (evict[1] - evict[0]), s.length());
        float[] row = s.feed(ints(c.get("then_feed")));
        double worst = checkSummary(c.get("after_shift"), probe, row, 0, vocab, model + " after shift");
        int[] gen = new int[c.get("generated").size()];
        for (int i = 0; i < gen.length; i++) {
            gen[i] = argmax(row, 0, vocab);
            row = s.feed(gen[i]);
        }
        assertArrayEquals(ints(c.get("generated")), gen);
        return worst;
    }
}
