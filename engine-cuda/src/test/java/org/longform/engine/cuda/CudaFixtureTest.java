package org.longform.engine.cuda;

import static org.junit.jupiter.api.Assertions.*;
import static org.longform.engine.Fixtures.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.longform.engine.model.Model;
import org.longform.engine.runtime.EngineOptions;

/**
 * The shared fixtures on the GPU, case for case as runtime.FixtureTest runs them on the CPU, in
 * exact precision (f32 cache, three-term GEMM) and with the same 2e-3 tolerance. Block and chunk
 * sizes exercise the GEMV (chunks <= 8) and the tensor-core GEMM, single and multi-page attention
 * partitions, and aligned and unaligned evictions. Skipped without a GPU; fails instead of
 * skipping under -Dlongform.cuda.require=true.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CudaFixtureTest {
    private final Map<String, Model> models = new HashMap<>();
    private static final Map<String, Double> WORST = new ConcurrentHashMap<>();

    @BeforeAll
    void load() {
        for (String m : MODELS) models.put(m, Model.load(modelDir(m)));
    }

    /** Per test, so each one is reported as skipped (with the reason) on a machine without a GPU. */
    @BeforeEach
    void needGpu() {
        CudaAssume.gpu();
    }

    @AfterAll
    void close() {
        models.values().forEach(Model::close);
        WORST.forEach((k, v) -> System.out.printf("cuda fixture max |dlogit| %-40s %.2e%n", k, v));
    }

    private CudaSession session(String model, int block, int chunk) {
        return CudaSession.open(
                models.get(model), EngineOptions.defaults().withBlockSize(block).withChunkSize(chunk), "exact");
    }

    private static void note(String key, double worst) {
        WORST.merge(key, worst, Math::max);
    }

    static Stream<Arguments> configs() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String m : MODELS) {
            b.add(Arguments.of(m, 16, 256));
            b.add(Arguments.of(m, 64, 7));
            b.add(Arguments.of(m, 256, 1));
            b.add(Arguments.of(m, 32, 64));
            b.add(Arguments.of(m, 5, 9));
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} block {1} chunk {2}")
    @MethodSource("configs")
    void promptEveryPositionAndFullLastRow(String model, int block, int chunk) {
        JsonNode exp = expected(model);
        JsonNode c = testCase(exp, "prompt");
        int[] probe = ints(exp.get("probe_ids"));
        int[] ids = ints(c.get("prompt_ids"));
        int V = models.get(model).config().vocabSize();
        try (CudaSession s = session(model, block, chunk)) {
            double[] worst = {0};
            s.feed(
                    ids,
                    0,
                    ids.length,
                    (pos, row, off) -> worst[0] = Math.max(
                            worst[0],
                            checkSummary(
                                    c.get("positions").get(pos), probe, row, off, V, model + " prompt pos " + pos)),
                    null,
                    null);
            float[] full = lastLogits(model);
            float[] last = s.lastLogits();
            for (int i = 0; i < V; i++) {
                double d = Math.abs(full[i] - last[i]);
                worst[0] = Math.max(worst[0], d);
                assertTrue(d <= TOL, "last-position logit " + i + " off by " + d);
            }
            note(model + " prompt", worst[0]);
        }
    }

    @ParameterizedTest(name = "{0} block {1} chunk {2}")
    @MethodSource("configs")
    void greedy40(String model, int block, int chunk) {
        JsonNode c = testCase(expected(model), "greedy");
        int[] ids = ints(c.get("prompt_ids"));
        int V = models.get(model).config().vocabSize();
        try (CudaSession s = session(model, block, chunk)) {
            float[] logits = s.feed(ids);
            int[] out = new int[40];
            for (int i = 0; i < out.length; i++) {
                out[i] = argmax(logits, 0, V);
                logits = s.feed(out[i]);
            }
            assertArrayEquals(ints(c.get("generated")), out);
        }
    }

    @ParameterizedTest(name = "{0} block {1} chunk {2}")
    @MethodSource("configs")
    void teacherForcedDecode(String model, int block, int chunk) {
        JsonNode exp = expected(model);
        JsonNode c = testCase(exp, "decode");
        int[] probe = ints(exp.get("probe_ids"));
        int V = models.get(model).config().vocabSize();
        int[] fed = ints(c.get("fed_one_by_one"));
        try (CudaSession s = session(model, block, chunk)) {
            s.feed(ints(c.get("prompt_ids")));
            double worst = 0;
            for (int i = 0; i < fed.length; i++) {
                float[] row = s.feed(fed[i]);
                worst = Math.max(
                        worst, checkSummary(c.get("after_each").get(i), probe, row, 0, V, model + " decode step " + i));
            }
            note(model + " decode", worst);
        }
    }

    static Stream<Arguments> longConfigs() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String m : MODELS) {
            b.add(Arguments.of(m, 16, 500));
            b.add(Arguments.of(m, 64, 333));
            b.add(Arguments.of(m, 256, 128));
            b.add(Arguments.of(m, 100, 1024));
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} block {1} chunk {2}")
    @MethodSource("longConfigs")
    void long3000(String model, int block, int chunk) {
        JsonNode exp = expected(model);
        JsonNode c = testCase(exp, "long");
        int[] probe = ints(exp.get("probe_ids"));
        int V = models.get(model).config().vocabSize();
        int[] ids = ints(c.get("prompt_ids"));
        JsonNode checkpoints = c.get("checkpoints");
        try (CudaSession s = session(model, block, chunk)) {
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
                                    worst[0], checkSummary(want, probe, row, off, V, model + " long pos " + pos));
                        }
                    },
                    null,
                    null);
            assertEquals(checkpoints.size(), seen[0]);
            note(model + " long", worst[0]);
        }
    }

    @ParameterizedTest(name = "{0} block {1} chunk {2}")
    @MethodSource("longConfigs")
    void contextShift(String model, int block, int chunk) {
        JsonNode exp = expected(model);
        JsonNode c = testCase(exp, "context-shift");
        int[] probe = ints(exp.get("probe_ids"));
        int V = models.get(model).config().vocabSize();
        int[] ids = ints(c.get("prompt_ids"));
        int prefill = c.get("prefill_before_evict").asInt();
        int[] evict = ints(c.get("evict_slots"));
        try (CudaSession s = session(model, block, chunk)) {
            s.feed(ids, 0, prefill, null, null, null);
            s.evict(evict[0], evict[1]);
            assertEquals(prefill - (evict[1] - evict[0]), s.length());
            float[] row = s.feed(ints(c.get("then_feed")));
            note(
                    model + " context-shift",
                    checkSummary(c.get("after_shift"), probe, row, 0, V, model + " after shift"));
            int[] gen = new int[c.get("generated").size()];
            for (int i = 0; i < gen.length; i++) {
                gen[i] = argmax(row, 0, V);
                row = s.feed(gen[i]);
            }
            assertArrayEquals(ints(c.get("generated")), gen);
        }
    }
}
