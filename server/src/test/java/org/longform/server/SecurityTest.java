package org.longform.server;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.longform.engine.kernels.Activations;
import org.longform.engine.kernels.BackendKind;
import org.longform.engine.kv.KvDType;
import org.longform.engine.runtime.EngineOptions;
import picocli.CommandLine;

/**
 * The server's defences: bind policy, API key, Host check, body size, max_tokens, idle and slow
 * connections, connection and stream limits, and cancellation when a client disconnects. Only
 * loopback addresses are ever bound here.
 */
class SecurityTest {

    @Test
    void nonLoopbackBindWithoutKeyIsRefusedBeforeLoadingAnything() {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new ServeCommand());
        cl.setErr(new PrintWriter(err));
        List<Throwable> thrown = new ArrayList<>();
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            thrown.add(ex);
            return 2;
        });
        // a model folder that does not exist: the refusal must come first
        int rc = cl.execute("--host", "0.0.0.0", "--model", "/nonexistent/model", "--api-key", "");
        assertEquals(2, rc);
        assertInstanceOf(IllegalArgumentException.class, thrown.getFirst());
        assertTrue(
                thrown.getFirst().getMessage().contains("without an API key"),
                thrown.getFirst().getMessage());

        ServerConfig open = ServerConfig.defaults("m").withHost("0.0.0.0");
        assertThrows(IllegalArgumentException.class, open::checkBindPolicy);
        assertTrue(open.withApiKey("k").checkBindPolicy().stream().noneMatch(w -> w.startsWith("WARNING")));
        assertTrue(open.withAllowNoKey(true).checkBindPolicy().getFirst().startsWith("WARNING"));
        assertTrue(ServerConfig.defaults("m").checkBindPolicy().isEmpty(), "loopback needs no key");
        assertTrue(ServerConfig.defaults("m").withHost("localhost").isLoopback());
    }

    @Test
    void serveTakesTheSameEngineOptionsAsTheOtherCommands() {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve)
                .parseArgs(
                        "--kv-dtype",
                        "int8",
                        "--act-quant",
                        "q8",
                        "--threads",
                        "3",
                        "--block-size",
                        "32",
                        "--chunk",
                        "128",
                        "--kv-budget-mb",
                        "64",
                        "--backend",
                        "scalar");
        EngineOptions eo = serve.engine.engineOptions(serve.chunk);
        assertEquals(KvDType.INT8, eo.kvDType());
        assertEquals(Activations.Q8, eo.activations());
        assertEquals(3, eo.threads());
        assertEquals(32, eo.blockSize());
        assertEquals(128, eo.chunkSize());
        assertEquals(64L << 20, eo.kvBudgetBytes());
        assertEquals(BackendKind.SCALAR, eo.backend());
    }

    @Test
    void apiKeyIsRequiredWhenSetAndPreflightNeedsNone() throws Exception {
        try (TestServer ts = TestServer.start(TestServer.config().withApiKey("s3cret"))) {
            HttpResponse<String> none = ts.get("/v1/models");
            assertEquals(401, none.statusCode());
            assertTrue(
                    TestServer.json(none).get("error").get("message").asText().contains("missing API key"));
            HttpResponse<String> wrong = send(
                    ts,
                    HttpRequest.newBuilder(ts.uri("/v1/models"))
                            .header("Authorization", "Bearer nope")
                            .GET());
            assertEquals(401, wrong.statusCode());
            HttpResponse<String> right = send(
                    ts,
                    HttpRequest.newBuilder(ts.uri("/v1/models"))
                            .header("Authorization", "Bearer s3cret")
                            .GET());
            assertEquals(200, right.statusCode());
            HttpResponse<String> kobold = ts.get("/api/v1/model");
            assertEquals(401, kobold.statusCode());
            assertNotNull(TestServer.json(kobold).get("detail"));
            HttpResponse<String> pre = send(
                    ts,
                    HttpRequest.newBuilder(ts.uri("/api/v1/generate"))
                            .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
            assertEquals(204, pre.statusCode());
            assertEquals(
                    "*", pre.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
            assertTrue(pre.headers()
                    .firstValue("Access-Control-Allow-Headers")
                    .orElse("")
                    .contains("Authorization"));
        }
    }

    @Test
    void foreignHostHeaderIsRefusedOnALoopbackBind() throws Exception {
        try (TestServer ts = TestServer.start(TestServer.config())) {
            String r = raw(ts, "GET /v1/models HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n");
            assertTrue(r.startsWith("HTTP/1.1 403"), r);
            assertTrue(r.contains("not this machine"), r);
            assertTrue(raw(ts, "GET /v1/models HTTP/1.1\r\nHost: localhost:5001\r\nConnection: close\r\n\r\n")
                    .startsWith("HTTP/1.1 200"));
        }
    }

    @Test
    void oversizeBodiesGet413AndHugeMaxTokensGet400() throws Exception {
        try (TestServer ts =
                TestServer.start(TestServer.config().withMaxBodyBytes(64 * 1024).withMaxTokensLimit(100))) {
            String big = "{\"model\":\"tiny\",\"prompt\":\"" + "a".repeat(100_000) + "\"}";
            // declared length over the limit: refused before the body is read
            String r = raw(
                    ts,
                    "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                            + big.length() + "\r\nConnection: close\r\n\r\n");
            assertTrue(r.startsWith("HTTP/1.1 413"), r);
            assertTrue(r.contains("larger than the server's limit of 65536 bytes"), r);
            // chunked, no declared length: cut off once past the limit
            StringBuilder chunked = new StringBuilder(
                    "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
            for (int i = 0; i < big.length(); i += 8192) {
                String part = big.substring(i, Math.min(big.length(), i + 8192));
                chunked.append(Integer.toHexString(part.length()))
                        .append("\r\n")
                        .append(part)
                        .append("\r\n");
            }
            chunked.append("0\r\n\r\n");
            String c = raw(ts, chunked.toString());
            assertTrue(c.startsWith("HTTP/1.1 413"), c);
            OpenAiHttpTest.assertError(
                    ts.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":101}"),
                    400,
                    "at most 100 tokens");
            assertEquals(
                    200,
                    ts.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":100}")
                            .statusCode());
        }
    }

    @Test
    void idleAndTricklingConnectionsAreClosed() throws Exception {
        try (TestServer ts = TestServer.start(TestServer.config().withIdleTimeout(Duration.ofSeconds(1)))) {
            // slow loris: headers started, never finished
            try (Socket s = socket(ts)) {
                s.getOutputStream()
                        .write("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
                                .getBytes(StandardCharsets.US_ASCII));
                long t0 = System.nanoTime();
                assertClosedWithin(s, 8_000);
                assertTrue((System.nanoTime() - t0) / 1e9 < 6, "closed by the idle timeout");
            }
            // a body that stops half way: the read times out, the connection is released
            try (Socket s = socket(ts)) {
                s.getOutputStream()
                        .write(
                                ("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"model\":")
                                        .getBytes(StandardCharsets.US_ASCII));
                String r = readAll(s, 8_000);
                assertTrue(r.isEmpty() || r.startsWith("HTTP/1.1 408") || r.startsWith("HTTP/1.1 500"), r);
            }
            // the server still serves
            assertEquals(200, ts.get("/v1/models").statusCode());
        }
    }

    @Test
    void tricklingBodiesAreCutOffAndOversizeHeadersGet431() throws Exception {
        try (TestServer ts = TestServer.start(TestServer.config().withIdleTimeout(Duration.ofSeconds(20)))) {
            // each byte beats the idle timeout, but 5 bytes/s is far below the 1 KiB/s minimum
            try (Socket s = socket(ts)) {
                OutputStream out = s.getOutputStream();
                out.write(
                        "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                long t0 = System.nanoTime();
                boolean cut = false;
                try {
                    for (int i = 0; i < 60 && !cut; i++) { // at most ~12 s
                        out.write('x');
                        out.flush();
                        Thread.sleep(200);
                        s.setSoTimeout(1);
                        try {
                            cut = s.getInputStream().read() >= 0 || true; // the server answered or closed
                        } catch (SocketTimeoutException e) {
                            // still open
                        }
                    }
                } catch (IOException e) {
                    cut = true; // reset
                }
                assertTrue(cut, "a trickled body was not cut off");
                assertTrue((System.nanoTime() - t0) / 1e9 < 12);
            }
            String big = "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "a".repeat(20_000)
                    + "\r\nConnection: close\r\n\r\n";
            String r = raw(ts, big);
            assertTrue(r.startsWith("HTTP/1.1 431"), r);
            assertFalse(r.contains("at org."), r);
            // Jetty's own errors get the API's error JSON, written by Jackson
            var error = Exchange.JSON
                    .readTree(r.substring(r.indexOf("\r\n\r\n") + 4))
                    .get("error");
            assertEquals("http_error", error.get("type").asText(), r);
            assertEquals(431, error.get("code").asInt(), r);
            assertTrue(
                    error.get("param").isNull()
                            && !error.get("message").asText().isEmpty(),
                    r);
        }
    }

    @Test
    void aLongGenerationIsNotAnIdleConnection() throws Exception {
        try (TestServer ts = TestServer.start(TestServer.config().withIdleTimeout(Duration.ofMillis(200)))) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = ts.post(
                    "/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":1200,\"temperature\":0.8}");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(
                    1200,
                    TestServer.json(r).get("usage").get("completion_tokens").asInt());
            assertTrue((System.nanoTime() - t0) / 1e6 > 400, "the generation outlasted the idle timeout twice over");
        }
    }

    @Test
    void connectionCapHoldsAndIdleHoldersAreShedSoRealClientsGetIn() throws Exception {
        try (TestServer ts =
                TestServer.start(TestServer.config().withMaxConnections(4).withIdleTimeout(Duration.ofSeconds(1)))) {
            List<Socket> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) idle.add(socket(ts)); // fill every slot and send nothing
                long t0 = System.nanoTime();
                HttpResponse<String> r = ts.get("/v1/models"); // waits until the idle ones time out
                assertEquals(200, r.statusCode());
                assertTrue((System.nanoTime() - t0) / 1e9 < 10);
                for (Socket s : idle) assertClosedWithin(s, 5_000);
            } finally {
                for (Socket s : idle) s.close();
            }
        }
    }

    @Test
    void streamLimitQueueLimitAndDisconnectCancellation() throws Exception {
        try (TestServer ts =
                TestServer.start(TestServer.config().withMaxStreams(1).withMaxQueue(2))) {
            String longStream = "{\"model\":\"tiny\",\"prompt\":\"Far away\",\"max_tokens\":4000,\"stream\":true}";
            try (Socket s = socket(ts)) {
                OutputStream out = s.getOutputStream();
                out.write(
                        ("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                                        + longStream.length() + "\r\n\r\n" + longStream)
                                .getBytes(StandardCharsets.UTF_8));
                out.flush();
                String head = readUntil(s, "data: ", 10_000);
                assertTrue(head.startsWith("HTTP/1.1 200"), head);

                // a second stream while the first runs: 429
                HttpResponse<String> second = ts.post("/v1/completions", longStream);
                assertEquals(429, second.statusCode(), second.body());
                assertTrue(second.body().contains("too many concurrent streams"));

                // fill the queue with non-streaming work: one waits, the next is refused with 503
                var waiting = ts.http.sendAsync(
                        HttpRequest.newBuilder(ts.uri("/v1/completions"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":3}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                waitFor(() -> ts.server.engine().stats().pending() == 2, 5_000);
                HttpResponse<String> busy =
                        ts.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":3}");
                assertEquals(503, busy.statusCode(), busy.body());
                assertEquals("1", busy.headers().firstValue("Retry-After").orElse(""));

                // the streaming client goes away: its generation is cancelled and the queue moves on
                long cancelledBefore = ts.server.engine().stats().cancelled();
                s.close();
                waitFor(() -> ts.server.engine().stats().cancelled() > cancelledBefore, 10_000);
                assertEquals(200, waiting.get().statusCode());
            }
        }
    }

    @Test
    void aNonStreamingClientThatDisconnectsIsCancelledToo() throws Exception {
        try (TestServer ts = TestServer.start(TestServer.config())) {
            String body = "{\"model\":\"tiny\",\"prompt\":\"Far away\",\"max_tokens\":4000}";
            try (Socket s = socket(ts)) {
                s.getOutputStream()
                        .write(
                                ("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                                                + body.length() + "\r\n\r\n" + body)
                                        .getBytes(StandardCharsets.UTF_8));
                waitFor(() -> ts.server.engine().current() != null, 5_000);
            }
            waitFor(() -> ts.server.engine().stats().cancelled() == 1, 10_000);
        }
    }

    // ---- helpers (all bounded in time) ----

    static HttpResponse<String> send(TestServer ts, HttpRequest.Builder b) throws Exception {
        return ts.http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static Socket socket(TestServer ts) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", ts.server.port()), 5_000);
        return s;
    }

    /** Sends a raw request and reads the response up to the end of its JSON body. */
    static String raw(TestServer ts, String request) throws IOException {
        try (Socket s = socket(ts)) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            return readUntil(s, "}}", 10_000);
        }
    }

    /** Everything until the server closes, or what came within {@code ms}. */
    static String readAll(Socket s, int ms) throws IOException {
        s.setSoTimeout(ms);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) out.write(buf, 0, n);
        } catch (SocketTimeoutException | SocketException e) {
            // timeout or reset: return what arrived
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static String readUntil(Socket s, String marker, int ms) throws IOException {
        s.setSoTimeout(ms);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[1024];
        try {
            while (!out.toString(StandardCharsets.UTF_8).contains(marker)) {
                int n = in.read(buf);
                if (n < 0) break;
                out.write(buf, 0, n);
            }
        } catch (SocketException e) {
            // reset after the response: return what arrived
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static void assertClosedWithin(Socket s, int ms) throws IOException {
        s.setSoTimeout(ms);
        try {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            while (in.read(buf) >= 0) {
                /* drain an error response, if any */
            }
        } catch (SocketTimeoutException e) {
            fail("the server kept an idle connection open for " + ms + " ms");
        } catch (SocketException e) {
            // reset: closed
        }
    }

    static void waitFor(BooleanSupplier cond, long ms) throws InterruptedException {
        long end = System.nanoTime() + ms * 1_000_000;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) fail("condition not met within " + ms + " ms");
            Thread.sleep(20);
        }
    }
}
