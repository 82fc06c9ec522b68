package org.longform.engine.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.Fixtures;
import org.longform.engine.model.Config;
import org.longform.engine.model.Model;
import org.longform.engine.model.RandomModel;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.runtime.Session;

/** Bad model folders give one clear message naming the file and the problem. */
class ModelLoadErrorTest {

    static Path copyModel(String name, Path to) throws IOException {
        Path src = Fixtures.modelDir(name);
        Files.createDirectories(to);
        try (var s = Files.list(src)) {
            for (Path p : s.toList()) Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        to.toFile().setWritable(true);
        try (var s = Files.list(to)) {
            s.forEach(p -> p.toFile().setWritable(true));
        }
        return to;
    }

    static String failure(Path dir) {
        ModelFormatException e =
                assertThrows(ModelFormatException.class, () -> Model.load(dir).close());
        return e.getMessage();
    }

    @Test
    void missingFolder(@TempDir Path tmp) {
        assertTrue(failure(tmp.resolve("nope")).contains("model folder not found"));
    }

    @Test
    void missingConfig(@TempDir Path tmp) throws IOException {
        Path d = copyModel("tiny-mpt-6h", tmp.resolve("m"));
        Files.delete(d.resolve("config.json"));
        String m = failure(d);
        assertTrue(m.contains("config.json") && m.contains("not found"), m);
    }

    @Test
    void badConfigJson(@TempDir Path tmp) throws IOException {
        Path d = copyModel("tiny-mpt-6h", tmp.resolve("m"));
        Files.writeString(d.resolve("config.json"), "{ \"model_type\": \"mpt\", ");
        String m = failure(d);
        assertTrue(m.contains("config.json") && m.contains("not valid JSON"), m);
    }

    @Test
    void unsupportedOptionsAreRefused(@TempDir Path tmp) throws IOException {
        Path d = copyModel("tiny-mpt-6h", tmp.resolve("m"));
        String cfg = Files.readString(d.resolve("config.json"));
        Files.writeString(d.resolve("config.json"), cfg.replace("\"alibi\": true", "\"alibi\": false"));
        assertTrue(failure(d).contains("learned position embeddings"));
        Files.writeString(d.resolve("config.json"), cfg.replace("\"qk_ln\": false", "\"qk_ln\": true"));
        assertTrue(failure(d).contains("qk_ln"));
        Files.writeString(
                d.resolve("config.json"), cfg.replace("\"model_type\": \"mpt\"", "\"model_type\": \"llama\""));
        assertTrue(failure(d).contains("only MPT"));
        Files.writeString(d.resolve("config.json"), cfg.replace("\"d_model\": 96", "\"d_model\": 120"));
        String m = failure(d);
        assertTrue(m.contains("transformer.wte.weight") && m.contains("shape"), m);
    }

    @Test
    void configOptionsAreRead() {
        Config c = Config.load(Fixtures.modelDir("tiny-mpt-6h").resolve("config.json"));
        assertEquals(96, c.dModel());
        assertEquals(6, c.nHeads());
        assertEquals(3, c.nLayers());
        assertEquals(384, c.dFf());
        assertEquals(0f, c.clipQkv());
        assertEquals(1f, c.logitScale());
        assertEquals((float) (1 / Math.sqrt(16)), c.softmaxScale(), 1e-7);
    }

    @Test
    void truncatedSafetensors(@TempDir Path tmp) throws IOException {
        Path d = copyModel("tiny-mpt-6h", tmp.resolve("m"));
        Path f = d.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length / 2));
        String m = failure(d);
        assertTrue(m.contains("model.safetensors") && m.contains("truncated"), m);
        Files.write(f, Arrays.copyOf(all, 5));
        m = failure(d);
        assertTrue(m.contains("model.safetensors") && m.contains("truncated"), m);
    }

    @Test
    void truncatedPickleShard(@TempDir Path tmp) throws IOException {
        Path d = copyModel("tiny-mpt-4h", tmp.resolve("m"));
        Path f = d.resolve("pytorch_model-00001-of-00002.bin");
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length - 1000));
        String m = failure(d);
        assertTrue(m.contains("pytorch_model-00001-of-00002.bin"), m);
    }

    @Test
    void wrongIndex(@TempDir Path tmp) throws IOException {
        Path d = copyModel("tiny-mpt-4h", tmp.resolve("m"));
        Path idx = d.resolve("pytorch_model.bin.index.json");
        String text = Files.readString(idx);
        // says norm_f lives in shard 1, which does not hold it
        Files.writeString(
                idx,
                text.replace(
                        "\"transformer.norm_f.weight\": \"pytorch_model-00002-of-00002.bin\"",
                        "\"transformer.norm_f.weight\": \"pytorch_model-00001-of-00002.bin\""));
        String m = failure(d);
        assertTrue(
                m.contains("pytorch_model.bin.index.json")
                        && m.contains("transformer.norm_f.weight")
                        && m.contains("does not contain"),
                m);
        // names a shard that is not there
        Files.writeString(idx, text.replace("pytorch_model-00002-of-00002.bin", "pytorch_model-00003-of-00002.bin"));
        m = failure(d);
        assertTrue(m.contains("pytorch_model-00003-of-00002.bin") && m.contains("missing"), m);
        Files.writeString(idx, "not json");
        assertTrue(failure(d).contains("not valid JSON"));
    }

    @Test
    void noWeights(@TempDir Path tmp) throws IOException {
        Path d = copyModel("tiny-mpt-6h", tmp.resolve("m"));
        Files.delete(d.resolve("model.safetensors"));
        assertTrue(failure(d).contains("no weights found"));
    }

    @Test
    void unknownDtype(@TempDir Path tmp) throws IOException {
        Path d = tmp.resolve("m");
        RandomModel.write(RandomModel.Shape.named("tiny"), DType.F16, 1, d);
        // rewrite the header's dtype of one tensor to I8 keeping the header length
        Path f = d.resolve("model.safetensors");
        byte[] b = Files.readAllBytes(f);
        String s = new String(b, StandardCharsets.ISO_8859_1);
        s = s.replaceFirst("\"dtype\":\"F16\"", "\"dtype\":\"I64\"");
        Files.write(f, s.getBytes(StandardCharsets.ISO_8859_1));
        String m = failure(d);
        assertTrue(m.contains("model.safetensors") && m.contains("unsupported dtype I64"), m);
    }

    @Test
    void f16AndF32ModelsLoadAndAgreeWithBf16() throws IOException {
        // the same random weights stored three ways give the same logits (within rounding of the storage)
        Path base = Files.createTempDirectory("lf-dtypes");
        float[][] last = new float[3][];
        DType[] types = {DType.F32, DType.F16, DType.BF16};
        for (int i = 0; i < 3; i++) {
            Path d = base.resolve(types[i].name());
            RandomModel.write(RandomModel.Shape.named("tiny"), types[i], 3, d);
            try (Model m = Model.load(d);
                    var s = Session.open(m, EngineOptions.defaults())) {
                last[i] = s.feed(1, 2, 3, 4, 5).clone();
            }
        }
        for (int v = 0; v < last[0].length; v += 97) {
            assertEquals(last[0][v], last[1][v], 0.05, "f16 vs f32 at " + v);
            assertEquals(last[0][v], last[2][v], 0.3, "bf16 vs f32 at " + v);
        }
    }
}
