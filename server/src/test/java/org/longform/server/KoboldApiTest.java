package org.longform.server;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.Generator;
import org.longform.engine.sample.SamplerSettings;

/** The KoboldAI endpoints KoboldAI Lite and SillyTavern call, in KoboldCpp's shapes, over plain HTTP. */
class KoboldApiTest {
    static TestServer ts;

    @BeforeAll
    static void start() throws Exception {
        ts = TestServer.start(TestServer.config());
    }

    @AfterAll
    static void stop() {
        if (ts != null) ts.close();
    }

    @Test
    void probesThatFrontEndsSendFirst() throws Exception {
        assertEquals(
                "longform/tiny",
                TestServer.json(ts.get("/api/v1/model")).get("result").asText());
        assertEquals(
                KoboldApi.API_VERSION,
                TestServer.json(ts.get("/api/v1/info/version")).get("result").asText());
        JsonNode v = TestServer.json(ts.get("/api/extra/version"));
        assertEquals("KoboldCpp", v.get("result").asText()); // what SillyTavern checks before using /api/extra
        assertFalse(v.get("version").asText().isEmpty());
        assertEquals(
                ts.generator.contextWindow(),
                TestServer.json(ts.get("/api/v1/config/max_context_length"))
                        .get("value")
                        .asInt());
        assertEquals(
                ts.generator.contextWindow(),
                TestServer.json(ts.get("/api/extra/true_max_context_length"))
                        .get("value")
                        .asInt());
        assertEquals(
                4096,
                TestServer.json(ts.get("/api/v1/config/max_length"))
                        .get("value")
                        .asInt());
    }

    @Test
    void tokencountUsesOurTokenizer() throws Exception {
        String text = "Call me Ishmael. Some years ago—never mind how long precisely";
        JsonNode j = TestServer.json(
                ts.post("/api/extra/tokencount", "{\"prompt\":" + TestServer.JSON.writeValueAsString(text) + "}"));
        int[] ids = ts.generator.tokenizer().encode(text);
        assertEquals(ids.length, j.get("value").asInt());
        for (int i = 0; i < ids.length; i++)
            assertEquals(ids[i], j.get("ids").get(i).asInt());
    }

    @Test
    void generateMatchesTheEngineAndStreamMatchesGenerate() throws Exception {
        String prompt = "The ship left the harbour at dawn";
        String expected;
        try (Generator ref = TestServer.tinyGenerator()) {
            GenerationResult g = ref.generate(
                    new GenerationRequest(
                            ref.tokenizer().encode(prompt),
                            SamplerSettings.greedy().withMaxTokens(10)),
                    null,
                    null);
            expected = g.text();
        }
        String body = "{\"prompt\":\"" + prompt
                + "\",\"max_length\":10,\"temperature\":0,\"rep_pen\":1,\"top_k\":0,\"top_p\":1,\"max_context_length\":2048}";
        HttpResponse<String> r = ts.post("/api/v1/generate", body);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode res = TestServer.json(r).get("results").get(0);
        assertEquals(expected, res.get("text").asText());
        assertEquals("length", res.get("finish_reason").asText());
        assertEquals(10, res.get("completion_tokens").asInt());

        List<TestServer.Sse> events = ts.stream("/api/extra/generate/stream", body);
        StringBuilder sb = new StringBuilder();
        for (TestServer.Sse e : events) {
            assertEquals("message", e.event());
            sb.append(e.json().get("token").asText());
        }
        assertEquals(expected, sb.toString());
        JsonNode last = events.getLast().json();
        assertEquals("length", last.get("finish_reason").asText());
        assertTrue(events.getFirst().json().get("finish_reason").isNull());
    }

    @Test
    void memoryIsPrependedAndStopSequencesAreTrimmed() throws Exception {
        String withMemory = TestServer.json(
                        ts.post(
                                "/api/v1/generate",
                                "{\"memory\":\"A tale.\",\"prompt\":\" The end\",\"max_length\":6,\"temperature\":0,\"rep_pen\":1}"))
                .get("results")
                .get(0)
                .get("text")
                .asText();
        String joined = TestServer.json(ts.post(
                        "/api/v1/generate",
                        "{\"prompt\":\"A tale. The end\",\"max_length\":6,\"temperature\":0,\"rep_pen\":1}"))
                .get("results")
                .get(0)
                .get("text")
                .asText();
        assertEquals(joined, withMemory);
        String stop = joined.strip().substring(0, 1);
        JsonNode cut = TestServer.json(ts.post(
                        "/api/v1/generate",
                        "{\"prompt\":\"A tale. The end\",\"max_length\":6,\"temperature\":0,\"rep_pen\":1,\"stop_sequence\":["
                                + TestServer.JSON.writeValueAsString(stop) + "]}"))
                .get("results")
                .get(0);
        assertEquals(joined.substring(0, joined.indexOf(stop)), cut.get("text").asText());
        assertEquals("stop", cut.get("finish_reason").asText());
    }

    @Test
    void abortWithGenkeyStopsAStreamAndCheckShowsPartialText() throws Exception {
        String body = "{\"prompt\":\"Long ago\",\"max_length\":4000,\"genkey\":\"KCPP1234\",\"temperature\":0.8}";
        CompletableFuture<List<TestServer.Sse>> f = CompletableFuture.supplyAsync(() -> {
            try {
                return ts.stream("/api/extra/generate/stream", body);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        String partial = "";
        for (int i = 0; i < 200 && partial.isEmpty(); i++) { // bounded: at most ~10 s
            Thread.sleep(50);
            partial = TestServer.json(ts.post("/api/extra/generate/check", "{\"genkey\":\"KCPP1234\"}"))
                    .get("results")
                    .get(0)
                    .get("text")
                    .asText();
        }
        assertFalse(partial.isEmpty(), "check shows the text so far");
        JsonNode a = TestServer.json(ts.post("/api/extra/abort", "{\"genkey\":\"KCPP1234\"}"));
        assertEquals("true", a.get("success").asText());
        List<TestServer.Sse> events = f.get(20, TimeUnit.SECONDS);
        JsonNode last = events.getLast().json();
        assertEquals("stop", last.get("finish_reason").asText());
        assertTrue(events.size() < 4000, "aborted early: " + events.size() + " events");
        assertEquals(
                "false",
                TestServer.json(ts.post("/api/extra/abort", "{\"genkey\":\"nobody\"}"))
                        .get("success")
                        .asText());
    }

    @Test
    void errorsUseKoboldsShape() throws Exception {
        HttpResponse<String> r = ts.post("/api/v1/generate", "{\"prompt\": oops}");
        assertEquals(400, r.statusCode());
        JsonNode d = TestServer.json(r).get("detail");
        assertTrue(d.get("msg").asText().contains("not valid JSON"), r.body());
        assertEquals(
                400,
                ts.post("/api/v1/generate", "{\"prompt\":\"x\",\"max_length\":99999}")
                        .statusCode());
        assertEquals(400, ts.post("/api/v1/generate", "{\"max_length\":5}").statusCode());
        assertEquals(404, ts.get("/api/v1/nothing").statusCode());
    }
}
