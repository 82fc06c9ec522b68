package org.longform.engine.gen;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.ChildJvm;

/**
 * Generating never dies of OutOfMemoryError: a generation whose allocation fails in a full heap
 * ends with one line, the cache is dropped and the next generation, with room again, gives the same
 * tokens. Before, the Error went past every {@code catch (RuntimeException)} on the model worker and
 * the editor waited for a generation that had died.
 */
class OutOfMemoryTest {
    @Test
    void aGenerationInAFullHeapDiedOfOutOfMemoryError(@TempDir Path tmp) throws Exception {
        // scalar: the Vector API's interpreted fallback allocates a box per operation until C2 compiles it, so in
        // a heap filled to the last 16 KB it thrashes the collector instead of failing (a real heap is not that full)
        for (String backend : new String[] {"scalar"}) {
            Path out = tmp.resolve(backend + ".out");
            ChildJvm.Finished child =
                    ChildJvm.run(out, List.of("-XX:+UseSerialGC", "-Xmx96m"), OutOfMemoryChild.class, backend);
            String text = child.text();
            assertEquals(0, child.exit(), text);
            List<String> lines =
                    text.lines().filter(l -> !l.startsWith("WARNING")).toList();
            String failed = lines.stream()
                    .filter(l -> l.startsWith("FAILED "))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(backend + ": " + text));
            assertTrue(failed.startsWith("FAILED out of memory while generating ("), failed);
            assertTrue(failed.contains("nothing was lost"), failed);
            assertTrue(lines.contains("SAME AFTERWARDS"), text);
            assertEquals("ALIVE", lines.getLast(), text);
        }
    }
}
