package org.longform.server;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.Generator;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.sample.SamplerSettings;

/**
 * N concurrent streaming clients on loopback, each with its own prompt (so each request also
 * evicts the previous one's cache: the worst case for prefix reuse). Bounded: fixed N, fixed
 * tokens, timeouts on everything. Prints latency and throughput figures for docs/PERFORMANCE.md.
 *
 * <p>Defaults: the tiny fixture, 8 clients, 64 tokens each. For other figures:
 * {@code -Dlongform.load.model=DIR -Dlongform.load.clients=N -Dlongform.load.tokens=T}.
 */
class LoadTest {
    @Test
    void concurrentStreamingClientsAllFinishWithoutErrors() throws Exception {
        int clients = Integer.getInteger("longform.load.clients", 8);
        int tokens = Integer.getInteger("longform.load.tokens", 64);
        String modelDir = System.getProperty("longform.load.model");
        Generator g = modelDir == null
                ? TestServer.tinyGenerator()
                : Generator.open(
                        Path.of(modelDir),
                        EngineOptions.defaults()
                                .withKvBudget(256L << 20)
                                .withThreads(Integer.getInteger("longform.load.threads", 0)));
        ServerConfig cfg = TestServer.config().withMaxStreams(clients).withMaxQueue(clients);
        // the engine alone, same length, for the HTTP/SSE overhead: warm twice, measure the third
        GenerationResult direct = null;
        for (int i = 0; i < 3; i++) {
            direct = g.generate(
                    new GenerationRequest(
                            g.tokenizer().encode("Baseline run " + i + " of the engine alone,"),
                            SamplerSettings.defaults().withSeed(1L).withMaxTokens(tokens)),
                    null,
                    null);
        }
        double directTokS = direct.ids().length / ((direct.prefillNanos() + direct.decodeNanos()) / 1e9);
        try (g;
                LongformServer server = LongformServer.start(cfg, g);
                HttpClient http = HttpClient.newBuilder()
                        .connectTimeout(Duration.ofSeconds(5))
                        .build();
                ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            // warm-up (JIT, first-request costs), not measured
            stream(http, server, "Warm up", tokens, System.nanoTime());

            long t0 = System.nanoTime();
            List<Future<Sample>> fs = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String prompt = "Chapter " + (i + 1) + ". The travellers reached the " + WORDS[i % WORDS.length]
                        + " before nightfall, and";
                fs.add(pool.submit(() -> stream(http, server, prompt, tokens, t0)));
            }
            List<Sample> samples = new ArrayList<>();
            for (Future<Sample> f : fs) samples.add(f.get(120, TimeUnit.SECONDS));
            double wall = (System.nanoTime() - t0) / 1e9;

            int total = 0;
            for (Sample s : samples) {
                assertNull(s.error, "client error: " + s.error);
                assertEquals(tokens, s.tokens, "every client got all its tokens");
                total += s.tokens;
            }
            double[] ttft = samples.stream().mapToDouble(s -> s.ttft).sorted().toArray();
            double[] lat = samples.stream().mapToDouble(s -> s.latency).sorted().toArray();
            String report = String.format(
                    Locale.ROOT,
                    "load: model %s, %d concurrent streaming clients x %d tokens, errors 0%n"
                            + "  wall %.2f s, aggregate %.1f tok/s over HTTP (engine alone, one request: %.1f tok/s)%n"
                            + "  time to first token: p50 %.3f s, p95 %.3f s, max %.3f s%n"
                            + "  request latency:     p50 %.3f s, p95 %.3f s, max %.3f s%n"
                            + "  engine: %s%n",
                    modelDir == null ? "tiny-mpt-6h" : modelDir,
                    clients,
                    tokens,
                    wall,
                    total / wall,
                    directTokS,
                    pct(ttft, 50),
                    pct(ttft, 95),
                    ttft[ttft.length - 1],
                    pct(lat, 50),
                    pct(lat, 95),
                    lat[lat.length - 1],
                    server.engine().stats());
            System.out.print(report);
            Files.writeString(Path.of("target/load-test.txt"), report);
            assertEquals(0, server.engine().stats().pending());
        }
    }

    /** A client that resends its long story with a few new words: only the new words are computed. */
    @Test
    void resendingALongStoryRecomputesOnlyTheNewWords() throws Exception {
        String modelDir = System.getProperty("longform.load.model");
        Generator g = modelDir == null
                ? TestServer.tinyGenerator()
                : Generator.open(
                        Path.of(modelDir),
                        EngineOptions.defaults()
                                .withKvBudget(256L << 20)
                                .withThreads(Integer.getInteger("longform.load.threads", 0)));
        StringBuilder story = new StringBuilder();
        for (int i = 0; story.length() < 8000; i++)
            story.append("In the ")
                    .append(WORDS[i % WORDS.length])
                    .append(" the travellers rested for day ")
                    .append(i)
                    .append(". ");
        try (g;
                LongformServer server = LongformServer.start(TestServer.config(), g);
                HttpClient http = HttpClient.newBuilder()
                        .connectTimeout(Duration.ofSeconds(5))
                        .build()) {
            stream(http, server, "Warm up", 4, System.nanoTime());
            long t0 = System.nanoTime();
            Sample cold = stream(http, server, story.toString(), 4, t0);
            long t1 = System.nanoTime();
            Sample warm = stream(http, server, story + "Then the rain came.", 4, t1);
            assertNull(cold.error);
            assertNull(warm.error);
            Engine.Stats st = server.engine().stats();
            int promptTokens = g.tokenizer().encode(story + "Then the rain came.").length;
            String report = String.format(
                    Locale.ROOT,
                    "prefix reuse: story of %d tokens, resent with 4 new words: time to first token %.3f s cold, %.3f s warm (%.0fx)%n"
                            + "  engine: %s%n",
                    promptTokens,
                    cold.ttft,
                    warm.ttft,
                    cold.ttft / warm.ttft,
                    st);
            System.out.print(report);
            Files.writeString(Path.of("target/prefix-reuse.txt"), report);
            assertTrue(warm.ttft < cold.ttft, report);
        }
    }

    static final String[] WORDS = {"river", "mountain", "city", "forest", "harbour", "desert", "castle", "valley"};

    record Sample(int tokens, double ttft, double latency, String error) {}

    /** One streaming client; times are from the common start {@code t0}. */
    static Sample stream(HttpClient http, LongformServer server, String prompt, int tokens, long t0) {
        try {
            String body = "{\"model\":\"tiny\",\"prompt\":" + TestServer.JSON.writeValueAsString(prompt)
                    + ",\"max_tokens\":" + tokens
                    + ",\"temperature\":0.8,\"seed\":1,\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
            HttpResponse<InputStream> r = http.send(
                    HttpRequest.newBuilder(server.uri().resolve("/v1/completions"))
                            .timeout(Duration.ofSeconds(120))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) return new Sample(0, 0, 0, "status " + r.statusCode());
            double ttft = 0;
            int completion = -1;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (!line.startsWith("data: ") || line.equals("data: [DONE]")) continue;
                    JsonNode j = TestServer.JSON.readTree(line.substring(6));
                    if (j.has("error"))
                        return new Sample(0, 0, 0, j.get("error").toString());
                    if (j.has("usage"))
                        completion = j.get("usage").get("completion_tokens").asInt();
                    else if (ttft == 0
                            && !j.get("choices").get(0).get("text").asText().isEmpty())
                        ttft = (System.nanoTime() - t0) / 1e9;
                }
            }
            return new Sample(completion, ttft, (System.nanoTime() - t0) / 1e9, null);
        } catch (Exception e) {
            return new Sample(0, 0, 0, e.toString());
        }
    }

    static double pct(double[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    @SuppressWarnings("unused")
    private static String fmt(double[] a) {
        return Arrays.toString(a);
    }
}
