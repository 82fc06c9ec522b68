package org.longform.ui.gen;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.Assets;
import org.longform.engine.context.ReusePlan;
import org.longform.ui.TestSupport;

/**
 * The replay scripts in replay/ on the demo model: what the editor's pipeline recomputes when the
 * window moves, the writer types, generates, edits, changes memory / note / world info, and reopens.
 */
class ReplayScriptsTest {
    @TempDir
    Path dir;

    static Path script(String name) {
        return TestSupport.home().resolve("replay").resolve(name);
    }

    static boolean corpus() {
        return Files.isRegularFile(TestSupport.home()
                .resolve("../shared/corpus/moby-dick.melville.txt")
                .normalize());
    }

    StoryReplay.Report run(String name, List<StoryReplay.StepReport> steps) throws IOException {
        return run(name, steps, new ArrayList<>());
    }

    /** Runs a script; {@code summaries} gets the story so far after each step. */
    StoryReplay.Report run(String name, List<StoryReplay.StepReport> steps, List<String> summaries) throws IOException {
        StoryReplay.Script s = StoryReplay.Script.read(script(name));
        EngineSettings settings = new EngineSettings("stored", "f32", s.window());
        StoryReplay r =
                new StoryReplay(s, s.window(), dir, () -> EngineTextGenerator.open(Assets.demoModel(), 0, settings));
        return r.run(step -> {
            steps.add(step);
            summaries.add(r.summaryNow().text());
            System.out.println(name + ": " + step.line());
        });
    }

    @Test
    void aLongSessionNeverRecomputesTheWindow() throws IOException {
        if (!corpus()) return; // ../shared/corpus is beside every checkout and CI clone; nothing to replay without it
        List<StoryReplay.StepReport> steps = new ArrayList<>();
        StoryReplay.Report rep = run("moby-dick-session.json", steps);
        System.out.println(rep.totalsLine());
        long moves = steps.stream().filter(s -> s.shifted() > 0).count();
        assertTrue(moves >= 5, "the window moved " + moves + " times");
        steps.forEach(s -> assertEquals(0, s.shifted() % 64, "moves by whole KV blocks (64 tokens): " + s.line()));
        assertEquals(1, rep.coldFills(), "one cold fill: the first");
        assertEquals(0, rep.fullRecomputes(), "no step after it recomputed more than half the window");
        TokenCounter tok = TestSupport.tokenizer();
        for (StoryReplay.StepReport s : steps) {
            switch (s.action()) {
                case "generate" -> {
                    if (s.cachedBefore() == 0) continue;
                    assertTrue(
                            s.recomputed() <= s.generated() + s.placedAfter() + 16,
                            "a generation costs its tokens plus what sits at depth: " + s.line() + ", at depth "
                                    + s.placedAfter());
                }
                case "type" ->
                    assertTrue(
                            s.recomputed() <= 8 + s.placedAfter() + 16,
                            "typing costs its tokens plus what sits at depth: " + s.line());
                case "reopen" -> assertTrue(s.recomputed() <= 64, "a reopened story maps its cache back: " + s.line());
                default -> {}
            }
        }
        assertTrue(rep.recomputed() < rep.prefixOnlyRecomputed(), "better than prefix-only reuse: " + rep.totalsLine());
        assertTrue(rep.recomputed() * 4 < rep.fullRecomputeTokens(), rep.totalsLine());
        assertTrue(tok.encode(" He turned away.").length <= 8);
    }

    @Test
    void exactEditsRecomputeFromTheEditOn() throws IOException {
        List<StoryReplay.StepReport> steps = new ArrayList<>();
        run("edits.json", steps);
        StoryReplay.StepReport near = steps.get(1), deep = steps.get(3), memory = steps.get(5);
        assertEquals("edit", near.action());
        double share = near.recomputed() / (double) near.promptTokens();
        assertTrue(share > 0.02 && share < 0.09, "an edit at 95 % recomputes about the last 5 %: " + near.line());
        assertTrue(
                deep.recomputed() > 0.6 * deep.promptTokens(),
                "an exact edit at 30 % recomputes the rest: " + deep.line());
        assertTrue(
                memory.recomputed() >= memory.promptTokens() - 1,
                "memory sits at the top: a change recomputes all: " + memory.line());
        steps.forEach(s -> assertEquals("exact", s.cacheMode(), s.line()));
    }

    @Test
    void approximateEditsKeepTheTailAndARepairMakesItExact() throws IOException {
        List<StoryReplay.StepReport> steps = new ArrayList<>();
        run("edits-approximate.json", steps);
        StoryReplay.StepReport near = steps.get(1),
                repair = steps.get(2),
                deep = steps.get(4),
                memory = steps.get(7),
                last = steps.getLast();
        assertEquals("edit", near.action());
        assertTrue(near.recomputed() <= 32, "only the edited words: " + near.line());
        assertTrue(near.cacheMode().startsWith("approximate"), near.line());
        assertEquals("repair", repair.action());
        assertEquals("exact", repair.cacheMode(), repair.line());
        assertTrue(repair.recomputed() > 0, repair.line());
        assertTrue(deep.recomputed() <= 32, "a deep edit too: " + deep.line());
        assertTrue(memory.recomputed() <= 32, "and a memory change: " + memory.line());
        assertEquals("repair", last.action());
        assertEquals("exact", last.cacheMode());
        assertTrue(
                last.recomputed() > 0.9 * memory.promptTokens() - 64,
                "the repair rewrote what followed the memory: " + last.line());
    }

    /**
     * The story so far sits after memory in the pinned prefix: an update (the model's or the writer's)
     * recomputes the window after memory exactly once, and the steps after it cost what they cost
     * before; the summary travels with the saved story, so the reopen maps the cache back.
     */
    @Test
    void aSummaryUpdateCostsOneWindowRecomputeAndNothingElse() throws IOException {
        List<StoryReplay.StepReport> steps = new ArrayList<>();
        List<String> summaries = new ArrayList<>();
        StoryReplay.Report rep = run("summary.json", steps, summaries);
        System.out.println(rep.totalsLine());
        TokenCounter tok = TestSupport.tokenizer();
        int memory = tok.encode("Alice follows a White Rabbit down a hole into Wonderland.\n").length;
        System.out.println("the model's summary: " + summaries.get(2));
        StoryReplay.StepReport model = steps.get(2), writer = steps.get(7);
        assertEquals("summary", model.action());
        assertTrue(
                model.note().startsWith("the model summarised 2 chapters")
                        && model.note().endsWith("2 chapters covered"),
                "CHAPTER I and II left the view: " + model.line());
        assertTrue(model.generated() > 0, model.line());
        assertEquals("summary", writer.action());
        assertEquals(0, writer.generated());
        // Memory and the start the old and new summaries share are kept; the rest of the window is read again, once.
        int[] before = tok.encode(summaries.get(6) + "\n"), after = tok.encode(summaries.get(7) + "\n");
        int shared = ReusePlan.commonPrefix(before, before.length, after);
        assertEquals(writer.promptTokens() - memory - shared, writer.recomputed(), writer.line());
        assertEquals(0, writer.shifted(), writer.line());
        for (StoryReplay.StepReport s : steps) {
            switch (s.action()) {
                case "generate" -> {
                    if (s.cachedBefore() == 0) continue;
                    assertTrue(
                            s.recomputed() <= s.generated() + s.placedAfter() + 16,
                            "after a summary update a generation costs what it did before: " + s.line());
                }
                case "type" -> assertTrue(s.recomputed() <= 8 + s.placedAfter() + 16, s.line());
                case "reopen" -> assertTrue(s.recomputed() <= 64, "the summary is saved with the story: " + s.line());
                default -> {}
            }
        }
        assertEquals(1, rep.coldFills(), rep.totalsLine());
        assertEquals(2, rep.fullRecomputes(), "one window recompute per summary update: " + rep.totalsLine());
    }

    /** With approximate reuse the writer's summary costs its own tokens; a repair makes the cache exact again. */
    @Test
    void withApproximateReuseASummaryCostsItsOwnTokensUntilRepaired() throws IOException {
        List<StoryReplay.StepReport> steps = new ArrayList<>();
        List<String> summaries = new ArrayList<>();
        StoryReplay.Report rep = run("summary-approximate.json", steps, summaries);
        System.out.println(rep.totalsLine());
        int summary = TestSupport.tokenizer().encode(summaries.get(2) + "\n").length;
        StoryReplay.StepReport update = steps.get(2), repair = steps.get(3);
        assertEquals("summary", update.action());
        assertTrue(update.recomputed() <= summary + 16, "about the summary's " + summary + " tokens: " + update.line());
        assertTrue(update.cacheMode().startsWith("approximate"), update.line());
        assertEquals("repair", repair.action());
        assertEquals("exact", repair.cacheMode(), repair.line());
        assertTrue(repair.recomputed() > update.promptTokens() / 2, "the window after it, rewritten: " + repair.line());
        for (StoryReplay.StepReport s : steps.subList(4, steps.size()))
            assertTrue(s.recomputed() <= s.generated() + s.placedAfter() + 16, s.line());
        assertEquals(1, rep.fullRecomputes(), "the repair, run while the writer pauses: " + rep.totalsLine());
    }

    @Test
    void aBadScriptIsOneLineNamingTheStep() throws IOException {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"steps\": [{\"generate\": 10}, {\"fly\": 3}]}");
        var e = assertThrows(IllegalArgumentException.class, () -> StoryReplay.Script.read(f));
        assertTrue(e.getMessage().contains("bad.json: step 2: unknown action \"fly\""), e.getMessage());
        Files.writeString(f, "{\"steps\": [{\"edit\": {\"at\": 2}}]}");
        e = assertThrows(IllegalArgumentException.class, () -> StoryReplay.Script.read(f));
        assertTrue(e.getMessage().contains("step 1: \"edit\" needs"), e.getMessage());
        Files.writeString(f, "{\"story\": \"missing.txt\", \"steps\": [{\"generate\": 1}]}");
        e = assertThrows(IllegalArgumentException.class, () -> StoryReplay.Script.read(f));
        assertTrue(e.getMessage().contains("missing.txt does not exist"), e.getMessage());
        Files.writeString(f, "{\"steps\": [{\"summary\": 3}]}");
        e = assertThrows(IllegalArgumentException.class, () -> StoryReplay.Script.read(f));
        assertTrue(e.getMessage().contains("step 1: \"summary\" needs the writer's summary"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> StoryReplay.Script.read(dir.resolve("none.json")));
        assertEquals(dir.resolve("none.json") + ": file not found", e.getMessage());
        Files.writeString(f, "not json");
        e = assertThrows(IllegalArgumentException.class, () -> StoryReplay.Script.read(f));
        assertTrue(e.getMessage().startsWith(f + ": not a readable JSON script"), e.getMessage());
    }
}
