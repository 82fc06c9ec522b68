package org.longform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench} on a fixture model: the JSON keys, --quant, and that --quant does not leak into later commands. */
class BenchCommandTest {
    @TempDir
    Path tmp;

    @Test
    void jsonHasTheContractKeysAndQuantChangesTheWeights() throws Exception {
        Path dir = tmp.resolve("m");
        Files.createDirectories(dir);
        try (Stream<Path> s = Files.list(CliTest.FIXTURES.resolve("tiny-mpt-6h"))) {
            for (Path p : s.toList()) Files.copy(p, dir.resolve(p.getFileName()));
        }
        String[] common = {
            "--model",
            dir.toString(),
            "--prompt-tokens",
            "20",
            "--gen-tokens",
            "4",
            "--threads",
            "2",
            "--bandwidth-mib",
            "16",
            "--json"
        };
        CliTest.Run plain = CliTest.run(concat(new String[] {"bench"}, common));
        assertEquals(0, plain.code(), plain.err());
        JsonNode p = new ObjectMapper().readTree(plain.out());
        for (String k :
                new String[] {"prefill_tok_s", "decode_tok_s", "bytes_per_token", "bandwidth_gb_s", "bound_fraction"}) {
            assertTrue(p.get(k).isNumber() && p.get(k).asDouble() > 0, k + " in " + plain.out());
        }
        assertEquals("bf16", p.get("weights").asText());

        CliTest.Run q = CliTest.run(concat(new String[] {"bench", "--quant", "q8_0"}, common));
        assertEquals(0, q.code(), q.err());
        JsonNode j = new ObjectMapper().readTree(q.out());
        assertEquals("q8_0", j.get("weights").asText());
        assertTrue(j.get("weight_bytes_per_token").asLong()
                < p.get("weight_bytes_per_token").asLong() * 0.6);
        assertTrue(Files.exists(dir.resolve("longform-q8_0.lfq")), "cached next to the model");
        assertNull(System.getProperty("longform.quant"), "--quant is a value passed in, not a JVM-wide property");

        // the next command without --quant runs the stored weights again
        CliTest.Run again = CliTest.run(concat(new String[] {"bench"}, common));
        assertEquals(
                "bf16", new ObjectMapper().readTree(again.out()).get("weights").asText());

        // int8 activations: an opt-in the backend names (bf16 weights themselves stay exact)
        CliTest.Run act = CliTest.run(concat(new String[] {"bench", "--act-quant", "q8"}, common));
        assertEquals(0, act.code(), act.err());
        assertTrue(
                new ObjectMapper().readTree(act.out()).get("backend").asText().contains("q8 activations"), act.out());
        assertFalse(p.get("backend").asText().contains("q8"), "exact by default: " + plain.out());

        CliTest.Run bad = CliTest.run(concat(new String[] {"bench", "--quant", "q3_k"}, common));
        assertFalse(bad.code() == 0);
        assertTrue(bad.err().contains("q3_k"), bad.err());
    }

    @Test
    void profileSplitsADecodedTokenIntoItsCalls() throws Exception {
        String[] args = {
            "bench",
            "--model",
            CliTest.FIXTURES.resolve("tiny-mpt-6h").toString(),
            "--prompt-tokens",
            "20",
            "--gen-tokens",
            "6",
            "--threads",
            "2",
            "--bandwidth-mib",
            "16",
            "--json",
            "--profile"
        };
        CliTest.Run r = CliTest.run(args);
        assertEquals(0, r.code(), r.err());
        JsonNode prof = new ObjectMapper().readTree(r.out()).get("decode_profile");
        assertTrue(prof != null && prof.isArray(), r.out());
        Map<String, JsonNode> kinds = new HashMap<>();
        double share = 0;
        for (JsonNode e : prof) {
            kinds.put(e.get("kind").asText(), e);
            share += e.get("share").asDouble();
        }
        // every layer's four products, the LM head, attention once per layer, LayerNorm twice per layer + once
        int layers = 3;
        JsonNode att = kinds.get("attention");
        assertTrue(att != null && att.get("calls_per_token").asDouble() == layers, r.out());
        assertEquals(
                2 * layers + 1, kinds.get("layernorm").get("calls_per_token").asDouble(), r.out());
        assertEquals(
                5,
                kinds.keySet().stream().filter(k -> k.startsWith("matmul ")).count(),
                kinds.keySet().toString());
        assertTrue(
                kinds.keySet().stream().anyMatch(k -> k.startsWith("matmul ffn.up_proj bf16[")),
                kinds.keySet().toString());
        // the shares are parts of the measured decode time: they add up to it (the rest is outside the backend)
        assertEquals(1.0, share, 0.02, r.out());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
