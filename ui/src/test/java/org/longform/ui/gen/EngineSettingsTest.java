package org.longform.ui.gen;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.gen.CancelToken;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.TokenListener;
import org.longform.engine.kv.KvDType;
import org.longform.engine.model.Model;
import org.longform.engine.quant.WeightType;
import org.longform.hub.KvPlan;
import org.longform.hub.SystemCheck;
import org.longform.ui.TestSupport;
import org.longform.ui.story.StoryData;

/** The editor's engine settings: the file, and what a model opened with them runs on. */
class EngineSettingsTest {
    @TempDir
    Path tmp;

    @Test
    void savedSettingsComeBackAndBadFilesGiveDefaults() throws Exception {
        Path f = tmp.resolve("cfg").resolve(EngineSettings.FILE);
        assertEquals(EngineSettings.defaults(), EngineSettings.load(f), "no file: defaults");
        EngineSettings s = new EngineSettings("q4_0", "f16", 8192);
        s.save(f);
        assertEquals(s, EngineSettings.load(f));
        assertEquals(WeightType.Q4_0, s.quant());
        assertEquals(KvDType.F16, s.kvDType());

        Files.writeString(f, "{ not json");
        assertEquals(EngineSettings.defaults(), EngineSettings.load(f), "a damaged file is ignored");
        List<String> problems = new ArrayList<>();
        Files.writeString(f, "{ not json");
        EngineSettings.load(f, problems::add);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith(f.toString()) && problems.get(0).contains("defaults"), problems.get(0));
        problems.clear();
        Files.writeString(f, "{\"weights\": \"q3_k\", \"kv\": \"f8\", \"window\": -5}");
        assertEquals(
                EngineSettings.defaults(),
                EngineSettings.load(f, problems::add),
                "unknown values fall back one by one");
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(
                problems.get(0).contains("'q3_k'")
                        && problems.get(1).contains("'f8'")
                        && problems.get(2).contains("-5"),
                problems.toString());
        problems.clear();
        new EngineSettings("q8_0", "int8", 4096).save(f);
        EngineSettings.load(f, problems::add);
        assertTrue(problems.isEmpty(), "a good file has nothing to report: " + problems);
        assertNull(EngineSettings.defaults().quant(), "stored weights: no quantization");
        assertNull(EngineSettings.defaults().kvDType(), "auto KV");
        assertEquals("int8", new EngineSettings("Q8", "q8", 0).kv());
        assertEquals("q8_0", new EngineSettings("q8", "auto", 0).weights());
    }

    @Test
    void aModelOpensWithTheChosenWeightsKvAndWindow() throws Exception {
        Path dir = copyOfTinyModel(); // quantizing writes its cache next to the model
        try (EngineTextGenerator g = EngineTextGenerator.open(dir, 1, new EngineSettings("q8_0", "f16", 1024))) {
            ModelInfo m = g.info();
            assertEquals("q8_0", m.weights());
            assertEquals("f16", m.kvDtype());
            assertEquals(1024, m.contextWindow());
            int[] ids = g.encode("The old sailor");
            GenerationResult r = g.generate(
                    new GenerationRequest(
                            ids, StoryData.EDITOR_SAMPLER.withTemperature(0).withMaxTokens(3), 0, 0),
                    TokenListener.NONE,
                    new CancelToken());
            assertTrue(r.ids().length > 0, "it writes");
        }
        assertTrue(Files.exists(dir.resolve("longform-q8_0.lfq")), "the quantized form is cached next to the model");
    }

    @Test
    void automaticKvFollowsTheSystemCheck() throws Exception {
        Path dir = copyOfTinyModel();
        try (EngineTextGenerator g = EngineTextGenerator.open(dir, 1, EngineSettings.defaults())) {
            ModelInfo m = g.info();
            var model = Model.load(dir, null);
            KvPlan plan;
            int trained;
            try (model) {
                plan = SystemCheck.planFor(model.config(), model.weights().bytesPerToken());
                trained = model.config().maxSeqLen();
            }
            assertTrue(plan.fits(), "a tiny model fits anywhere");
            assertEquals(plan.dtype().label(), m.kvDtype());
            assertEquals(
                    Math.min(plan.window(), trained), m.contextWindow(), "the window: the trained length, as it fits");
            assertEquals("bf16", m.weights(), "weights as stored");
        }
    }

    private Path copyOfTinyModel() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        try (Stream<Path> s = Files.list(TestSupport.tinyModel())) {
            for (Path p : s.toList()) Files.copy(p, dir.resolve(p.getFileName()));
        }
        return dir;
    }
}
