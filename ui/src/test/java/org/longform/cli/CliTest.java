package org.longform.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.*;

/** The bin/longform contract, driven in-process: exact output forms and one-line errors. */
class CliTest {
    static final Path FIXTURES = Path.of("../engine/src/test/resources/fixtures").toAbsolutePath().normalize();

    record Run(int code, String out, String err) {}

    static synchronized Run run(String... args) {
        PrintStream o = System.out, e = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Cli.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }

    static JsonNode expected(String model) throws Exception {
        return new ObjectMapper().readTree(FIXTURES.resolve(model + ".expected.json").toFile());
    }

    static JsonNode testCase(JsonNode exp, String name) {
        for (JsonNode c : exp.get("cases")) if (c.get("name").asText().equals(name)) return c;
        throw new AssertionError(name);
    }

    static String csv(JsonNode arr) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode n : arr) sb.append(sb.isEmpty() ? "" : ",").append(n.asInt());
        return sb.toString();
    }

    @Test
    void logitsPrintsOneJsonObjectMatchingTheFixture() throws Exception {
        for (String model : new String[]{"tiny-mpt-4h", "tiny-mpt-6h"}) {
            JsonNode exp = expected(model);
            JsonNode c = testCase(exp, "prompt");
            Run r = run("logits", "--model", FIXTURES.resolve(model).toString(), "--ids", csv(c.get("prompt_ids")),
                    "--chunk", "1", "--top", "5", "--probe", csv(exp.get("probe_ids")), "--json");
            assertEquals(0, r.code(), r.err());
            JsonNode got = new ObjectMapper().readTree(r.out());
            JsonNode positions = got.get("positions");
            assertEquals(c.get("prompt_ids").size(), positions.size());
            for (int i = 0; i < positions.size(); i++) {
                JsonNode p = positions.get(i), want = c.get("positions").get(i);
                assertEquals(i, p.get("index").asInt());
                for (int k = 0; k < 5; k++) {
                    assertEquals(want.get("top5").get(k).get(0).asInt(), p.get("top").get(k).get(0).asInt(), model + " pos " + i + " top " + k);
                    assertEquals(want.get("top5").get(k).get(1).asDouble(), p.get("top").get(k).get(1).asDouble(), 2e-3);
                }
                assertEquals(want.get("lse").asDouble(), p.get("lse").asDouble(), 2e-3);
                for (int k = 0; k < want.get("probe").size(); k++) {
                    assertEquals(want.get("probe").get(k).asDouble(), p.get("probe").get(k).asDouble(), 2e-3);
                }
            }
        }
    }

    @Test
    void logitsAfterEvictionMatchesTheContextShiftCase() throws Exception {
        JsonNode exp = expected("tiny-mpt-6h");
        JsonNode c = testCase(exp, "context-shift");
        int[] ids = StreamSupport.stream(c.get("prompt_ids").spliterator(), false).mapToInt(JsonNode::asInt).toArray();
        String first = String.join(",", Arrays.stream(ids, 0, 599).mapToObj(Integer::toString).toList());
        Run r = run("logits", "--model", FIXTURES.resolve("tiny-mpt-6h").toString(), "--ids", first,
                "--evict", "64:320", "--then-ids", Integer.toString(ids[599]), "--probe", csv(exp.get("probe_ids")));
        assertEquals(0, r.code(), r.err());
        JsonNode p = new ObjectMapper().readTree(r.out()).get("positions");
        assertEquals(1, p.size());
        JsonNode want = c.get("after_shift");
        assertEquals(want.get("top5").get(0).get(0).asInt(), p.get(0).get("top").get(0).get(0).asInt());
        assertEquals(want.get("lse").asDouble(), p.get(0).get("lse").asDouble(), 2e-3);
    }

    @Test
    void continuePrintIdsIsTheGreedyFixture() throws Exception {
        JsonNode c = testCase(expected("tiny-mpt-4h"), "greedy");
        Run r = run("continue", "--model", FIXTURES.resolve("tiny-mpt-4h").toString(), "--ids", csv(c.get("prompt_ids")),
                "--max-tokens", "40", "--temperature", "0", "--print-ids");
        assertEquals(0, r.code(), r.err());
        String want = String.join(" ", StreamSupport.stream(c.get("generated").spliterator(), false).map(JsonNode::asText).toList());
        assertEquals(want, r.out().strip());
        assertTrue(r.err().contains("generated"), "statistics go to stderr: " + r.err());
    }

    @Test
    void continueStreamsTextFromTheDemoModelReproducibly() {
        Run a = run("continue", "--prompt", "The old sailor looked at the sea and", "--max-tokens", "20", "--seed", "7");
        Run b = run("continue", "--prompt", "The old sailor looked at the sea and", "--max-tokens", "20", "--seed", "7");
        assertEquals(0, a.code(), a.err());
        assertTrue(a.out().strip().length() > 10, a.out());
        assertEquals(a.out(), b.out());
        assertFalse(a.out().contains("model "), "no statistics on stdout");
    }

    @Test
    void errorsAreOneLineNamingTheFileAndExitNonZero(@TempDir Path tmp) throws Exception {
        Run r = run("logits", "--model", tmp.resolve("missing").toString(), "--ids", "1,2");
        assertNotEquals(0, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("missing") && r.err().contains("not found"), r.err());

        Path bad = tmp.resolve("bad");
        Files.createDirectories(bad);
        Files.writeString(bad.resolve("config.json"), "{\"model_type\": \"mpt\"}");
        r = run("continue", "--model", bad.toString(), "--prompt", "x", "--max-tokens", "2");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("config.json") && r.err().contains("d_model"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());

        r = run("continue", "--file", tmp.resolve("nope.txt").toString(), "--max-tokens", "2");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("nope.txt"), r.err());

        r = run("logits", "--model", FIXTURES.resolve("tiny-mpt-6h").toString(), "--ids", "1,99999999");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("outside"), r.err());

        // a hostile pickle is refused before anything runs
        Path evil = tmp.resolve("evil");
        Files.createDirectories(evil);
        Files.copy(FIXTURES.resolve("tiny-mpt-4h/config.json"), evil.resolve("config.json"));
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(evil.resolve("pytorch_model.bin")))) {
            byte[] pkl = "\u0080\u0002cos\nsystem\nq\u0000X\u0004\u0000\u0000\u0000trueq\u0001\u0085q\u0002Rq\u0003.".getBytes(StandardCharsets.ISO_8859_1);
            var e = new java.util.zip.ZipEntry("archive/data.pkl");
            e.setMethod(java.util.zip.ZipEntry.STORED);
            e.setSize(pkl.length);
            var crc = new java.util.zip.CRC32();
            crc.update(pkl);
            e.setCrc(crc.getValue());
            zip.putNextEntry(e);
            zip.write(pkl);
            zip.closeEntry();
        }
        r = run("logits", "--model", evil.toString(), "--ids", "1");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("pytorch_model.bin") && r.err().contains("os.system"), r.err());
    }
}
