package org.longform.ui.gen;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.Launcher;
import org.longform.engine.ChildJvm;

/**
 * A bounded soak in {@code mvn verify}: 60 generate/stop/retry/edit/undo cycles on the demo model in
 * a child JVM (its own heap, threads and files, none of the other tests'), through
 * {@code longform soak --json}. The 1,000-cycle run is the same command (docs/RELIABILITY.md).
 */
class SoakTest {
    @Test
    void sixtyCyclesKeepMemoryThreadsFilesAndLogitsSteady(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("soak.json"), err = tmp.resolve("soak.err");
        Process p = new ProcessBuilder(ChildJvm.command(
                        List.of(
                                "-XX:+UseParallelGC",
                                "-Xmx256m",
                                "-XX:NativeMemoryTracking=summary",
                                "-Dlongform.home="
                                        + Path.of("..").toAbsolutePath().normalize()),
                        Launcher.class,
                        "soak",
                        "--cycles",
                        "60",
                        "--warmup",
                        "20",
                        "--sample-every",
                        "10",
                        "--max-tokens",
                        "8",
                        "--heap-bound-mb",
                        "2",
                        "--rss-bound-mb",
                        "32",
                        "--work-dir",
                        tmp.resolve("work").toString(),
                        "--json"))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!p.waitFor(900, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the soak did not finish in 900 s: " + Files.readString(err));
        }
        String errText = Files.readString(err, StandardCharsets.UTF_8);
        JsonNode r = new ObjectMapper().readTree(Files.readString(out, StandardCharsets.UTF_8));
        assertEquals(List.of(), textList(r.get("problems")), errText);
        assertEquals(0, p.exitValue(), errText);
        JsonNode t = r.get("totals");
        assertEquals(120, t.get("generations").asInt());
        assertEquals(60, t.get("stopped").asInt(), "every first generation of a cycle was stopped");
        assertEquals(60, t.get("retries").asInt());
        assertEquals(60, t.get("edits").asInt());
        assertTrue(t.get("undos").asInt() >= 30, t.toString());
        assertEquals(2, t.get("saves").asInt());
        assertEquals(0, t.get("shifted_tokens").asInt(), "the story stays in the window");
        assertTrue(t.get("logits_identical").asBoolean(), "bit for bit");
        JsonNode samples = r.get("samples");
        JsonNode w = samples.get(1), e = samples.get(samples.size() - 1);
        assertEquals(20, w.get("cycle").asInt());
        assertEquals(w.get("fds").asInt(), e.get("fds").asInt());
        assertEquals(w.get("file_mappings").asInt(), e.get("file_mappings").asInt());
        assertTrue(e.get("threads").asInt() <= w.get("threads").asInt());
        assertTrue(e.get("heap_bytes").asLong() - w.get("heap_bytes").asLong() < 2L << 20);
        assertTrue(e.get("nmt_committed_kb").asLong() > 0, "NMT is on in the child");
    }

    static List<String> textList(JsonNode a) {
        if (a == null) return List.of("no problems array");
        List<String> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asText()));
        return out;
    }

    static Soak.Sample sample(int cycle, long heap, long rss, int threads, List<String> names, int fds, int maps) {
        return new Soak.Sample(cycle, heap, rss, -1, threads, names, fds, maps, 100, 50);
    }

    /** The verdict is not a formality: each broken bound is named. */
    @Test
    void everyBrokenBoundIsNamed() throws IOException {
        List<String> names = List.of("main", "Finalizer");
        Soak.Sample w = sample(100, 10 << 20, 200_000, 2, names, 40, 130);
        Soak.Sample steady = sample(1000, (10 << 20) + 1000, 200_100, 2, names, 40, 130);
        Soak.Result ok = result(List.of(w, steady), true);
        assertEquals(List.of(), ok.problems(1 << 20, 1024));
        Soak.Sample leaky =
                sample(1000, 30 << 20, 300_000, 3, List.of("main", "Finalizer", "longform-worker-7"), 41, 131);
        List<String> p = result(List.of(w, leaky), false).problems(1 << 20, 1024);
        assertEquals(6, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("heap after GC grew 20.0 MiB from cycle 100 to 1000"), p.get(0));
        assertTrue(p.get(1).startsWith("resident memory grew"), p.get(1));
        assertTrue(p.get(2).contains("new: [longform-worker-7]"), p.get(2));
        assertEquals("open files: 40 at warm-up, 41 at the end", p.get(3));
        assertEquals("file mappings: 130 at warm-up, 131 at the end", p.get(4));
        assertTrue(p.get(5).startsWith("the cache's logits differ"), p.get(5));
    }

    static Soak.Result result(List<Soak.Sample> s, boolean logits) {
        return new Soak.Result(s, 2, 1, 1, 1, 0, 0, 0, 10, 0, 50, logits, logits ? 0 : 1e-6, true, true, true, 100, 1);
    }
}
