package org.longform.server;

import static org.junit.jupiter.api.Assertions.*;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.Generator;
import org.longform.engine.sample.SamplerSettings;

/** DRY, XTC and logit_bias in the KoboldAI and OpenAI APIs reach the sampler exactly as the engine applies them. */
class SamplerParamsTest {
    static TestServer ts;
    static Generator ref;
    static final String PROMPT = "The old clock in the hall struck midnight";

    @BeforeAll
    static void start() throws Exception {
        ts = TestServer.start(TestServer.config());
        ref = TestServer.tinyGenerator();
    }

    @AfterAll
    static void stop() {
        if (ts != null) ts.close();
        if (ref != null) ref.close();
    }

    static String local(SamplerSettings s) {
        return ref.generate(new GenerationRequest(ref.tokenizer().encode(PROMPT), s), null, null)
                .text();
    }

    static int[] localIds(SamplerSettings s) {
        return ref.generate(new GenerationRequest(ref.tokenizer().encode(PROMPT), s), null, null)
                .ids();
    }

    static String kobold(String extra) throws Exception {
        HttpResponse<String> r = ts.post(
                "/api/v1/generate",
                "{\"prompt\":\"" + PROMPT + "\",\"max_length\":10," + "\"rep_pen\":1,\"top_k\":0,\"top_p\":1" + extra
                        + "}");
        assertEquals(200, r.statusCode(), r.body());
        return TestServer.json(r).get("results").get(0).get("text").asText();
    }

    @Test
    void koboldLogitBiasMovesTheGreedyChoice() throws Exception {
        SamplerSettings greedy = SamplerSettings.greedy().withMaxTokens(10);
        int first = localIds(greedy)[0];
        String plain = kobold(",\"temperature\":0");
        assertEquals(local(greedy), plain);
        String biased = kobold(",\"temperature\":0,\"logit_bias\":{\"" + first + "\":-100}");
        assertEquals(local(greedy.withLogitBias(Map.of(first, -100.0))), biased);
        assertNotEquals(plain, biased, "banning the first greedy token changes the text");
    }

    @Test
    void koboldDryAndXtcMatchTheEngineWithTheSameSeed() throws Exception {
        SamplerSettings base = new SamplerSettings(1, 0, 1, 0, 1, 1, 320, 7L, 10, List.of(), List.of());
        SamplerSettings both = base.withDry(new SamplerSettings.Dry(2, 1.5, 1, 64, List.of("\n", ".")))
                .withXtc(new SamplerSettings.Xtc(0.05, 0.7));
        String served = kobold(",\"temperature\":1,\"sampler_seed\":7,\"dry_multiplier\":2,\"dry_base\":1.5,"
                + "\"dry_allowed_length\":1,\"dry_penalty_last_n\":64,\"dry_sequence_breakers\":[\"\\n\",\".\"],"
                + "\"xtc_threshold\":0.05,\"xtc_probability\":0.7");
        assertEquals(local(both), served);
        assertNotEquals(local(base), served, "DRY and XTC changed the seeded text");
        assertEquals(
                local(base),
                kobold(",\"temperature\":1,\"sampler_seed\":7,\"xtc_probability\":0,\"dry_multiplier\":0"),
                "zero multiplier and probability are off");
    }

    @Test
    void koboldRejectsBadSamplerFieldsNamingThem() throws Exception {
        String[][] cases = {
            {"\"logit_bias\":{\"dragon\":1}", "logit_bias key \"dragon\" is not a token id"},
            {"\"logit_bias\":{\"999999\":1}", "logit_bias token id 999999 is not in [0, "},
            {"\"logit_bias\":[1,2]", "logit_bias must be an object"},
            {"\"dry_base\":0.5", "dry_base must be >= 1"},
            {"\"dry_multiplier\":-1", "dry_multiplier"},
            {"\"dry_allowed_length\":0", "dry_allowed_length"},
            {"\"xtc_threshold\":2", "xtc_threshold must be in [0, 1]"},
            {"\"xtc_probability\":\"high\"", "xtc_probability must be a number"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = ts.post("/api/v1/generate", "{\"prompt\":\"x\",\"max_length\":2," + c[0] + "}");
            assertEquals(400, r.statusCode(), c[0]);
            assertTrue(r.body().contains(c[1].replace("\"", "\\\"")), c[0] + " -> " + r.body());
        }
    }

    @Test
    void openAiLogitBiasMatchesTheEngineAndKeepsOpenAisRange() throws Exception {
        SamplerSettings greedy = SamplerSettings.greedy().withMaxTokens(8);
        int first = localIds(greedy)[0];
        HttpResponse<String> r = ts.post(
                "/v1/completions",
                "{\"prompt\":\"" + PROMPT + "\",\"max_tokens\":8," + "\"temperature\":0,\"logit_bias\":{\"" + first
                        + "\":-100}}");
        assertEquals(200, r.statusCode(), r.body());
        String text = TestServer.json(r).get("choices").get(0).get("text").asText();
        assertEquals(local(greedy.withLogitBias(Map.of(first, -100.0))), text);
        assertNotEquals(local(greedy), text);

        HttpResponse<String> over =
                ts.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":2,\"logit_bias\":{\"5\":150}}");
        assertEquals(400, over.statusCode());
        assertTrue(over.body().contains("between -100 and 100"), over.body());
        assertEquals(
                200,
                ts.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1,\"logit_bias\":{}}")
                        .statusCode());
    }
}
