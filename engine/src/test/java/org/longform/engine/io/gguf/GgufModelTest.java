package org.longform.engine.io.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.longform.engine.Fixtures;
import org.longform.engine.io.DType;
import org.longform.engine.io.ModelFormatException;
import org.longform.engine.io.SafeTensorsWriter;
import org.longform.engine.model.Config;
import org.longform.engine.model.Model;
import org.longform.engine.model.Weights;
import org.longform.engine.quant.Matrix;
import org.longform.engine.quant.WeightType;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.runtime.Session;

/**
 * GGUF files made from a fixture model (with our own writer, in llama.cpp's MPT layout) give the
 * same logits as the hub-format original holding the same values — F32, F16 and BF16 matrices
 * are the same values reaching the same kernels, and Q8_0 / Q4_0 the same blocks as quantizing
 * the original at load time. The weights are compared bit for bit; logits to {@link #EXACT},
 * because even one model run twice in one JVM differs by a few ulps (up to 4e-5 on logits near 20):
 * the first run is interpreted or C1-compiled, and Vector API lane reductions (attention, LayerNorm,
 * one-token products) add in another order there than in C2's code.
 */
class GgufModelTest {
    @TempDir
    Path tmp;

    private static final String MODEL = "tiny-mpt-6h";
    static final double EXACT = 1e-4;

    private static void assertSame(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length);
        double worst = 0;
        for (int i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i] - got[i]));
        System.out.printf("%s: max |dlogit| %.2e over %d logits%n", what, worst, want.length);
        assertTrue(worst <= EXACT, what + ": max |dlogit| " + worst);
    }

    /** Prompt logits of every position, then 8 decode steps, all rows concatenated. */
    private static float[] run(Model m) {
        int[] ids = Fixtures.ints(
                Fixtures.testCase(Fixtures.expected(MODEL), "prompt").get("prompt_ids"));
        int V = m.config().vocabSize();
        float[] all = new float[(ids.length + 8) * V];
        try (Session s =
                Session.open(m, EngineOptions.defaults().withBackend("vector").withChunkSize(16))) {
            s.feed(ids, 0, ids.length, (pos, row, off) -> System.arraycopy(row, off, all, pos * V, V), null, null);
            float[] last = s.lastLogits();
            for (int i = 0; i < 8; i++) {
                last = s.feed(Fixtures.argmax(last, 0, V));
                System.arraycopy(last, 0, all, (ids.length + i) * V, V);
            }
        }
        return all;
    }

    /** The fixture's weights re-stored as a hub folder in {@code dt} (values rounded to dt once). */
    private Path hubCopy(Model src, DType dt) throws IOException {
        Path dir = tmp.resolve("hub-" + dt);
        Files.createDirectories(dir);
        Files.copy(Fixtures.modelDir(MODEL).resolve("config.json"), dir.resolve("config.json"));
        Weights w = src.weights();
        SafeTensorsWriter st = new SafeTensorsWriter();
        st.add("transformer.wte.weight", dt, shape(w.wte), rows(w.wte));
        for (int l = 0; l < w.layers.length; l++) {
            Weights.Layer L = w.layers[l];
            String p = "transformer.blocks." + l + ".";
            st.add(p + "norm_1.weight", dt, new long[] {L.norm1().length}, vec(L.norm1()));
            st.add(p + "attn.Wqkv.weight", dt, shape(L.wqkv()), rows(L.wqkv()));
            st.add(p + "attn.out_proj.weight", dt, shape(L.outProj()), rows(L.outProj()));
            st.add(p + "norm_2.weight", dt, new long[] {L.norm2().length}, vec(L.norm2()));
            st.add(p + "ffn.up_proj.weight", dt, shape(L.up()), rows(L.up()));
            st.add(p + "ffn.down_proj.weight", dt, shape(L.down()), rows(L.down()));
        }
        st.add("transformer.norm_f.weight", dt, new long[] {w.normF.length}, vec(w.normF));
        st.write(dir.resolve("model.safetensors"));
        return dir;
    }

    /** Every matrix row and norm vector bit for bit (for quantized matrices: the same planes). */
    static void assertSameWeights(Weights a, Weights b) {
        var ma = a.matrices();
        var mb = b.matrices();
        assertEquals(ma.size(), mb.size());
        for (int i = 0; i < ma.size(); i++) {
            Matrix x = ma.get(i), y = mb.get(i);
            assertEquals(x.type(), y.type(), x.name());
            assertEquals(x.rows(), y.rows());
            assertEquals(x.cols(), y.cols());
            float[] rx = new float[x.cols()], ry = new float[y.cols()];
            for (int r = 0; r < x.rows(); r++) {
                x.row(r, rx, 0);
                y.row(r, ry, 0);
                for (int k = 0; k < rx.length; k++) {
                    assertEquals(
                            Float.floatToRawIntBits(rx[k]),
                            Float.floatToRawIntBits(ry[k]),
                            x.name() + " [" + r + ", " + k + "]");
                }
            }
        }
        assertArrayEquals(a.normF, b.normF);
        for (int l = 0; l < a.layers.length; l++) {
            assertArrayEquals(a.layers[l].norm1(), b.layers[l].norm1());
            assertArrayEquals(a.layers[l].norm2(), b.layers[l].norm2());
        }
    }

    private static long[] shape(Matrix m) {
        return new long[] {m.rows(), m.cols()};
    }

    private static SafeTensorsWriter.Source rows(Matrix m) {
        float[] all = new float[m.rows() * m.cols()];
        for (int r = 0; r < m.rows(); r++) m.row(r, all, r * m.cols());
        return (chunk, start, n) -> System.arraycopy(all, (int) start, chunk, 0, n);
    }

    private static SafeTensorsWriter.Source vec(float[] v) {
        return (chunk, start, n) -> System.arraycopy(v, (int) start, chunk, 0, n);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"F32", "F16", "BF16"})
    void denseGgufEqualsTheHubFolder(String type) throws IOException {
        DType dt = DType.valueOf(type);
        int ggml = switch (dt) {
            case F32 -> GgufFile.F32;
            case F16 -> GgufFile.F16;
            case BF16 -> GgufFile.BF16;
        };
        try (Model original = Model.load(Fixtures.modelDir(MODEL), null, false)) {
            Path hub = hubCopy(original, dt);
            try (Model h = Model.load(hub, null, false)) {
                Path file = tmp.resolve("m-" + type + ".gguf");
                GgufWriter.mpt(h.config(), h.weights(), ggml).write(file);
                try (Model g = Model.load(file, null, false)) {
                    assertEquals(h.config(), g.config());
                    assertSameWeights(h.weights(), g.weights());
                    assertEquals(dt.name().toLowerCase(), g.weightForm());
                    assertSame(run(h), run(g), type + " GGUF vs hub folder");
                }
            }
            if (dt == DType.BF16) {
                // bf16 is how the fixture is stored: the GGUF also reproduces the original's logits exactly
                try (Model g = Model.load(tmp.resolve("m-BF16.gguf"), null, false)) {
                    assertSame(run(original), run(g), "BF16 GGUF vs the fixture as stored");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Q8_0", "Q4_0"})
    void quantizedGgufEqualsQuantizingTheOriginal(String type) throws IOException {
        WeightType q = WeightType.valueOf(type);
        try (Model quantized = Model.load(Fixtures.modelDir(MODEL), q, false)) {
            Path file = tmp.resolve("m-" + type + ".gguf");
            // every matrix in the GGUF's type (q4_0 keeps the embedding at q8_0, as our loader does)
            Config c = quantized.config();
            Weights w = quantized.weights();
            GgufWriter mixed = mixed(c, w, q);
            mixed.write(file);
            // a folder holding the one .gguf works too
            Path folder = tmp.resolve("folder-" + type);
            Files.createDirectories(folder);
            Files.copy(file, folder.resolve("model.gguf"));
            try (Model fromFile = Model.load(file, null, false);
                    Model fromFolder = Model.load(folder, null, false)) {
                assertEquals(c, fromFile.config());
                assertSameWeights(w, fromFile.weights());
                float[] want = run(quantized);
                assertSame(want, run(fromFile), type + " GGUF vs quantizing at load");
                assertSame(want, run(fromFolder), type + " GGUF in a folder vs quantizing at load");
            }
        }
    }

    private static GgufWriter mixed(Config c, Weights w, WeightType q) {
        int layerType = q == WeightType.Q8_0 ? GgufFile.Q8_0 : GgufFile.Q4_0;
        GgufWriter g = new GgufWriter()
                .meta("general.architecture", "mpt")
                .meta("mpt.context_length", c.maxSeqLen())
                .meta("mpt.embedding_length", c.dModel())
                .meta("mpt.block_count", c.nLayers())
                .meta("mpt.feed_forward_length", c.dFf())
                .meta("mpt.attention.head_count", c.nHeads())
                .meta("mpt.attention.layer_norm_epsilon", c.normEps())
                .meta("mpt.attention.max_alibi_bias", c.alibiBiasMax());
        g.matrix("token_embd.weight", w.wte, GgufFile.Q8_0);
        for (int l = 0; l < c.nLayers(); l++) {
            Weights.Layer L = w.layers[l];
            String p = "blk." + l + ".";
            g.vector(p + "attn_norm.weight", L.norm1());
            g.matrix(p + "attn_qkv.weight", L.wqkv(), layerType);
            g.matrix(p + "attn_output.weight", L.outProj(), layerType);
            g.vector(p + "ffn_norm.weight", L.norm2());
            g.matrix(p + "ffn_up.weight", L.up(), layerType);
            g.matrix(p + "ffn_down.weight", L.down(), layerType);
        }
        g.vector("output_norm.weight", w.normF);
        return g;
    }

    @Test
    void refusesWhatItCannotRun() throws IOException {
        try (Model m = Model.load(Fixtures.modelDir(MODEL), null, false)) {
            Config c = m.config();
            Path noAlibi = tmp.resolve("noalibi.gguf");
            GgufWriter.mpt(c, m.weights(), GgufFile.F32)
                    .meta("mpt.attention.max_alibi_bias", 0f)
                    .write(noAlibi);
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> Model.load(noAlibi, null, false));
            assertTrue(e.getMessage().contains("max_alibi_bias"), e.getMessage());

            Path llama = tmp.resolve("llama.gguf");
            GgufWriter.mpt(c, m.weights(), GgufFile.F32)
                    .meta("general.architecture", "llama")
                    .write(llama);
            e = assertThrows(ModelFormatException.class, () -> Model.load(llama, null, false));
            assertTrue(e.getMessage().contains("'llama'"), e.getMessage());

            Path iq = tmp.resolve("i-quant.gguf");
            GgufWriter.mpt(c, m.weights(), GgufFile.F32)
                    .tensor("extra", new long[] {256}, 16, new byte[66])
                    .write(iq);
            e = assertThrows(ModelFormatException.class, () -> Model.load(iq, null, false));
            assertTrue(e.getMessage().contains("IQ2_XXS") && e.getMessage().contains("not supported"), e.getMessage());

            // the fixture's rows (96 weights) are not whole 256-weight k-quant blocks
            Path odd = tmp.resolve("odd-k.gguf");
            GgufWriter.mpt(c, m.weights(), GgufFile.F32)
                    .tensor("extra", new long[] {96, 2}, GgufFile.Q4_K, new byte[144])
                    .write(odd);
            e = assertThrows(ModelFormatException.class, () -> Model.load(odd, null, false));
            assertTrue(e.getMessage().contains("256-weight Q4_K blocks"), e.getMessage());

            Path good = tmp.resolve("good.gguf");
            GgufWriter.mpt(c, m.weights(), GgufFile.F32).write(good);
            Path cut = tmp.resolve("cut.gguf");
            byte[] all = Files.readAllBytes(good);
            Files.write(cut, Arrays.copyOf(all, all.length - 1000));
            e = assertThrows(ModelFormatException.class, () -> Model.load(cut, null, false));
            assertTrue(e.getMessage().contains("outside the file"), e.getMessage());

            Path two = tmp.resolve("two");
            Files.createDirectories(two);
            Files.copy(good, two.resolve("a.gguf"));
            Files.copy(good, two.resolve("b.gguf"));
            e = assertThrows(ModelFormatException.class, () -> Model.load(two, null, false));
            assertTrue(e.getMessage().contains("several GGUF"), e.getMessage());
        }
    }
}
