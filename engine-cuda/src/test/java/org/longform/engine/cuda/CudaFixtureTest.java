package org.longform.engine.cuda;

import static org.junit.jupiter.api.Assertions.*;
import static org.longform.engine.Fixtures.*;

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
import org.longform.engine.FixtureCases;
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

    private int vocab(String model) {
        return models.get(model).config().vocabSize();
    }

    @ParameterizedTest(name = "{0} block {1} chunk {2}")
    @MethodSource("configs")
    void promptEveryPositionAndFullLastRow(String model, int block, int chunk) {
        try (CudaSession s = session(model, block, chunk)) {
            note(model + " prompt", FixtureCases.prompt(model, vocab(model), s));
        }
    }

    @ParameterizedTest(name = "{0} block {1} chunk {2}")
    @MethodSource("configs")
    void greedy40(String model, int block, int chunk) {
        try (CudaSession s = session(model, block, chunk)) {
            FixtureCases.greedy40(model, vocab(model), s);
        }
    }

    @ParameterizedTest(name = "{0} block {1} chunk {2}")
    @MethodSource("configs")
    void teacherForcedDecode(String model, int block, int chunk) {
        try (CudaSession s = session(model, block, chunk)) {
            note(model + " decode", FixtureCases.decode(model, vocab(model), s));
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
        try (CudaSession s = session(model, block, chunk)) {
            note(model + " long", FixtureCases.long3000(model, vocab(model), s));
        }
    }

    @ParameterizedTest(name = "{0} block {1} chunk {2}")
    @MethodSource("longConfigs")
    void contextShift(String model, int block, int chunk) {
        try (CudaSession s = session(model, block, chunk)) {
            note(model + " context-shift", FixtureCases.contextShift(model, vocab(model), s));
        }
    }
}
