package org.longform.engine.model;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.ChildJvm;

/**
 * A model file truncated after loading, while mapped: the engine refuses the next generation with
 * one line naming the file, and a raw read past the new end is an InternalError (JDK 25 turns the
 * SIGBUS of a MemorySegment read into one), not a dead JVM. Run in a child JVM in case it were not.
 */
class TruncatedMappingTest {
    @Test
    void aModelFileTruncatedAfterLoadDoesNotKillTheJvm(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("child.out");
        ChildJvm.Finished child = ChildJvm.run(
                out,
                List.of("-XX:ErrorFile=" + tmp.resolve("hs_err.log"), "-Xmx256m"),
                TruncatedMappingChild.class,
                tmp.resolve("work").toString());
        String text = child.text();
        assertEquals(0, child.exit(), "the JVM died: " + text);
        assertFalse(Files.exists(tmp.resolve("hs_err.log")), "HotSpot crashed");
        List<String> lines = text.lines().filter(l -> !l.startsWith("WARNING")).toList();
        for (String b : new String[] {"scalar", "vector"}) {
            assertTrue(lines.contains(b + " GENERATED"), text);
            String refused = lines.stream()
                    .filter(l -> l.startsWith(b + " REFUSED "))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(b + " was not refused: " + text));
            assertTrue(
                    refused.contains("model.safetensors")
                            && refused.contains("was truncated while the model was loaded (10349992 bytes, now 4096)"),
                    refused);
            assertTrue(
                    lines.contains(b + " FAULT a fault occurred in an unsafe memory access operation"),
                    "a read past the end is an InternalError: " + text);
        }
        assertEquals("ALIVE", lines.getLast());
    }
}
