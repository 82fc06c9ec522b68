package org.longform.server;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.Generator;
import org.longform.engine.gen.TokenChoice;
import org.longform.engine.sample.SamplerSettings;

/**
 * Log probabilities over HTTP: OpenAI's legacy {@code logprobs: N} (whole and streamed) and KoboldCpp's
 * {@code logprobs: true}, checked against the engine's own alternatives for the same request on the tiny fixture.
 * A fresh server per test: its first request computes the prompt as the reference does. The values agree to
 * {@link #ROUNDING}, not bit for bit: the Vector API leaves the order of a lane reduction open, so the server's
 * JIT-compiled sums and the reference's may round the last float digits differently (seen: 2e-6 on a
 * logprob of -6; a float logit near 10 has a 1e-6 step).
 */
class LogprobsHttpTest {
    TestServer ts;
    static final String PROMPT = "The lighthouse keeper climbed the stairs";
    /** Float rounding of the logits between two generators, in log-probability. */
    static final double ROUNDING = 1e-5;

    @BeforeEach
    void start() throws Exception {
        ts = TestServer.start(TestServer.config());
    }

    @AfterEach
    void stop() {
        if (ts != null) ts.close();
    }

    /** What the engine itself reports for the prompt with these settings, {@code n} alternatives per token. */
    static List<TokenChoice> reference(SamplerSettings s, int n) {
        List<TokenChoice> out = new ArrayList<>();
        try (Generator ref = TestServer.tinyGenerator()) {
            ref.generate(
                    new GenerationRequest(ref.tokenizer().encode(PROMPT), s), TestServer.choicesInto(out, n), null);
        }
        return out;
    }

    String tokenText(int id) {
        return ts.generator.tokenizer().decode(new int[] {id});
    }

    @Test
    void legacyLogprobsAreTheEnginesProbabilitiesSortedAndBounded() throws Exception {
        // sampled, with a penalty: the logprobs are the pop-up's (temperature 1, after the penalty), not the draw's
        SamplerSettings s = new SamplerSettings(0.9, 20, 1, 0, 1, 1.3, 0, 11L, 10, List.of(), List.of());
        List<TokenChoice> ref = reference(s, 5);
        String body = "{\"prompt\":\"" + PROMPT + "\",\"max_tokens\":10,\"temperature\":0.9,\"top_k\":20,"
                + "\"repetition_penalty\":1.3,\"seed\":11,\"logprobs\":5}";
        JsonNode c =
                TestServer.json(ts.post("/v1/completions", body)).get("choices").get(0);
        JsonNode lp = c.get("logprobs");
        assertEquals(10, ref.size());
        assertEquals(10, lp.get("tokens").size());
        StringBuilder joined = new StringBuilder();
        int prevOffset = -1;
        for (int i = 0; i < ref.size(); i++) {
            TokenChoice r = ref.get(i);
            assertEquals(tokenText(r.chosen().id()), lp.get("tokens").get(i).asText());
            assertEquals(
                    Math.log(r.chosen().probability()),
                    lp.get("token_logprobs").get(i).asDouble(),
                    ROUNDING,
                    "token " + i);
            JsonNode top = lp.get("top_logprobs").get(i);
            assertTrue(top.size() >= 5 && top.size() <= 6, "5 best, plus the chosen one when outside them");
            double prev = 0, sum = 0;
            int k = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = top.properties().iterator(); it.hasNext(); k++) {
                Map.Entry<String, JsonNode> e = it.next();
                double v = e.getValue().asDouble();
                if (k < 5) {
                    assertEquals(tokenText(r.top().get(k).id()), e.getKey());
                    assertEquals(Math.log(r.top().get(k).probability()), v, ROUNDING);
                    assertTrue(v <= prev, "best first");
                    prev = v;
                }
                sum += Math.exp(v);
                assertTrue(v <= 0);
            }
            assertTrue(sum <= 1 + 1e-9, "probabilities sum to at most 1: " + sum);
            assertTrue(top.has(lp.get("tokens").get(i).asText()), "the chosen token is always listed");
            int off = lp.get("text_offset").get(i).asInt();
            assertEquals(joined.length(), off, "text_offset is where the token's text begins");
            assertTrue(off > prevOffset);
            prevOffset = off;
            joined.append(lp.get("tokens").get(i).asText());
        }
        assertEquals(c.get("text").asText(), joined.toString());
    }

    @Test
    void nIsRespectedAndLogprobsAreAbsentWhenNotAsked() throws Exception {
        String base = "{\"prompt\":\"" + PROMPT + "\",\"max_tokens\":6,\"temperature\":0";
        List<TokenChoice> ref = reference(SamplerSettings.greedy().withMaxTokens(6), 1);
        JsonNode zero = TestServer.json(ts.post("/v1/completions", base + ",\"logprobs\":0}"))
                .get("choices")
                .get(0)
                .get("logprobs");
        for (int i = 0; i < 6; i++) {
            JsonNode top = zero.get("top_logprobs").get(i);
            assertEquals(1, top.size(), "logprobs 0: the chosen token alone");
            assertEquals(
                    Math.log(ref.get(i).chosen().probability()),
                    top.get(tokenText(ref.get(i).chosen().id())).asDouble(),
                    ROUNDING);
        }
        JsonNode two = TestServer.json(ts.post("/v1/completions", base + ",\"logprobs\":2}"))
                .get("choices")
                .get(0)
                .get("logprobs");
        for (JsonNode top : two.get("top_logprobs")) assertEquals(2, top.size(), "greedy: the chosen one is the best");
        JsonNode none = TestServer.json(ts.post("/v1/completions", base + "}"))
                .get("choices")
                .get(0);
        assertTrue(none.get("logprobs").isNull(), "null unless asked, as OpenAI answers");
        OpenAiHttpTest.assertError(
                ts.post("/v1/completions", base + ",\"logprobs\":21}"), 400, "logprobs must be between 0 and 20");
        OpenAiHttpTest.assertError(
                ts.post("/v1/completions", base + ",\"logprobs\":2,\"echo\":true}"), 400, "logprobs with echo");
    }

    @Test
    void streamedChunksCarryTheirTokensLogprobs() throws Exception {
        String body = "{\"prompt\":\"" + PROMPT + "\",\"max_tokens\":8,\"temperature\":0,\"logprobs\":3";
        List<TokenChoice> ref = reference(SamplerSettings.greedy().withMaxTokens(8), 3);
        StringBuilder text = new StringBuilder();
        List<String> tokens = new ArrayList<>();
        List<Double> lps = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        for (TestServer.Sse e : ts.stream("/v1/completions", body + ",\"stream\":true}")) {
            if (e.data().equals("[DONE]")) continue;
            JsonNode ch = e.json().get("choices").get(0);
            JsonNode lp = ch.get("logprobs");
            if (lp.isNull()) {
                assertFalse(ch.get("finish_reason").isNull(), "only the last chunk has no text and no logprobs");
                continue;
            }
            assertEquals(ch.get("text").asText().isEmpty(), lp.get("tokens").isEmpty());
            text.append(ch.get("text").asText());
            lp.get("tokens").forEach(t -> tokens.add(t.asText()));
            lp.get("token_logprobs").forEach(t -> lps.add(t.asDouble()));
            lp.get("text_offset").forEach(t -> offsets.add(t.asInt()));
        }
        assertEquals(8, tokens.size());
        int at = 0;
        for (int i = 0; i < 8; i++) {
            assertEquals(tokenText(ref.get(i).chosen().id()), tokens.get(i));
            assertEquals(Math.log(ref.get(i).chosen().probability()), lps.get(i), ROUNDING);
            assertEquals(at, offsets.get(i), "offsets count from the completion's start, across chunks");
            at += tokens.get(i).length();
        }
        assertEquals(text.toString(), String.join("", tokens));
    }

    @Test
    void koboldLogprobsAreTheChatStyleContentList() throws Exception {
        SamplerSettings s = new SamplerSettings(0, 0, 1, 0, 1, 1, 0, null, 7, List.of(), List.of());
        List<TokenChoice> ref = reference(s, 3);
        String body = "{\"prompt\":\"" + PROMPT + "\",\"max_length\":7,\"temperature\":0,\"top_k\":0,\"top_p\":1,"
                + "\"rep_pen\":1,\"logprobs\":true,\"top_logprobs\":3}";
        JsonNode res = TestServer.json(ts.post("/api/v1/generate", body))
                .get("results")
                .get(0);
        JsonNode content = res.get("logprobs").get("content");
        assertEquals(7, content.size());
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            JsonNode t = content.get(i);
            TokenChoice r = ref.get(i);
            assertEquals(tokenText(r.chosen().id()), t.get("token").asText());
            assertEquals(Math.log(r.chosen().probability()), t.get("logprob").asDouble(), ROUNDING);
            byte[] bytes = new byte[t.get("bytes").size()];
            for (int b = 0; b < bytes.length; b++)
                bytes[b] = (byte) t.get("bytes").get(b).asInt();
            assertEquals(t.get("token").asText(), new String(bytes, StandardCharsets.UTF_8));
            JsonNode top = t.get("top_logprobs");
            assertEquals(3, top.size());
            double sum = 0;
            for (int k = 0; k < 3; k++) {
                assertEquals(
                        tokenText(r.top().get(k).id()), top.get(k).get("token").asText());
                assertEquals(
                        Math.log(r.top().get(k).probability()),
                        top.get(k).get("logprob").asDouble(),
                        ROUNDING);
                if (k > 0)
                    assertTrue(top.get(k).get("logprob").asDouble()
                            <= top.get(k - 1).get("logprob").asDouble());
                sum += Math.exp(top.get(k).get("logprob").asDouble());
            }
            assertTrue(sum <= 1 + 1e-9);
            joined.append(t.get("token").asText());
        }
        assertEquals(res.get("text").asText(), joined.toString());
        JsonNode plain = TestServer.json(ts.post("/api/v1/generate", body.replace(",\"logprobs\":true", "")))
                .get("results")
                .get(0);
        assertFalse(plain.has("logprobs"), "absent unless asked");
        JsonNode one = TestServer.json(ts.post("/api/v1/generate", body.replace("\"logprobs\":true", "\"logprobs\":1")))
                .get("results")
                .get(0);
        assertEquals(7, one.get("logprobs").get("content").size(), "logprobs: 1 (as some clients send) asks too");
        assertEquals(res.get("text").asText(), plain.get("text").asText());
    }
}
