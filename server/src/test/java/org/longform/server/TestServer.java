package org.longform.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.longform.engine.Assets;
import org.longform.engine.gen.Generator;
import org.longform.engine.gen.TokenChoice;
import org.longform.engine.gen.TokenListener;
import org.longform.engine.runtime.EngineOptions;

/** A server on 127.0.0.1 (any free port) over the tiny random-weight fixture, plus HTTP helpers. */
final class TestServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path TINY = Assets.home().resolve("engine/src/test/resources/fixtures/tiny-mpt-6h");

    final Generator generator;
    final LongformServer server;
    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestServer(Generator g, LongformServer s) {
        this.generator = g;
        this.server = s;
    }

    /** A listener that asks for {@code n} alternatives a token and adds each token's choices to {@code out}. */
    static TokenListener choicesInto(List<TokenChoice> out, int n) {
        return new TokenListener() {
            @Override
            public int alternatives() {
                return n;
            }

            @Override
            public void onChoice(TokenChoice choice) {
                out.add(choice);
            }
        };
    }

    /** One thread and a small KV budget: the box is shared, and the tiny model needs little. */
    static Generator tinyGenerator() {
        return Generator.open(TINY, EngineOptions.defaults().withThreads(1).withKvBudget(16L << 20));
    }

    static ServerConfig config() {
        return ServerConfig.defaults("tiny")
                .withHost("127.0.0.1")
                .withPort(0)
                .withIdleTimeout(Duration.ofSeconds(30)); // generous: CI boxes are slow; idle tests set their own
    }

    static TestServer start(ServerConfig cfg) throws Exception {
        Generator g = tinyGenerator();
        try {
            return new TestServer(g, LongformServer.start(cfg, g));
        } catch (Exception e) {
            g.close();
            throw e;
        }
    }

    URI uri(String path) {
        return server.uri().resolve(path);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(uri(path))
                        .timeout(Duration.ofSeconds(30))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) b.headers(headers);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    /** Server-sent events of a streaming POST: each event's data line, in order (comments skipped). */
    List<Sse> stream(String path, String body) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = http.send(
                HttpRequest.newBuilder(uri(path))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            throw new IOException(
                    "status " + r.statusCode() + ": " + new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
        }
        List<Sse> out = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String event = null;
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("event: ")) event = line.substring(7);
                else if (line.startsWith("data: ")) {
                    out.add(new Sse(event, line.substring(6)));
                    event = null;
                }
            }
        }
        return out;
    }

    record Sse(String event, String data) {
        JsonNode json() throws IOException {
            return JSON.readTree(data);
        }
    }

    @Override
    public void close() {
        server.close();
        generator.close();
    }
}
