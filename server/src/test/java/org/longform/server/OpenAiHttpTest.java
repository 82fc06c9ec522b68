package org.longform.server;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.Generator;
import org.longform.engine.sample.SamplerSettings;

/** /v1/completions and /v1/models over plain HTTP: shapes, greedy equality with the engine, prefix reuse, errors. */
class OpenAiHttpTest {
    static TestServer ts;

    @BeforeAll
    static void start() throws Exception {
        ts = TestServer.start(TestServer.config());
    }

    @AfterAll
    static void stop() {
        if (ts != null) ts.close();
    }

    static final String PROMPT = "The lighthouse keeper climbed the stairs";

    @Test
    void modelsListsTheOneModel() throws Exception {
        HttpResponse<String> r = ts.get("/v1/models");
        assertEquals(200, r.statusCode());
        JsonNode j = TestServer.json(r);
        assertEquals("list", j.get("object").asText());
        assertEquals("tiny", j.get("data").get(0).get("id").asText());
        assertEquals("model", j.get("data").get(0).get("object").asText());
        assertEquals(200, ts.get("/v1/models/tiny").statusCode());
        assertEquals(404, ts.get("/v1/models/gpt-4").statusCode());
    }

    @Test
    void greedyCompletionEqualsTheEngineAndStreamingEqualsWhole() throws Exception {
        String expected;
        try (Generator ref = TestServer.tinyGenerator()) {
            GenerationResult g = ref.generate(
                    new GenerationRequest(
                            ref.tokenizer().encode(PROMPT),
                            SamplerSettings.greedy().withMaxTokens(12)),
                    null,
                    null);
            expected = g.text();
        }
        String body = "{\"model\":\"tiny\",\"prompt\":\"" + PROMPT + "\",\"max_tokens\":12,\"temperature\":0}";
        HttpResponse<String> r = ts.post("/v1/completions", body);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode j = TestServer.json(r);
        assertEquals("text_completion", j.get("object").asText());
        assertTrue(j.get("id").asText().startsWith("cmpl-"));
        JsonNode c = j.get("choices").get(0);
        assertEquals(expected, c.get("text").asText());
        assertEquals("length", c.get("finish_reason").asText());
        int promptTokens = ts.generator.tokenizer().encode(PROMPT).length;
        assertEquals(promptTokens, j.get("usage").get("prompt_tokens").asInt());
        assertEquals(12, j.get("usage").get("completion_tokens").asInt());
        assertEquals(promptTokens + 12, j.get("usage").get("total_tokens").asInt());

        List<TestServer.Sse> events = ts.stream(
                "/v1/completions", body.replace("}", ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}"));
        assertEquals("[DONE]", events.getLast().data());
        StringBuilder sb = new StringBuilder();
        String finish = null;
        JsonNode usage = null;
        for (TestServer.Sse e : events.subList(0, events.size() - 1)) {
            JsonNode x = e.json();
            assertEquals("text_completion", x.get("object").asText());
            if (x.has("usage")) {
                usage = x.get("usage");
                continue;
            }
            sb.append(x.get("choices").get(0).get("text").asText());
            if (!x.get("choices").get(0).get("finish_reason").isNull())
                finish = x.get("choices").get(0).get("finish_reason").asText();
        }
        assertEquals(expected, sb.toString());
        assertEquals("length", finish);
        assertNotNull(usage, "stream_options.include_usage sends a usage chunk");
        assertEquals(12, usage.get("completion_tokens").asInt());
    }

    @Test
    void resendingTheStoryWithNewWordsReusesTheCache() throws Exception {
        String story = "It was a dark and stormy night; the rain fell in torrents, except at occasional intervals, "
                + "when it was checked by a violent gust of wind which swept up the streets";
        String a = "{\"model\":\"tiny\",\"prompt\":\"" + story + "\",\"max_tokens\":2,\"temperature\":0}";
        String b = "{\"model\":\"tiny\",\"prompt\":\"" + story + " of London\",\"max_tokens\":2,\"temperature\":0}";
        assertEquals(200, ts.post("/v1/completions", a).statusCode());
        JsonNode u = TestServer.json(ts.post("/v1/completions", b)).get("usage");
        int prompt = u.get("prompt_tokens").asInt();
        int cached = u.get("prompt_tokens_details").get("cached_tokens").asInt();
        assertTrue(prompt - cached <= 3, "only the new words are computed: prompt " + prompt + ", cached " + cached);
    }

    @Test
    void stopSequencesEndTheTextAndEchoPrefixesThePrompt() throws Exception {
        String free = TestServer.json(ts.post(
                        "/v1/completions",
                        "{\"model\":\"tiny\",\"prompt\":\"Once\",\"max_tokens\":8,\"temperature\":0}"))
                .get("choices")
                .get(0)
                .get("text")
                .asText();
        assertTrue(free.length() > 2, free);
        String stop = free.substring(1, 2).isBlank() ? free.substring(2, 3) : free.substring(1, 2);
        JsonNode j = TestServer.json(ts.post(
                "/v1/completions",
                "{\"model\":\"tiny\",\"prompt\":\"Once\",\"max_tokens\":8,\"temperature\":0,\"stop\":"
                        + TestServer.JSON.writeValueAsString(List.of(stop)) + "}"));
        String cut = j.get("choices").get(0).get("text").asText();
        assertEquals(free.substring(0, free.indexOf(stop)), cut);
        assertEquals("stop", j.get("choices").get(0).get("finish_reason").asText());

        JsonNode e = TestServer.json(ts.post(
                "/v1/completions",
                "{\"model\":\"tiny\",\"prompt\":\"Once\",\"max_tokens\":8,\"temperature\":0,\"echo\":true}"));
        assertEquals("Once" + free, e.get("choices").get(0).get("text").asText());
    }

    @Test
    void seededSamplingIsReproducibleAndTokenPromptsWork() throws Exception {
        String body =
                "{\"model\":\"tiny\",\"prompt\":[510, 3158, 4323],\"max_tokens\":10,\"temperature\":0.9,\"top_p\":0.95,\"seed\":7}";
        String t1 = TestServer.json(ts.post("/v1/completions", body))
                .get("choices")
                .get(0)
                .get("text")
                .asText();
        String t2 = TestServer.json(ts.post("/v1/completions", body))
                .get("choices")
                .get(0)
                .get("text")
                .asText();
        assertEquals(t1, t2);
    }

    /** Found by ServerBodyFuzzTest: a missing model was a 400, where every local server accepts it. */
    @Test
    void missingModelMeansTheServedModel() throws Exception {
        var r = ts.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1}");
        assertEquals(200, r.statusCode(), r.body());
        assertError(ts.post("/v1/completions", "{\"model\":7,\"prompt\":\"x\"}"), 400, "model must be a string");
    }

    @Test
    void badRequestsGetA400WithAMessageAndNoStackTrace() throws Exception {
        assertError(
                ts.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":"),
                400,
                "not valid JSON");
        assertError(ts.post("/v1/completions", "[1,2]"), 400, "must be a JSON object");
        assertError(ts.post("/v1/completions", ""), 400, "empty");
        assertError(ts.post("/v1/completions", "{\"model\":\"tiny\"}"), 400, "prompt is required");
        assertError(
                ts.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":\"ten\"}"),
                400,
                "max_tokens must be an integer");
        assertError(
                ts.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":100000000}"),
                400,
                "at most 4096");
        assertError(
                ts.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":0}"),
                400,
                "at least 1");
        assertError(ts.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"n\":2}"), 400, "n must be 1");
        assertError(
                ts.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"temperature\":-1}"),
                400,
                "temperature");
        assertError(ts.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"top_p\":0}"), 400, "top_p");
        assertError(
                ts.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":[\"a\",\"b\"]}"),
                400,
                "one prompt per request");
        assertError(ts.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":[1, 99999999]}"), 400, "not a token id");
        assertError(
                ts.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"stop\":[1]}"),
                400,
                "stop must contain only strings");
        assertError(
                ts.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"logprobs\":\"3\"}"),
                400,
                "logprobs must be an integer");
        assertError(ts.post("/v1/chat/completions", "{}"), 404, "use POST /v1/completions");
        assertError(ts.post("/v1/nothing", "{}"), 404, "no endpoint");
        assertError(ts.get("/v1/completions"), 405, "GET is not allowed");
        JsonNode e = TestServer.json(
                        ts.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":\"ten\"}"))
                .get("error");
        assertEquals("max_tokens", e.get("param").asText());
        assertEquals("invalid_request_error", e.get("type").asText());
    }

    static void assertError(HttpResponse<String> r, int status, String fragment) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode e = TestServer.json(r).get("error");
        assertNotNull(e, r.body());
        assertTrue(e.get("message").asText().contains(fragment), "'" + fragment + "' in " + r.body());
        assertFalse(r.body().contains("at org.") || r.body().contains("Exception"), "no stack trace: " + r.body());
    }
}
