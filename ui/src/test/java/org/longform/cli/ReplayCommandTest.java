package org.longform.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code longform replay SCRIPT.json --json}: the output form other checks rely on, and one-line errors. */
class ReplayCommandTest {
    @TempDir
    Path dir;

    @Test
    void jsonHasEveryStepAndTheTotals() throws Exception {
        Files.writeString(
                dir.resolve("story.txt"),
                "The captain looked at the sea for a long while before he spoke. ".repeat(40));
        Path script = dir.resolve("s.json");
        Files.writeString(script, """
                {"story": "story.txt", "settings": {"window": 1024, "max_tokens": 16, "seed": 1},
                 "steps": [{"generate": 16}, {"type": " He turned away."}, {"authors_note": "Keep it grim."}, {"undo": 1},
                           {"retry": 1}, {"reopen": true}, {"generate": 8}]}""");
        CliTest.Run r = CliTest.run("replay", script.toString(), "--json", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        JsonNode o = new ObjectMapper().readTree(r.out());
        assertEquals(7, o.get("steps").size());
        for (JsonNode s : o.get("steps")) {
            for (String k : new String[] {
                "action", "prompt_tokens", "recomputed", "reused", "shifted", "generated", "prefill_ms", "decode_ms"
            }) {
                assertTrue(s.has(k), k + " in " + s);
            }
        }
        assertEquals("reopen", o.get("steps").get(5).get("action").asText());
        assertTrue(
                o.get("steps").get(5).get("recomputed").asInt() <= 64,
                o.get("steps").get(5).toString());
        JsonNode t = o.get("totals");
        for (String k : new String[] {"recomputed", "generated", "typed_tokens", "full_recomputes"})
            assertTrue(t.has(k), k);
        assertEquals(0, t.get("full_recomputes").asInt());
        assertTrue(t.get("generated").asInt() > 0);
    }

    @Test
    void aBadScriptFailsWithOneLine() throws Exception {
        Path script = dir.resolve("bad.json");
        Files.writeString(script, "{\"steps\": [{\"generate\": 0}]}");
        CliTest.Run r = CliTest.run("replay", script.toString());
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("bad.json: step 1: \"generate\" needs a positive whole number"), r.err());
    }
}
