package org.longform.engine.io.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.longform.engine.Assets;
import org.longform.engine.Fixtures;
import org.longform.engine.model.Model;
import org.longform.engine.quant.WeightType;

/**
 * {@link GgufExport} writes what our GGUF loader (and llama.cpp: bench/llamacpp loads these files)
 * reads back: the same weights bit for bit (bf16 and f32 exactly; q8_0 / q4_0 the same blocks as
 * quantizing at load), the same config, and the vocabulary llama.cpp needs (tokens padded to the
 * model's vocab, token types, merges, the "mpt" pre-tokenizer), with llama.cpp's key names.
 */
class GgufExportTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"BF16, none", "F32, none", "Q8_0, q8_0", "Q4_0, q4_0"})
    void roundTripsThroughOurLoader(String type, String quant) throws IOException {
        int t = GgufBlockFormatsTest.typeOf(type);
        WeightType q = WeightType.parseQuant(quant);
        Path file = tmp.resolve("export-" + type + ".gguf");
        try (Model src = Model.load(Fixtures.modelDir("tiny-mpt-6h"), q, false)) {
            GgufExport.write(src, Assets.tokenizer(), t, file);
            try (Model back = Model.load(file, null, false)) {
                assertEquals(src.config(), back.config());
                if (t == GgufFile.F32) {
                    // f32 holds the fixture's bf16 values exactly: same values, wider type
                    var a = src.weights().matrices();
                    var b = back.weights().matrices();
                    for (int i = 0; i < a.size(); i++) {
                        assertEquals(WeightType.F32, b.get(i).type());
                        float[] ra = new float[a.get(i).cols()], rb = new float[ra.length];
                        for (int r = 0; r < a.get(i).rows(); r += 97) {
                            a.get(i).row(r, ra, 0);
                            b.get(i).row(r, rb, 0);
                            assertArrayEquals(ra, rb, a.get(i).name() + " row " + r);
                        }
                    }
                } else {
                    GgufModelTest.assertSameWeights(src.weights(), back.weights());
                }
            }
        }
        try (Arena a = Arena.ofConfined()) {
            GgufFile g = GgufFile.open(file, a);
            Map<String, Object> m = g.metadata();
            assertEquals("mpt", m.get("general.architecture"));
            assertEquals("gpt2", m.get("tokenizer.ggml.model"));
            assertEquals("mpt", m.get("tokenizer.ggml.pre"));
            assertEquals(1e-5f, ((Number) m.get("mpt.attention.layer_norm_epsilon")).floatValue(), 1e-9);
            List<?> tokens = assertInstanceOf(List.class, m.get("tokenizer.ggml.tokens"));
            assertEquals(50432, tokens.size(), "padded to the model's vocab");
            assertEquals("<|endoftext|>", tokens.get(0));
            assertEquals("[PAD50431]", tokens.get(50431));
            List<?> merges = assertInstanceOf(List.class, m.get("tokenizer.ggml.merges"));
            assertTrue(merges.size() > 49_000, "merges: " + merges.size());
            assertEquals("Ġ Ġ", merges.get(0));
            assertEquals(t, g.tensors().get("blk.0.attn_qkv.weight").type());
            assertEquals(GgufFile.F32, g.tensors().get("blk.0.attn_norm.weight").type());
        }
    }
}
