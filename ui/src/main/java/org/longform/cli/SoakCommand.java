package org.longform.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import org.longform.engine.Assets;
import org.longform.engine.kernels.BackendKind;
import org.longform.ui.gen.EngineSettings;
import org.longform.ui.gen.EngineTextGenerator;
import org.longform.ui.gen.Soak;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code longform soak}: a night of writing in one session ({@link Soak}), with the memory, thread,
 * file and mapping figures every few cycles and the bounds they must keep; exit 1 when one breaks.
 */
@Command(
        name = "soak",
        description = "Run many generate/stop/retry/edit/undo cycles in one session through the editor's pipeline;"
                + " check that heap, native memory, threads, open files and mappings stay flat.")
public final class SoakCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "DIR", description = "Model folder or GGUF (default: the demo model).")
    Path model;

    @Option(names = "--cycles", defaultValue = "1000", description = "Writing cycles (default 1000).")
    int cycles;

    @Option(
            names = "--warmup",
            defaultValue = "-1",
            description = "Cycle from which memory must be flat (default: a tenth of the cycles, at least 10).")
    int warmup;

    @Option(names = "--sample-every", defaultValue = "10", description = "Cycles between measurements.")
    int sampleEvery;

    @Option(names = "--window", defaultValue = "256", description = "Tokens in the model's view.")
    int window;

    @Option(names = "--max-tokens", defaultValue = "16", description = "Tokens per generation.")
    int maxTokens;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the sampling and the edits.")
    long seed;

    @Option(names = "--save-every", defaultValue = "25", description = "Cycles between story and KV saves.")
    int saveEvery;

    @Option(
            names = "--backend",
            defaultValue = "scalar",
            description = "scalar (default: the logits check is bit for bit), vector or auto.")
    String backend;

    @Option(names = "--threads", defaultValue = "0", description = "Compute threads (0 = the physical cores).")
    int threads;

    @Option(names = "--heap-bound-mb", defaultValue = "8", description = "Most heap growth after warm-up.")
    double heapBoundMb;

    @Option(names = "--rss-bound-mb", defaultValue = "32", description = "Most resident-memory growth after warm-up.")
    double rssBoundMb;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Where saves go (default: a temporary folder).")
    Path workDir;

    @Option(names = "--json", description = "Print one JSON object with every sample and the verdict.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        int w = warmup >= 0 ? warmup : Math.min(cycles - 1, Math.max(10, cycles / 10));
        BackendKind kind = BackendKind.parse(backend);
        Path dir = workDir != null ? workDir : Files.createTempDirectory("longform-soak");
        Soak.Options o = new Soak.Options(cycles, w, sampleEvery, window, maxTokens, seed, saveEvery, dir);
        Path m = model != null ? model : Assets.demoModel();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = System.err;
        try {
            Soak soak = new Soak(
                    o, () -> EngineTextGenerator.open(m, threads, new EngineSettings("stored", "auto", window), kind));
            Soak.Result r = soak.run(s -> {
                if (!json)
                    err.printf(
                            "cycle %d: heap %.1f MiB, rss %.1f MiB%s, threads %d, files %d, mappings %d,"
                                    + " story %d chars%n",
                            s.cycle(),
                            s.heapUsedBytes() / 1048576.0,
                            s.rssKb() / 1024.0,
                            s.nmtCommittedKb() < 0 ? "" : String.format(", nmt %.1f MiB", s.nmtCommittedKb() / 1024.0),
                            s.threads(),
                            s.fds(),
                            s.fileMappings(),
                            s.storyChars());
            });
            List<String> problems = r.problems((long) (heapBoundMb * 1048576), (long) (rssBoundMb * 1024));
            if (json) out.println(toJson(r, problems));
            else {
                err.printf(
                        "%d cycles in %.1f s: %d generations (%d stopped), %d retries, %d edits (%d cuts),"
                                + " %d undos, %d saves,"
                                + " %d tokens generated, %d shifted out; from cycle %d: heap %+.2f MiB, rss %+.1f MiB;"
                                + " logits %s a fresh prefill of %d tokens%n",
                        cycles,
                        r.wallMs() / 1e3,
                        r.generations(),
                        r.stopped(),
                        r.retries(),
                        r.edits(),
                        r.cuts(),
                        r.undos(),
                        r.saves(),
                        r.tokensGenerated(),
                        r.shiftedTokens(),
                        w,
                        r.heapGrowthBytes() / 1048576.0,
                        r.rssGrowthKb() / 1024.0,
                        r.logitsIdentical()
                                ? "identical to"
                                : "max |diff| " + r.logitsMaxDiff()
                                        + (r.sameTopToken() ? ", same top token, vs" : " from"),
                        r.promptTokens());
                for (String p : problems) err.println("soak: " + p);
            }
            return problems.isEmpty() ? 0 : 1;
        } finally {
            if (workDir == null) deleteTree(dir);
        }
    }

    static String toJson(Soak.Result r, List<String> problems) throws IOException {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        ArrayNode samples = root.putArray("samples");
        for (Soak.Sample s : r.samples()) {
            ObjectNode o = samples.addObject();
            o.put("cycle", s.cycle());
            o.put("heap_bytes", s.heapUsedBytes());
            o.put("rss_kb", s.rssKb());
            o.put("nmt_committed_kb", s.nmtCommittedKb());
            o.put("threads", s.threads());
            o.put("fds", s.fds());
            o.put("file_mappings", s.fileMappings());
            o.put("story_chars", s.storyChars());
            o.put("cached_tokens", s.cachedTokens());
        }
        ObjectNode t = root.putObject("totals");
        t.put("generations", r.generations());
        t.put("stopped", r.stopped());
        t.put("retries", r.retries());
        t.put("edits", r.edits());
        t.put("cuts", r.cuts());
        t.put("undos", r.undos());
        t.put("saves", r.saves());
        t.put("tokens_generated", r.tokensGenerated());
        t.put("shifted_tokens", r.shiftedTokens());
        t.put("warmup", r.warmup());
        t.put("heap_growth_bytes", r.heapGrowthBytes());
        t.put("rss_growth_kb", r.rssGrowthKb());
        t.put("nmt_growth_kb", r.nmtGrowthKb());
        t.put("prompt_tokens", r.promptTokens());
        t.put("logits_identical", r.logitsIdentical());
        t.put("logits_max_diff", r.logitsMaxDiff());
        t.put("same_top_token", r.sameTopToken());
        t.put("fresh_text_same_ids", r.freshTextSameIds());
        t.put("wall_ms", r.wallMs());
        ArrayNode p = root.putArray("problems");
        problems.forEach(p::add);
        return m.writeValueAsString(root);
    }

    private static void deleteTree(Path dir) {
        try (var s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder left behind is harmless
        }
    }
}
