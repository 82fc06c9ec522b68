package org.longform.fuzz;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.Assets;
import org.longform.engine.fuzz.FuzzRunner;
import org.longform.engine.gen.Generator;
import org.longform.engine.runtime.EngineOptions;
import org.longform.server.LongformServer;
import org.longform.server.ServerConfig;

/**
 * The server's JSON bodies, mutated and posted to the OpenAI and KoboldAI endpoints. Every case gets
 * an answer below 500 (a 4xx names the problem in a JSON error, never a stack trace), and after the
 * run the engine thread still serves a plain request. Lives in the ui module, beside the other
 * fuzz tests and their harness; it uses only the server's public API.
 */
class ServerBodyFuzzTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static Generator generator;
    static LongformServer server;
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        generator = Generator.open(
                Assets.home().resolve("engine/src/test/resources/fixtures/tiny-mpt-6h"),
                EngineOptions.defaults().withThreads(1).withKvBudget(16L << 20));
        server = LongformServer.start(
                ServerConfig.defaults("tiny")
                        .withHost("127.0.0.1")
                        .withPort(0)
                        .withMaxTokensLimit(16)
                        .withIdleTimeout(Duration.ofSeconds(30)),
                generator);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (generator != null) generator.close();
    }

    static HttpResponse<String> post(String path, byte[] body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(server.uri().resolve(path))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Posts each mutated body; a 5xx, a non-JSON error or a stack trace in the answer fails the case. */
    static void fuzz(String path, String seed, Path tmp, AtomicInteger clientErrors) throws Exception {
        FuzzRunner.Report r = FuzzRunner.run(
                "server " + path,
                List.of(seed.getBytes(StandardCharsets.UTF_8)),
                512,
                FuzzRunner.cases(150),
                tmp,
                "body.json",
                IllegalStateException.class,
                f -> {
                    HttpResponse<String> res = post(path, Files.readAllBytes(f));
                    int code = res.statusCode();
                    if (code >= 500) throw new AssertionError(code + " " + res.body());
                    if (res.body().contains("\tat ") || res.body().contains("Exception:")) {
                        throw new AssertionError("stack trace in the answer: " + res.body());
                    }
                    if (code >= 400) {
                        JsonNode err = JSON.readTree(res.body());
                        if (err == null || err.isMissingNode()) {
                            throw new AssertionError("no JSON error: " + res.body());
                        }
                        clientErrors.incrementAndGet();
                    }
                });
        assertTrue(r.failures().isEmpty(), r + "\n" + String.join("\n", r.failures()));
    }

    @Test
    void bodiesNeverBreakTheServer(@TempDir Path tmp) throws Exception {
        AtomicInteger clientErrors = new AtomicInteger();
        fuzz(
                "/v1/completions",
                "{\"model\":\"tiny\",\"prompt\":\"Once upon a time\",\"max_tokens\":3,"
                        + "\"temperature\":0.8,\"top_p\":0.9,\"top_k\":40,\"stop\":[\"\\n\"],\"seed\":7,\"stream\":false}",
                tmp,
                clientErrors);
        fuzz(
                "/api/v1/generate",
                "{\"prompt\":\"Once upon a time\",\"max_length\":3,\"max_context_length\":256,"
                        + "\"temperature\":0.7,\"rep_pen\":1.1,\"top_p\":0.9,\"sampler_order\":[6,0,1,3,4,2,5],"
                        + "\"stop_sequence\":[\"\\n\"]}",
                tmp,
                clientErrors);
        fuzz("/api/extra/tokencount", "{\"prompt\":\"Once upon a time\"}", tmp, clientErrors);
        System.out.println("fuzz server: " + clientErrors.get() + " answered with a 4xx JSON error, the rest 2xx");
        HttpResponse<String> ok =
                post("/v1/completions", "{\"prompt\":\"The end\",\"max_tokens\":2}".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, ok.statusCode(), ok.body());
    }
}
