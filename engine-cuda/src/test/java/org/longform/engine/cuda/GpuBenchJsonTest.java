package org.longform.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** GpuBench's event lines are JSON whatever the strings hold (no GPU needed). */
class GpuBenchJsonTest {
    @Test
    void eventLinesAreValidJsonWithEscapedStrings() throws Exception {
        String reason = "driver said \"no\"\n\tat C:\\cuda\u0001";
        String line = GpuBench.json(
                "event",
                "unavailable",
                "reason",
                reason,
                "context",
                4096,
                "bytes",
                1L << 40,
                "decode_ms",
                12.345678,
                "bound",
                Double.NaN);
        assertEquals(-1, line.indexOf('\n'), "one line: " + line);
        JsonNode o = new ObjectMapper().readTree(line);
        assertEquals("unavailable", o.get("event").asText());
        assertEquals(reason, o.get("reason").asText(), "quotes, backslashes and control characters survive");
        assertEquals(4096, o.get("context").asInt());
        assertEquals(1L << 40, o.get("bytes").asLong());
        assertEquals(12.35, o.get("decode_ms").asDouble(), 0, "4 significant digits");
        assertTrue(o.get("bound").isNull(), "NaN is not JSON: null");
    }
}
