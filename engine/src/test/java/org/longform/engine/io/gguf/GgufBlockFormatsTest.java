package org.longform.engine.io.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.longform.engine.Assets;
import org.longform.engine.Fixtures;
import org.longform.engine.kernels.Activations;
import org.longform.engine.kernels.MatMulInt8;
import org.longform.engine.model.Model;
import org.longform.engine.quant.KQuantMatrix;
import org.longform.engine.quant.WeightType;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.runtime.Session;

/**
 * GGUF files in GGML's other block formats, made from the trained demo model (d 256 and 1024:
 * whole 256-weight k-blocks):
 * <ul>
 * <li>Q4_K, Q5_K and Q6_K (and a Q4_K_M-like mix) run as stored: every weight reads as the layout
 *     defines it ({@link GgmlEncoder#value}), and the logits equal those of a GGUF holding the
 *     decoded values as F32 to {@link GgufModelTest#EXACT};</li>
 * <li>the formats without kernels here (Q4_1, Q5_0, Q5_1, Q2_K, Q3_K) load as exactly the weights
 *     a GGUF holding the decoded values as F32 gives when quantized at load (same q8_0 planes bit
 *     for bit; q4_0 when the user asks for it);</li>
 * <li>the model still writes like itself: top-1 agreement with the exact bf16 run on real text,
 *     pinned per format below what was measured (the formats' own rounding, from the test's
 *     simple encoders, dominates: Q2_K is coarse).</li>
 * </ul>
 */
class GgufBlockFormatsTest {
    @TempDir
    Path tmp;

    static final int POSITIONS = 300;
    static int[] ids;
    static int[] exactTop;

    @BeforeAll
    static void exactRun() {
        int[] all = Fixtures.ints(
                Fixtures.testCase(Fixtures.expected("tiny-mpt-4h"), "long").get("prompt_ids"));
        ids = Arrays.copyOf(all, POSITIONS);
        try (Model m = Model.load(Assets.demoModel(), null, false)) {
            exactTop = new int[POSITIONS];
            int V = m.config().vocabSize();
            try (Session s = Session.open(m, EngineOptions.defaults().withBackend("vector"))) {
                s.feed(ids, 0, POSITIONS, (pos, row, off) -> exactTop[pos] = Fixtures.argmax(row, off, V), null, null);
            }
        }
    }

    private static float[] logits(Model m) {
        int V = m.config().vocabSize();
        float[] out = new float[POSITIONS * V];
        try (Session s = Session.open(m, EngineOptions.defaults().withBackend("vector"))) {
            s.feed(ids, 0, POSITIONS, (pos, row, off) -> System.arraycopy(row, off, out, pos * V, V), null, null);
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"Q4_1, 0.97", "Q5_0, 0.97", "Q5_1, 0.97", "Q2_K, 0.30", "Q3_K, 0.95"})
    void loadsAsTheDecodedValuesRequantized(String name, double minAgreement) throws IOException {
        int type = typeOf(name);
        Path file = tmp.resolve("demo-" + name + ".gguf"), ref = tmp.resolve("demo-" + name + "-decoded.gguf");
        try (Model demo = Model.load(Assets.demoModel(), null, false)) {
            GgufWriter.mpt(demo.config(), demo.weights(), type).write(file);
            GgufWriter.mpt(demo.config(), demo.weights(), (g, n, m) -> g.decodedAsF32(n, m, type))
                    .write(ref);
        }
        try (Model g = Model.load(file, null, false);
                Model r = Model.load(ref, WeightType.Q8_0, false)) {
            assertEquals("q8_0", g.weightForm());
            GgufModelTest.assertSameWeights(r.weights(), g.weights());
            float[] lg = logits(g), lr = logits(r);
            int V = g.config().vocabSize(), agree = 0;
            double worst = 0;
            for (int i = 0; i < lg.length; i++) worst = Math.max(worst, Math.abs(lg[i] - lr[i]));
            assertTrue(worst <= GgufModelTest.EXACT, name + " vs its decoded values: max |dlogit| " + worst);
            for (int p = 0; p < POSITIONS; p++) if (Fixtures.argmax(lg, p * V, V) == exactTop[p]) agree++;
            double rate = (double) agree / POSITIONS;
            System.out.printf(
                    "%s GGUF of the demo model (%.1f MB, re-quantized to q8_0): top-1 agreement with exact bf16 %d/%d = %.1f%%%n",
                    name, Files.size(file) / 1e6, agree, POSITIONS, 100 * rate);
            assertTrue(rate >= minAgreement, name + " agreement " + rate);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(ref);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"Q4_K, 0.99", "Q5_K, 0.98", "Q6_K, 0.99", "Q4_K_M, 0.99"})
    void kQuantsRunAsStored(String name, double minAgreement) throws IOException {
        // Q4_K_M: llama.cpp's usual mix, Q6_K for the embedding / LM head and the down projections, Q4_K elsewhere
        boolean mix = name.equals("Q4_K_M");
        ToIntFunction<String> typeFor = n -> !mix
                ? typeOf(name)
                : n.equals("token_embd.weight") || n.contains("ffn_down") ? GgufFile.Q6_K : GgufFile.Q4_K;
        Path file = tmp.resolve("demo-" + name + ".gguf"), ref = tmp.resolve("demo-" + name + "-decoded.gguf");
        try (Model demo = Model.load(Assets.demoModel(), null, false)) {
            GgufWriter.mpt(demo.config(), demo.weights(), (g, n, m) -> g.matrix(n, m, typeFor.applyAsInt(n)))
                    .write(file);
            GgufWriter.mpt(demo.config(), demo.weights(), (g, n, m) -> g.decodedAsF32(n, m, typeFor.applyAsInt(n)))
                    .write(ref);
        }
        try (Model g = Model.load(file, null, false);
                Model r = Model.load(ref, null, false)) {
            assertEquals(mix ? "q4_K + q6_K" : "q" + name.substring(1), g.weightForm());
            var mg = g.weights().matrices();
            var mr = r.weights().matrices();
            for (int i = 0; i < mg.size(); i++) {
                assertTrue(mg.get(i) instanceof KQuantMatrix, mg.get(i).describe() + " is held as stored");
                float[] a = new float[mg.get(i).cols()], b = new float[a.length];
                for (int row = 0; row < mg.get(i).rows(); row += 5) {
                    mg.get(i).row(row, a, 0);
                    mr.get(i).row(row, b, 0);
                    assertArrayEquals(b, a, mg.get(i).name() + " row " + row);
                }
            }
            assertEquals(
                    Files.size(file),
                    g.weights().matrices().stream().mapToLong(m -> m.byteSize()).sum() + normBytes(g),
                    64 * 1024,
                    "the loaded weights take the file's size");
            float[] lg = logits(g), lr = logits(r);
            int V = g.config().vocabSize(), agree = 0;
            double worst = 0;
            for (int i = 0; i < lg.length; i++) worst = Math.max(worst, Math.abs(lg[i] - lr[i]));
            assertTrue(worst <= GgufModelTest.EXACT, name + " vs the F32 of its decoded values: max |dlogit| " + worst);
            // one token at a time: the one-token kernels (sub-block sums), not the widened panels of a prompt
            float[] dg = decodeLogits(g), dr = decodeLogits(r);
            double worstDecode = 0;
            for (int i = 0; i < dg.length; i++) worstDecode = Math.max(worstDecode, Math.abs(dg[i] - dr[i]));
            assertTrue(
                    worstDecode <= GgufModelTest.EXACT,
                    name + " decode vs the F32 of its decoded values: max |dlogit| " + worstDecode);
            for (int p = 0; p < POSITIONS; p++) if (Fixtures.argmax(lg, p * V, V) == exactTop[p]) agree++;
            double rate = (double) agree / POSITIONS;
            System.out.printf(
                    "%s GGUF of the demo model (%.1f MB, run as stored): max |dlogit| vs F32 of its values"
                            + " %.2g (prompt), %.2g (%d decode steps); top-1 agreement with exact bf16 %d/%d = %.1f%%%n",
                    name, Files.size(file) / 1e6, worst, worstDecode, DECODE_STEPS, agree, POSITIONS, 100 * rate);
            assertTrue(rate >= minAgreement, name + " agreement " + rate);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(ref);
        }
    }

    static final int DECODE_STEPS = 48;

    /**
     * {@link Activations#Q8} (opt-in: decode rounds x to int8 per 256 values) on real text: every
     * position fed one token at a time with exact and with int8 activations, each scored against the
     * exact bf16 run's top-1, and the largest logit change between the two. The floor is pinned below
     * what was measured.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"Q4_K_M, 0.98", "Q4_K, 0.98", "Q5_K, 0.98", "Q6_K, 0.98"})
    void int8ActivationsKeepTheTopToken(String name, double minAgreement) throws IOException {
        boolean mix = name.equals("Q4_K_M");
        ToIntFunction<String> typeFor = n -> !mix
                ? typeOf(name)
                : n.equals("token_embd.weight") || n.contains("ffn_down") ? GgufFile.Q6_K : GgufFile.Q4_K;
        Path file = tmp.resolve("demo-" + name + ".gguf");
        try (Model demo = Model.load(Assets.demoModel(), null, false)) {
            GgufWriter.mpt(demo.config(), demo.weights(), (g, n, m) -> g.matrix(n, m, typeFor.applyAsInt(n)))
                    .write(file);
        }
        try (Model g = Model.load(file, null, false)) {
            int V = g.config().vocabSize();
            float[] exact = decodeAll(g, Activations.EXACT), q8 = decodeAll(g, Activations.Q8);
            int agreeExact = 0, agreeQ8 = 0, same = 0;
            double worst = 0;
            for (int i = 0; i < exact.length; i++) worst = Math.max(worst, Math.abs(exact[i] - q8[i]));
            for (int p = 0; p < POSITIONS; p++) {
                int e = Fixtures.argmax(exact, p * V, V), q = Fixtures.argmax(q8, p * V, V);
                if (e == exactTop[p]) agreeExact++;
                if (q == exactTop[p]) agreeQ8++;
                if (e == q) same++;
            }
            System.out.printf(
                    "%s GGUF, decode one token at a time, top-1 agreement with exact bf16: exact activations"
                            + " %d/%d = %.1f%%, int8 activations %d/%d = %.1f%%; int8 vs exact activations: same"
                            + " top-1 %d/%d, max |dlogit| %.3g%n",
                    name,
                    agreeExact,
                    POSITIONS,
                    100.0 * agreeExact / POSITIONS,
                    agreeQ8,
                    POSITIONS,
                    100.0 * agreeQ8 / POSITIONS,
                    same,
                    POSITIONS,
                    worst);
            assertTrue((double) agreeQ8 / POSITIONS >= minAgreement, name + " int8 agreement " + agreeQ8);
            // the option runs a type in int8 only where that is the faster kernel at this vector width
            boolean used = mix
                    ? MatMulInt8.handles(WeightType.Q4_K) || MatMulInt8.handles(WeightType.Q6_K)
                    : MatMulInt8.handles(WeightType.valueOf(name));
            if (used) assertTrue(worst > 0, "int8 activations changed nothing: the option did not reach the kernels");
            else assertEquals(0, worst, name + " runs exact at this width: the option must change nothing");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Logits of all {@link #POSITIONS}, fed one token at a time. */
    private static float[] decodeAll(Model m, Activations a) {
        int V = m.config().vocabSize();
        float[] out = new float[POSITIONS * V];
        try (Session s =
                Session.open(m, EngineOptions.defaults().withBackend("vector").withActivations(a))) {
            for (int p = 0; p < POSITIONS; p++) System.arraycopy(s.feed(ids[p]), 0, out, p * V, V);
        }
        return out;
    }

    /** Logits of the first {@link #DECODE_STEPS} positions, fed one token at a time. */
    private static float[] decodeLogits(Model m) {
        int V = m.config().vocabSize();
        float[] out = new float[DECODE_STEPS * V];
        try (Session s = Session.open(m, EngineOptions.defaults().withBackend("vector"))) {
            for (int p = 0; p < DECODE_STEPS; p++) System.arraycopy(s.feed(ids[p]), 0, out, p * V, V);
        }
        return out;
    }

    private static long normBytes(Model m) {
        return 4L * m.config().dModel() * (2L * m.config().nLayers() + 1);
    }

    @Test
    void becomesQ4_0WhenTheUserAsksForIt() throws IOException {
        Path file = tmp.resolve("demo-q4k.gguf"), ref = tmp.resolve("demo-q4k-decoded.gguf");
        try (Model demo = Model.load(Assets.demoModel(), null, false)) {
            GgufWriter.mpt(demo.config(), demo.weights(), GgufFile.Q4_K).write(file);
            GgufWriter.mpt(demo.config(), demo.weights(), (g, n, m) -> g.decodedAsF32(n, m, GgufFile.Q4_K))
                    .write(ref);
        }
        try (Model g = Model.load(file, WeightType.Q4_0, false);
                Model r = Model.load(ref, WeightType.Q4_0, false)) {
            assertEquals("q4_0 + q8_0", g.weightForm(), "layers q4_0, the tied embedding / LM head q8_0");
            GgufModelTest.assertSameWeights(r.weights(), g.weights());
        }
    }

    static int typeOf(String name) {
        int t = GgufFile.typeNamed(name);
        if (t < 0) throw new IllegalArgumentException(name);
        return t;
    }
}
