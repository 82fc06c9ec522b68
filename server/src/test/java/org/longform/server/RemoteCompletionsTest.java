package org.longform.server;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.longform.engine.gen.CancelToken;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.Generator;
import org.longform.engine.gen.StopReason;
import org.longform.engine.gen.TokenChoice;
import org.longform.engine.gen.TokenListener;
import org.longform.engine.sample.SamplerSettings;
import org.longform.server.remote.RemoteCompletions;
import org.longform.server.remote.RemoteException;
import org.longform.server.remote.RemoteOptions;
import picocli.CommandLine;

/** The consume side against our own server: same text as the local engine, streaming, cancel, errors. */
class RemoteCompletionsTest {
    static TestServer ts;

    @BeforeAll
    static void start() throws Exception {
        ts = TestServer.start(TestServer.config().withApiKey("k3y"));
    }

    @AfterAll
    static void stop() {
        if (ts != null) ts.close();
    }

    RemoteCompletions client(String key) {
        return new RemoteCompletions(
                ts.server.uri(),
                key,
                null,
                RemoteCompletions.Options.defaults().withTokenizer(ts.generator.tokenizer()));
    }

    @Test
    void remoteGreedyTextEqualsTheLocalEngineAndArrivesInPieces() {
        String prompt = "The old clock in the hall struck midnight";
        SamplerSettings greedy = SamplerSettings.greedy().withMaxTokens(16);
        GenerationResult local;
        try (Generator ref = TestServer.tinyGenerator()) {
            local = ref.generate(new GenerationRequest(ref.tokenizer().encode(prompt), greedy), null, null);
        }
        List<String> pieces = new ArrayList<>();
        try (RemoteCompletions rc = client("k3y")) {
            assertEquals(List.of("tiny"), rc.models());
            GenerationResult r = rc.complete(
                    prompt,
                    greedy,
                    new TokenListener() {
                        @Override
                        public void onToken(int id, String text) {
                            pieces.add(text);
                        }
                    },
                    null);
            assertEquals(local.text(), r.text());
            assertEquals(String.join("", pieces), r.text());
            assertTrue(pieces.size() > 1, "streamed, not delivered at once");
            assertEquals(StopReason.MAX_TOKENS, r.reason());
            assertEquals(local.promptTokens(), r.promptTokens(), "usage from the stream");
            assertArrayEquals(ts.generator.tokenizer().encode(local.text()), r.ids(), "our ids for the context map");

            // the Generator-shaped call: ids in, fitted to a window, decoded with our tokenizer
            GenerationResult g =
                    rc.generate(new GenerationRequest(ts.generator.tokenizer().encode(prompt), greedy), null, null);
            assertEquals(local.text(), g.text());
        }
    }

    @Test
    void alternativesArriveAsTheLocalEnginesWithOurIds() {
        String prompt = "The old clock in the hall struck midnight";
        SamplerSettings greedy = SamplerSettings.greedy().withMaxTokens(12);
        List<TokenChoice> local = new ArrayList<>(), remote = new ArrayList<>();
        try (Generator ref = TestServer.tinyGenerator()) {
            ref.generate(
                    new GenerationRequest(ref.tokenizer().encode(prompt), greedy),
                    TestServer.choicesInto(local, 8),
                    null);
        }
        try (RemoteCompletions rc = client("k3y")) {
            GenerationResult r = rc.complete(prompt, greedy, TestServer.choicesInto(remote, 8), null);
            assertEquals(12, r.ids().length);
        }
        assertEquals(local.size(), remote.size());
        for (int i = 0; i < local.size(); i++) {
            TokenChoice a = local.get(i), b = remote.get(i);
            assertEquals(a.offset(), b.offset(), "token " + i);
            assertEquals(a.chosen().id(), b.chosen().id());
            // the server's engine may round the last float digits apart from this one (LogprobsHttpTest)
            assertEquals(a.chosen().probability(), b.chosen().probability(), 1e-5);
            assertEquals(a.top().size(), b.top().size(), "8 asked, 8 sent, all named by our ids");
            for (int k = 0; k < a.top().size(); k++) {
                assertEquals(a.top().get(k).id(), b.top().get(k).id());
                assertEquals(a.top().get(k).probability(), b.top().get(k).probability(), 1e-5);
            }
        }
        // A listener that asks for none gets none, and the request carries no logprobs.
        List<TokenChoice> none = new ArrayList<>();
        try (RemoteCompletions rc = client("k3y")) {
            rc.complete(prompt, greedy, TestServer.choicesInto(none, 0), null);
        }
        assertTrue(none.isEmpty());
    }

    @Test
    void aServerThatRefusesLogprobsIsAskedAgainWithoutThem() throws Exception {
        List<String> bodies = new CopyOnWriteArrayList<>();
        HttpServer stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        stub.createContext("/v1/completions", x -> {
            String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            bodies.add(body);
            boolean refuse = body.contains("\"logprobs\"");
            byte[] out = (refuse
                            ? "{\"error\":{\"message\":\"logprobs is not supported: log probabilities are not returned\"}}"
                            : "data: {\"choices\":[{\"index\":0,\"text\":\" Snow.\",\"finish_reason\":\"stop\"}]}\n\n"
                                    + "data: [DONE]\n\n")
                    .getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().set("Content-Type", refuse ? "application/json" : "text/event-stream");
            x.sendResponseHeaders(refuse ? 400 : 200, out.length);
            try (var o = x.getResponseBody()) {
                o.write(out);
            }
        });
        stub.start();
        List<TokenChoice> got = new ArrayList<>();
        try (RemoteCompletions rc = new RemoteCompletions(
                URI.create("http://127.0.0.1:" + stub.getAddress().getPort()), null, "stub")) {
            assertEquals(
                    " Snow.",
                    rc.complete("Night.", SamplerSettings.greedy(), TestServer.choicesInto(got, 8), null)
                            .text());
            assertEquals(2, bodies.size(), "asked with logprobs, then without");
            assertEquals(
                    " Snow.",
                    rc.complete("Night.", SamplerSettings.greedy(), TestServer.choicesInto(got, 8), null)
                            .text());
            assertEquals(3, bodies.size(), "and without from then on");
            assertFalse(bodies.getLast().contains("logprobs"));
        } finally {
            stub.stop(0);
        }
        assertTrue(got.isEmpty());
    }

    @Test
    void tokenTextsMapToBytesAsOpenAiWritesThem() {
        assertEquals("\u00e2\u0080", RemoteCompletions.bytesKey("bytes:\\xe2\\x80"));
        assertEquals("\u00c3\u00a9", RemoteCompletions.bytesKey("\u00e9"), "UTF-8 bytes of é");
        assertEquals("bytes:\\xz1", RemoteCompletions.bytesKey("bytes:\\xz1"), "not hex: the text as it is");
    }

    @Test
    void stopSequencesAndSeededSamplingTravel() {
        try (RemoteCompletions rc = client("k3y")) {
            SamplerSettings s = SamplerSettings.defaults().withSeed(11L).withMaxTokens(12);
            String a = rc.complete("Rain on the roof", s, null, null).text();
            String b = rc.complete("Rain on the roof", s, null, null).text();
            assertEquals(a, b);
            String stop = a.strip().substring(0, 1);
            GenerationResult cut = rc.complete("Rain on the roof", s.withStopSequences(List.of(stop)), null, null);
            assertEquals(a.substring(0, a.indexOf(stop)), cut.text());
            assertEquals(StopReason.STOP_SEQUENCE, cut.reason());
        }
    }

    @Test
    void cancellingClosesTheStreamAndTheServerStops() throws Exception {
        try (RemoteCompletions rc = client("k3y")) {
            CancelToken cancel = new CancelToken();
            long before = ts.server.engine().stats().cancelled();
            List<String> pieces = new ArrayList<>();
            GenerationResult r = rc.complete(
                    "Far away",
                    SamplerSettings.defaults().withMaxTokens(4000),
                    new TokenListener() {
                        @Override
                        public void onToken(int id, String text) {
                            pieces.add(text);
                            if (pieces.size() == 5) cancel.cancel();
                        }
                    },
                    cancel);
            assertEquals(StopReason.CANCELLED, r.reason());
            assertTrue(pieces.size() < 4000);
            SecurityTest.waitFor(() -> ts.server.engine().stats().cancelled() > before, 10_000);
        }
    }

    @Test
    void logitBiasTravelsAndDryXtcPhraseBiasAreRefused() {
        String prompt = "The old clock in the hall struck midnight";
        SamplerSettings greedy = SamplerSettings.greedy().withMaxTokens(6);
        GenerationResult plain;
        GenerationResult biased;
        try (Generator ref = TestServer.tinyGenerator()) {
            plain = ref.generate(new GenerationRequest(ref.tokenizer().encode(prompt), greedy), null, null);
            SamplerSettings ban = greedy.withLogitBias(Map.of(plain.ids()[0], -100.0));
            biased = ref.generate(new GenerationRequest(ref.tokenizer().encode(prompt), ban), null, null);
        }
        assertNotEquals(plain.text(), biased.text());
        try (RemoteCompletions rc = client("k3y")) {
            SamplerSettings ban = greedy.withLogitBias(Map.of(plain.ids()[0], -100.0));
            assertEquals(biased.text(), rc.complete(prompt, ban, null, null).text());
            for (SamplerSettings local : List.of(
                    greedy.withDry(new SamplerSettings.Dry(1, 1.75, 2, 0, List.of())),
                    greedy.withXtc(new SamplerSettings.Xtc(0.1, 0.5)),
                    greedy.withPhraseBias(Map.of("x", 1.0)))) {
                IllegalArgumentException e =
                        assertThrows(IllegalArgumentException.class, () -> rc.complete(prompt, local, null, null));
                assertTrue(e.getMessage().contains("need the local engine"), e.getMessage());
            }
        }
    }

    @Test
    void errorsAreOneClearLine() {
        try (RemoteCompletions rc = client("wrong")) {
            RemoteException e = assertThrows(RemoteException.class, rc::models);
            assertEquals(401, e.status());
            assertTrue(
                    e.getMessage().contains("invalid API key") && e.getMessage().contains("--remote-key"),
                    e.getMessage());
        }
        try (RemoteCompletions rc = new RemoteCompletions(ts.server.uri(), "k3y", "tiny")) {
            RemoteException e = assertThrows(
                    RemoteException.class,
                    () -> rc.complete("x", SamplerSettings.defaults().withMaxTokens(100_000), null, null));
            assertEquals(400, e.status());
            assertTrue(e.getMessage().contains("at most 4096"), e.getMessage());
            assertThrows(
                    IllegalArgumentException.class,
                    () -> rc.complete(
                            "x", SamplerSettings.defaults().withBannedPhrases(List.of("dragon")), null, null));
        }
        try (RemoteCompletions rc = new RemoteCompletions(URI.create("http://127.0.0.1:1"), null, "m")) {
            RemoteException e = assertThrows(RemoteException.class, rc::models);
            assertTrue(e.getMessage().contains("cannot connect"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new RemoteCompletions(URI.create("ftp://x"), null, null));
    }

    @Test
    void urlsWithAndWithoutV1AndTheMixin() {
        assertEquals(
                "http://h:8000/v1/",
                new RemoteCompletions(URI.create("http://h:8000"), null, "m")
                        .endpoint()
                        .toString());
        assertEquals(
                "http://h:8000/v1/",
                new RemoteCompletions(URI.create("http://h:8000/v1/"), null, "m")
                        .endpoint()
                        .toString());

        class Cmd {
            @CommandLine.Mixin
            RemoteOptions remote;
        }
        Cmd cmd = new Cmd();
        new CommandLine(cmd)
                .parseArgs("--remote", ts.server.uri() + "/v1", "--remote-key", "k3y", "--remote-context", "64");
        assertTrue(cmd.remote.enabled());
        try (RemoteCompletions rc = cmd.remote.open(ts.generator.tokenizer())) {
            // a prompt far longer than the 64-token window is fitted, not refused
            int[] ids = ts.generator.tokenizer().encode("word ".repeat(300));
            GenerationResult r = rc.generate(
                    new GenerationRequest(ids, SamplerSettings.greedy().withMaxTokens(4)), null, null);
            assertTrue(r.promptTokens() <= 64, "fitted: " + r.promptTokens());
        }
    }
}
