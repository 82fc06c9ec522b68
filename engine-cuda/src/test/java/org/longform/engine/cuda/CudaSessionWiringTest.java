package org.longform.engine.cuda;

import static org.junit.jupiter.api.Assertions.*;
import static org.longform.engine.Fixtures.*;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.longform.engine.model.Model;
import org.longform.engine.quant.WeightType;
import org.longform.engine.runtime.ContextFullException;
import org.longform.engine.runtime.CpuSession;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.runtime.Session;

/**
 * {@link Session} with the cuda backend runs the whole model in a {@link CudaSession}: what the
 * generator, the editor and the CLI use. The fixtures' greedy run, a context shift and prefix reuse
 * through Session's API, on the GPU. Skipped without a GPU (runtime.DeviceSessionDelegationTest
 * checks the hand-over itself on the CPU).
 */
class CudaSessionWiringTest {
    @BeforeEach
    void needGpu() {
        CudaAssume.gpu();
    }

    private static Session open(Model m, String backend) {
        return Session.open(
                m,
                EngineOptions.defaults().withBackend(backend).withBlockSize(32).withChunkSize(64));
    }

    @Test
    void greedyContextShiftAndPrefixReuseThroughSession() {
        for (String name : MODELS) {
            JsonNode exp = expected(name);
            try (Model m = Model.load(modelDir(name), null, false);
                    Session s = open(m, "cuda")) {
                assertTrue(s.onDevice(), name + ": " + s.describeKv());
                assertTrue(s.describeKv().contains("precision exact"), s.describeKv());
                int V = m.config().vocabSize();

                JsonNode g = testCase(exp, "greedy");
                float[] logits = s.feed(ints(g.get("prompt_ids")));
                int[] out = new int[40];
                for (int i = 0; i < out.length; i++) {
                    out[i] = argmax(logits, 0, V);
                    logits = s.feed(out[i]);
                }
                assertArrayEquals(ints(g.get("generated")), out, name + " greedy");
                assertFalse(s instanceof CpuSession, "the CPU cache is not used");

                int[] prompt = s.tokens();
                prompt[prompt.length - 10] = (prompt[prompt.length - 10] + 1) % V;
                s.sync(prompt, null, null);
                assertEquals(10, s.lastRecomputed(), name + ": prefix reuse recomputes from the edit");

                JsonNode c = testCase(exp, "context-shift");
                int[] ids = ints(c.get("prompt_ids"));
                int prefill = c.get("prefill_before_evict").asInt();
                int[] evict = ints(c.get("evict_slots"));
                s.reset();
                s.feed(ids, 0, prefill, null, null, null);
                s.evict(evict[0], evict[1]);
                assertEquals(prefill - (evict[1] - evict[0]), s.length());
                float[] row = s.feed(ints(c.get("then_feed")));
                checkSummary(c.get("after_shift"), ints(exp.get("probe_ids")), row, 0, V, name + " after shift");
                int[] gen = new int[c.get("generated").size()];
                for (int i = 0; i < gen.length; i++) {
                    gen[i] = argmax(row, 0, V);
                    row = s.feed(gen[i]);
                }
                assertArrayEquals(ints(c.get("generated")), gen, name + " after shift");

                assertThrows(ContextFullException.class, () -> s.checkWindow(s.capacity() + 1));
            }
        }
    }

    @Test
    void autoPicksTheDevice() {
        try (Model m = Model.load(modelDir(MODELS[0]), null, false);
                Session s = open(m, "auto")) {
            assertTrue(s.onDevice(), s.describeKv());
        }
    }

    /** q8_0 weights are not run by CudaSession: the session stays on the CPU path (logged) and still works. */
    @Test
    void quantizedWeightsKeepTheCpuPath() {
        JsonNode g = testCase(expected(MODELS[0]), "greedy");
        try (Model m = Model.load(modelDir(MODELS[0]), WeightType.Q8_0, false);
                Session s = open(m, "cuda")) {
            assertFalse(s.onDevice());
            float[] logits = s.feed(ints(g.get("prompt_ids")));
            assertEquals(
                    ints(g.get("prompt_ids")).length, ((CpuSession) s).cache().length());
            assertTrue(Float.isFinite(logits[0]));
        }
    }
}
