package org.longform.ui.gen;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.longform.engine.gen.CancelToken;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.Generator;
import org.longform.engine.gen.StopReason;
import org.longform.engine.gen.TokenListener;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.sample.SamplerSettings;
import org.longform.server.LongformServer;
import org.longform.server.ServerConfig;
import org.longform.ui.TestSupport;
import org.longform.ui.story.StoryData;

/**
 * The editor's remote adapter against our own {@code longform serve} on loopback (tiny fixture
 * model), and against a scripted stub for the failures our server never produces (5xx, bad JSON).
 */
class RemoteTextGeneratorTest {
    static Generator served;
    static LongformServer server;
    static String url;

    @BeforeAll
    static void start() throws Exception {
        served = Generator.open(
                TestSupport.tinyModel(), EngineOptions.defaults().withThreads(1).withKvBudget(16L << 20));
        server = LongformServer.start(
                ServerConfig.defaults("tiny")
                        .withHost("127.0.0.1")
                        .withPort(0)
                        .withApiKey("k3y")
                        .withIdleTimeout(Duration.ofSeconds(30))
                        .withMaxTokensLimit(CANCEL_MAX_TOKENS),
                served);
        url = server.uri() + "/v1";
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (served != null) served.close();
    }

    /**
     * The cancelled generation asks for far more than the tiny model writes in the test's wait
     * (it shifts its window as it goes), so only a cancel that reaches the server can end it: with
     * 4000 tokens a server that noticed the closed stream late could finish first and count as done.
     */
    static final int CANCEL_MAX_TOKENS = 100_000;

    static SamplerSettings greedy(int maxTokens) {
        return StoryData.EDITOR_SAMPLER
                .withTemperature(0)
                .withRepetitionPenalty(1)
                .withTopK(0)
                .withTopP(1)
                .withMaxTokens(maxTokens);
    }

    @Test
    void streamsTheSameTextAsTheLocalEngineAndCountsWithOurTokenizer() {
        String prompt = "The old clock in the hall struck midnight";
        GenerationResult local;
        try (EngineTextGenerator ref = EngineTextGenerator.open(TestSupport.tinyModel(), 1)) {
            local = ref.generate(
                    new GenerationRequest(ref.encode(prompt), greedy(16), 0, 0), TokenListener.NONE, new CancelToken());
        }
        try (RemoteTextGenerator g = RemoteTextGenerator.connect(url, "k3y", "", 2048)) {
            ModelInfo info = g.info();
            assertEquals("remote: tiny at 127.0.0.1:" + server.port(), info.name());
            assertTrue(info.isRemote());
            assertFalse(info.demo());
            assertEquals(2048, info.contextWindow(), "the window the writer set");
            assertArrayEquals(
                    TestSupport.tokenizer().encode(prompt), g.encode(prompt), "our GPT-NeoX tokenizer counts");

            List<String> pieces = new ArrayList<>();
            List<Integer> prefill = new ArrayList<>();
            GenerationResult r = g.generate(
                    new GenerationRequest(g.encode(prompt), greedy(16), 2048, 0),
                    new TokenListener() {
                        @Override
                        public void onPrefill(int done, int total) {
                            prefill.add(done);
                        }

                        @Override
                        public void onToken(int id, String text) {
                            pieces.add(text);
                        }
                    },
                    new CancelToken());
            assertEquals(local.text(), r.text(), "greedy text equals the local engine's");
            assertEquals(String.join("", pieces), r.text());
            assertTrue(pieces.size() > 1, "streamed in pieces, not at once: " + pieces);
            assertEquals(StopReason.MAX_TOKENS, r.reason());
            assertEquals(g.encode(r.text()).length, r.ids().length, "tokens counted by re-tokenizing with ours");
            assertEquals(local.promptTokens(), r.promptTokens(), "prompt size from the server's usage");
            assertEquals(List.of(0, g.encode(prompt).length), prefill, "prompt 'sent', then 'done' at the first text");

            // An empty story starts from end-of-text, as locally.
            GenerationResult empty = g.generate(
                    new GenerationRequest(g.promptOrStart(new int[0]), greedy(4), 2048, 0),
                    TokenListener.NONE,
                    new CancelToken());
            assertFalse(empty.text().isEmpty());
        }
    }

    @Test
    void cancelClosesTheStreamAndTheServerStops() throws Exception {
        try (RemoteTextGenerator g = RemoteTextGenerator.connect(url, "k3y", "tiny", 4096)) {
            CancelToken cancel = new CancelToken();
            long before = server.engine().stats().cancelled();
            List<String> pieces = new ArrayList<>();
            GenerationResult r = g.generate(
                    new GenerationRequest(
                            g.encode("Far away"), StoryData.EDITOR_SAMPLER.withMaxTokens(CANCEL_MAX_TOKENS), 4096, 0),
                    new TokenListener() {
                        @Override
                        public void onToken(int id, String text) {
                            pieces.add(text);
                            if (pieces.size() == 5) cancel.cancel();
                        }
                    },
                    cancel);
            assertEquals(StopReason.CANCELLED, r.reason());
            assertTrue(pieces.size() < CANCEL_MAX_TOKENS, "stopped early: " + pieces.size());
            long end = System.nanoTime() + 10_000_000_000L; // the server notices the closed stream at its next token
            while (server.engine().stats().cancelled() == before && System.nanoTime() < end) Thread.sleep(20);
            assertTrue(server.engine().stats().cancelled() > before, "the server cancelled the generation");
            assertEquals(0, server.engine().stats().pending(), "nothing left running on the server");
        }
    }

    @Test
    void wrongKeyIsOneClearLineForTheEditor() {
        var e = assertThrows(
                RemoteTextGenerator.RemoteFailure.class, () -> RemoteTextGenerator.connect(url, "wrong", "", 2048));
        assertEquals(401, e.status());
        String m = e.getMessage();
        assertTrue(m.contains("401") && m.contains("API key") && m.contains("Connect to server"), m);
        assertFalse(m.contains("--remote-key"), "no CLI flags in the editor's message: " + m);
        assertFalse(m.contains("\n") || m.contains("Exception"), m);

        var listed =
                assertThrows(RemoteTextGenerator.RemoteFailure.class, () -> RemoteTextGenerator.listModels(url, null));
        assertEquals(401, listed.status());
    }

    @Test
    void connectionRefusedAndUnknownModelSayWhatToCheck() throws Exception {
        int closedPort;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort(); // free once closed: nothing listens there
        }
        var refused = assertThrows(
                RemoteTextGenerator.RemoteFailure.class,
                () -> RemoteTextGenerator.connect("127.0.0.1:" + closedPort + "/v1", null, "", 2048));
        assertEquals(0, refused.status());
        assertTrue(
                refused.getMessage().contains("cannot connect to http://127.0.0.1:" + closedPort)
                        && refused.getMessage().contains("is the server running"),
                refused.getMessage());
        assertFalse(refused.getMessage().contains("--remote"), refused.getMessage());

        var unknown = assertThrows(
                RemoteTextGenerator.RemoteFailure.class, () -> RemoteTextGenerator.connect(url, "k3y", "gpt-4", 2048));
        assertTrue(
                unknown.getMessage().contains("'gpt-4'") && unknown.getMessage().contains("it serves: tiny"),
                unknown.getMessage());

        assertThrows(IllegalArgumentException.class, () -> RemoteTextGenerator.connect("", null, "", 2048));
        assertThrows(IllegalArgumentException.class, () -> RemoteTextGenerator.connect(url, "k3y", "", 10));
    }

    /** A scripted server: /v1/models answers, /v1/completions sends whatever {@code completions} holds. */
    @Test
    void serverErrorsAndBrokenStreamsAreClearAndKeepWhatArrived() throws Exception {
        AtomicReference<String> completions = new AtomicReference<>();
        AtomicReference<Integer> status = new AtomicReference<>(200);
        HttpServer stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        stub.createContext("/v1/models", x -> reply(x, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"stub\"}]}"));
        AtomicReference<String> lastBody = new AtomicReference<>();
        stub.createContext("/v1/completions", x -> {
            lastBody.set(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            reply(x, status.get(), completions.get());
        });
        stub.start();
        try (RemoteTextGenerator g = RemoteTextGenerator.connect(
                "http://127.0.0.1:" + stub.getAddress().getPort(), null, "", 4096)) {
            GenerationRequest req = new GenerationRequest(g.encode("Once"), greedy(8), 4096, 0);

            status.set(500);
            completions.set("{\"error\":{\"message\":\"CUDA out of memory\",\"type\":\"server_error\"}}");
            var e5 = assertThrows(
                    RemoteTextGenerator.RemoteFailure.class,
                    () -> g.generate(req, TokenListener.NONE, new CancelToken()));
            assertEquals(500, e5.status());
            assertTrue(
                    e5.getMessage().contains("500")
                            && e5.getMessage().contains("CUDA out of memory")
                            && e5.getMessage().contains("server's log"),
                    e5.getMessage());

            status.set(200);
            completions.set("data: {\"choices\":[{\"index\":0,\"text\":\" Hello\",\"finish_reason\":null}]}\n\n"
                    + "data: <html>Bad gateway</html>\n\n");
            List<String> pieces = new ArrayList<>();
            var bad = assertThrows(
                    RemoteTextGenerator.RemoteFailure.class,
                    () -> g.generate(
                            req,
                            new TokenListener() {
                                @Override
                                public void onToken(int id, String text) {
                                    pieces.add(text);
                                }
                            },
                            new CancelToken()));
            assertEquals(
                    List.of(" Hello"), pieces, "what arrived before the break was delivered (the editor keeps it)");
            assertTrue(
                    bad.getMessage().contains("/v1/completions")
                            && bad.getMessage().contains("not valid JSON"),
                    bad.getMessage());
            assertFalse(bad.getMessage().contains("\n") || bad.getMessage().contains("Source:"), bad.getMessage());
            assertTrue(
                    lastBody.get().contains("\"stream_options\""), "extensions are sent by default: " + lastBody.get());

            // "Send only standard OpenAI fields" (TGI and others that refuse unknown fields)
            completions.set(
                    "data: {\"choices\":[{\"index\":0,\"text\":\" Hi\",\"finish_reason\":\"length\"}]}\n\ndata: [DONE]\n\n");
            try (RemoteTextGenerator std = RemoteTextGenerator.connect(
                    "http://127.0.0.1:" + stub.getAddress().getPort(), null, "stub", 4096, true)) {
                GenerationResult r = std.generate(
                        new GenerationRequest(std.encode("Once"), StoryData.EDITOR_SAMPLER.withMaxTokens(8), 4096, 0),
                        TokenListener.NONE,
                        new CancelToken());
                assertEquals(" Hi", r.text());
                assertEquals(StopReason.MAX_TOKENS, r.reason());
            }
            for (String field : List.of("top_k", "repetition_penalty", "stream_options")) {
                assertFalse(lastBody.get().contains("\"" + field + "\""), field + " not sent: " + lastBody.get());
            }
        } finally {
            stub.stop(0);
        }
    }

    static void reply(HttpExchange x, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", body.startsWith("data:") ? "text/event-stream" : "application/json");
        x.sendResponseHeaders(status, b.length);
        try (OutputStream o = x.getResponseBody()) {
            o.write(b);
        }
    }
}
