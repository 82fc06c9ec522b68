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
import java.util.concurrent.Callable;
import org.longform.engine.Assets;
import org.longform.ui.gen.EngineSettings;
import org.longform.ui.gen.EngineTextGenerator;
import org.longform.ui.gen.StoryReplay;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code longform replay SCRIPT.json}: a scripted writing session run headless through the
 * editor's own story pipeline ({@link StoryReplay}), reporting per step what the cache recomputed,
 * reused and shifted. The script format is in README.md and docs/LONG_CONTEXT.md.
 */
@Command(
        name = "replay",
        description = "Run a scripted writing session through the editor's prompt and cache pipeline; "
                + "report tokens recomputed, reused and shifted per step.")
public final class ReplayCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SCRIPT.json", description = "The session script (paths in it are relative to it).")
    Path script;

    @Option(
            names = "--model",
            paramLabel = "DIR",
            description = "Model folder or GGUF file (default: the embedded demo model).")
    Path model;

    @Option(
            names = "--window",
            defaultValue = "0",
            description = "Tokens in the model's view; overrides the script's settings.window.")
    int window;

    @Option(names = "--threads", defaultValue = "0", description = "Compute threads (0 = the physical cores).")
    int threads;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description = "Where the story and its cache are saved for reopen steps "
                    + "(default: a temporary folder, deleted afterwards).")
    Path workDir;

    @Option(names = "--json", description = "Print one JSON object with every step and the totals.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        StoryReplay.Script s = StoryReplay.Script.read(script); // a bad script fails here, before the model loads
        int w = window > 0 ? window : s.window();
        if (w <= 0)
            throw new IllegalArgumentException(
                    script + ": settings.window (or --window) must be a positive number of tokens");
        Path dir = workDir != null ? workDir : Files.createTempDirectory("longform-replay");
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = System.err;
        Path m = model != null ? model : Assets.demoModel();
        EngineSettings settings = new EngineSettings("stored", "auto", w);
        try {
            StoryReplay replay = new StoryReplay(s, w, dir, () -> EngineTextGenerator.open(m, threads, settings));
            StoryReplay.Report report = replay.run(step -> {
                if (!json) err.println(step.line());
            });
            if (json) out.println(toJson(report));
            else {
                err.println(report.totalsLine());
            }
            return 0;
        } finally {
            if (workDir == null) deleteTree(dir);
        }
    }

    static String toJson(StoryReplay.Report r) throws IOException {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        ArrayNode steps = root.putArray("steps");
        for (StoryReplay.StepReport s : r.steps()) {
            ObjectNode o = steps.addObject();
            o.put("action", s.action());
            o.put("prompt_tokens", s.promptTokens());
            o.put("recomputed", s.recomputed());
            o.put("reused", s.reused());
            o.put("shifted", s.shifted());
            o.put("generated", s.generated());
            o.put("prefill_ms", s.prefillMs());
            o.put("decode_ms", s.decodeMs());
            o.put("placed_after", s.placedAfter());
            o.put("prefix_only_recompute", s.prefixOnlyRecompute());
            o.put("cache", s.cacheMode());
            if (s.note() != null) o.put("note", s.note());
        }
        ObjectNode t = root.putObject("totals");
        t.put("recomputed", r.recomputed());
        t.put("generated", r.generated());
        t.put("typed_tokens", r.typedTokens());
        t.put("full_recomputes", r.fullRecomputes());
        t.put("cold_fills", r.coldFills());
        t.put("prefix_only_recomputed", r.prefixOnlyRecomputed());
        t.put("full_recompute_tokens", r.fullRecomputeTokens());
        t.put("window", r.window());
        t.put("wall_ms", r.wallMs());
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
