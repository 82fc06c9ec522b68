package org.longform.server;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.Generator;
import org.longform.engine.sample.SamplerSettings;

/**
 * `longform serve` driven by the official {@code openai} npm package (src/test/node): models,
 * completions, streaming, seeds, typed errors, and an aborted stream. Skips, saying why, only when
 * node or npm is missing; our machines and CI have both.
 */
class OpenAiNodeClientTest {
    static final Path SRC = Path.of("src/test/node").toAbsolutePath();
    static final Path WORK = Path.of("target/node-openai").toAbsolutePath();

    @Test
    void officialOpenAiClientDrivesTheServer() throws Exception {
        assumeTrue(runs("node", "--version"), "node is not installed: the openai npm client test needs Node 20+");
        assumeTrue(
                runs("npm", "--version"),
                "npm is not installed: the openai npm client test needs it to install the client");

        // install outside the source tree, from the committed lockfile
        Files.createDirectories(WORK);
        for (String f : List.of("package.json", "package-lock.json", "openai-client.mjs")) {
            Files.copy(SRC.resolve(f), WORK.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isRegularFile(WORK.resolve("node_modules/openai/package.json"))) {
            Result install = run(WORK, Map.of(), 180, "npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts");
            assertEquals(0, install.code, "npm ci failed:\n" + install.output);
        }

        String prompt = "The wind carried the smell of the sea";
        String expected;
        try (Generator ref = TestServer.tinyGenerator()) {
            expected = ref.generate(
                            new GenerationRequest(
                                    ref.tokenizer().encode(prompt),
                                    SamplerSettings.greedy().withMaxTokens(12)),
                            null,
                            null)
                    .text();
        }
        try (TestServer ts = TestServer.start(TestServer.config().withApiKey("node-key"))) {
            Result r = run(
                    WORK,
                    Map.of(
                            "LONGFORM_BASE_URL",
                            ts.server.uri() + "/v1",
                            "LONGFORM_API_KEY",
                            "node-key",
                            "LONGFORM_PROMPT",
                            prompt,
                            "LONGFORM_EXPECTED",
                            expected),
                    90,
                    "node",
                    "openai-client.mjs");
            assertEquals(0, r.code, "the openai client script failed:\n" + r.output);
            String last = r.output.strip().lines().reduce((a, b) -> b).orElse("");
            System.out.println("openai npm client results: " + last);
            JsonNode j = TestServer.JSON.readTree(last);
            assertEquals("tiny", j.get("models").get(0).asText());
            assertEquals(400, j.get("badRequest").asInt());
            assertEquals(401, j.get("unauthorized").asInt());
            assertTrue(j.get("streamChunks").asInt() > 2);
            // the aborted 4000-token stream was cancelled on the server, not run to the end
            SecurityTest.waitFor(() -> ts.server.engine().stats().cancelled() >= 1, 10_000);
        }
    }

    record Result(int code, String output) {}

    static boolean runs(String... cmd) {
        try {
            return run(Path.of("."), Map.of(), 30, cmd).code == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static Result run(Path dir, Map<String, String> env, int timeoutS, String... cmd)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Path log = Files.createTempFile("longform-node", ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        try {
            if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(
                        -1, "timed out after " + timeoutS + " s\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
