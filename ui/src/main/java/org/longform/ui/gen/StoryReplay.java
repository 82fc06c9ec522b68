package org.longform.ui.gen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.longform.engine.context.ReusePlan;
import org.longform.engine.gen.CancelToken;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.TokenListener;
import org.longform.engine.runtime.Session;
import org.longform.engine.sample.SamplerSettings;
import org.longform.ui.history.EditTree;
import org.longform.ui.prompt.PromptAssembler;
import org.longform.ui.prompt.PromptInput;
import org.longform.ui.story.AuthorsNote;
import org.longform.ui.story.Chapters;
import org.longform.ui.story.StoryChoices;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.StoryFile;
import org.longform.ui.story.StoryFileException;
import org.longform.ui.story.StorySummary;
import org.longform.ui.story.WorldInfoEntry;

/**
 * A scripted writing session run headless through the editor's own classes: the story's
 * {@link StoryPipeline} (token-space prompt, generation, cache warming), its {@link EditTree} for
 * undo and retry, {@link StoryFile} and the story's {@link StoryCaches} entry for a reopen. Each step
 * reports what the cache did; after an edit-like step the cache is warmed as the editor does while
 * the writer pauses, so its cost shows in that step.
 */
public final class StoryReplay {
    /** One scripted action: its kind and its JSON argument. */
    public record Action(String kind, JsonNode arg) {}

    /** A parsed script: the story to start from, the settings, the steps. */
    public record Script(Path storyFile, int window, SamplerSettings sampler, Session.Reuse reuse, List<Action> steps) {
        static final List<String> KINDS = List.of(
                "generate",
                "type",
                "edit",
                "memory",
                "authors_note",
                "world_info_add",
                "undo",
                "retry",
                "reopen",
                "repair",
                "summary");

        /** Reads and checks a script; a problem is one line naming the file and the step. */
        public static Script read(Path file) throws IOException {
            if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": file not found");
            JsonNode root;
            try {
                root = new ObjectMapper().readTree(Files.readString(file));
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        file + ": not a readable JSON script (" + firstLine(e.getMessage()) + ")");
            }
            if (root == null || !root.isObject())
                throw new IllegalArgumentException(file + ": a script is a JSON object");
            Path story = null;
            if (root.hasNonNull("story")) {
                story = file.toAbsolutePath()
                        .getParent()
                        .resolve(root.get("story").asText())
                        .normalize();
                if (!Files.isRegularFile(story))
                    throw new IllegalArgumentException(file + ": story file " + story + " does not exist");
            }
            JsonNode set = root.path("settings");
            SamplerSettings s = StoryData.EDITOR_SAMPLER;
            if (set.has("max_tokens"))
                s = s.withMaxTokens(positive(file, "settings.max_tokens", set.get("max_tokens")));
            if (set.has("temperature"))
                s = s.withTemperature(set.get("temperature").asDouble());
            if (set.has("seed")) s = s.withSeed(set.get("seed").asLong());
            Session.Reuse reuse = switch (set.path("reuse").asText("exact")) {
                case "exact" -> Session.Reuse.EXACT;
                case "approximate" -> Session.Reuse.APPROXIMATE;
                default ->
                    throw new IllegalArgumentException(file + ": settings.reuse must be \"exact\" or \"approximate\"");
            };
            int window = set.has("window") ? positive(file, "settings.window", set.get("window")) : 0;
            JsonNode steps = root.path("steps");
            if (!steps.isArray() || steps.isEmpty())
                throw new IllegalArgumentException(file + ": \"steps\" must be a non-empty array");
            List<Action> out = new ArrayList<>();
            for (int i = 0; i < steps.size(); i++) out.add(action(file, i + 1, steps.get(i)));
            return new Script(story, window, s, reuse, out);
        }

        private static Action action(Path file, int n, JsonNode step) {
            String where = file + ": step " + n + ": ";
            if (!step.isObject() || step.size() != 1)
                throw new IllegalArgumentException(
                        where + "each step is an object with one action, e.g. {\"generate\": 80}");
            Map.Entry<String, JsonNode> e = step.properties().iterator().next();
            String kind = e.getKey();
            JsonNode a = e.getValue();
            if (!KINDS.contains(kind))
                throw new IllegalArgumentException(
                        where + "unknown action \"" + kind + "\" (one of " + String.join(", ", KINDS) + ")");
            boolean ok = switch (kind) {
                case "generate", "undo", "retry" -> a.isInt() && a.asInt() > 0;
                case "type", "memory", "authors_note" -> a.isTextual();
                case "edit" ->
                    a.isObject()
                            && a.path("at").isNumber()
                            && a.path("at").asDouble() >= 0
                            && a.path("at").asDouble() <= 1
                            && (!a.has("delete")
                                    || a.get("delete").isInt()
                                            && a.get("delete").asInt() >= 0)
                            && (!a.has("insert") || a.get("insert").isTextual());
                case "world_info_add" ->
                    a.isObject()
                            && a.path("keys").isArray()
                            && a.path("content").isTextual();
                case "reopen", "repair" -> a.isBoolean() && a.asBoolean();
                case "summary" ->
                    a.isTextual()
                            || a.isObject()
                                    && a.path("model").isBoolean()
                                    && a.get("model").asBoolean();
                default -> false;
            };
            if (!ok)
                throw new IllegalArgumentException(where + "\"" + kind + "\" needs "
                        + switch (kind) {
                            case "generate", "undo", "retry" -> "a positive whole number";
                            case "type", "memory", "authors_note" -> "a string";
                            case "edit" -> "{\"at\": 0..1, \"delete\": N, \"insert\": \"text\"}";
                            case "world_info_add" -> "{\"keys\": [\"...\"], \"content\": \"...\"}";
                            case "summary" -> "the writer's summary (a string) or {\"model\": true}";
                            default -> "true";
                        });
            return new Action(kind, a);
        }

        private static int positive(Path file, String name, JsonNode v) {
            if (!v.isInt() || v.asInt() <= 0)
                throw new IllegalArgumentException(file + ": " + name + " must be a positive whole number");
            return v.asInt();
        }

        private static String firstLine(String s) {
            if (s == null) return "?";
            int nl = s.indexOf('\n');
            return nl < 0 ? s : s.substring(0, nl);
        }
    }

    /**
     * What one step did. {@code placedAfter}: prompt tokens from where world info and the note sit
     * to the end (what any change at the end must recompute); {@code prefixOnlyRecompute}: what the
     * step would have recomputed with prefix reuse alone (llama.cpp's server), the same prompt.
     */
    public record StepReport(
            int index,
            String action,
            int promptTokens,
            int recomputed,
            int reused,
            int shifted,
            int generated,
            long prefillMs,
            long decodeMs,
            int placedAfter,
            int prefixOnlyRecompute,
            int cachedBefore,
            String cacheMode,
            String note) {
        public String line() {
            return String.format(
                    "step %d %s: prompt %d, recomputed %d, reused %d, shifted %d, generated %d, prefill %d ms, decode %d ms (cache %s)%s",
                    index,
                    action,
                    promptTokens,
                    recomputed,
                    reused,
                    shifted,
                    generated,
                    prefillMs,
                    decodeMs,
                    cacheMode,
                    note == null ? "" : " - " + note);
        }
    }

    /** Every step and the totals; a full recompute is a step that recomputed more than half the window of a non-empty cache. */
    public record Report(List<StepReport> steps, int window, int typedTokens, long wallMs) {
        public int recomputed() {
            return steps.stream().mapToInt(StepReport::recomputed).sum();
        }

        public int generated() {
            return steps.stream().mapToInt(StepReport::generated).sum();
        }

        public int fullRecomputes() {
            return (int) steps.stream()
                    .filter(s -> s.cachedBefore > 0 && s.recomputed > window / 2)
                    .count();
        }

        /** Steps that filled an empty cache of more than half the window (the first fill, a reopen without a saved cache). */
        public int coldFills() {
            return (int) steps.stream()
                    .filter(s -> s.cachedBefore == 0 && s.recomputed > window / 2)
                    .count();
        }

        public int prefixOnlyRecomputed() {
            return steps.stream().mapToInt(StepReport::prefixOnlyRecompute).sum();
        }

        /** What recomputing every prompt from scratch would cost. */
        public int fullRecomputeTokens() {
            return steps.stream().mapToInt(StepReport::promptTokens).sum();
        }

        public String totalsLine() {
            return String.format(
                    "totals: recomputed %d, generated %d, typed %d tokens, full recomputes %d, cold fills %d; "
                            + "prefix-only reuse would recompute %d, full recompute %d; %.1f s",
                    recomputed(),
                    generated(),
                    typedTokens,
                    fullRecomputes(),
                    coldFills(),
                    prefixOnlyRecomputed(),
                    fullRecomputeTokens(),
                    wallMs / 1e3);
        }
    }

    private final Script script;
    private final int window;
    private final Path dir;
    private final Supplier<TextGenerator> opener;
    private final StoryCaches caches;

    private TextGenerator g;
    private StoryPipeline pipeline = new StoryPipeline();
    private StoryData data;
    private String text;
    private EditTree tree;
    private int cut = -1, typed;
    private SamplerSettings sampler;

    /**
     * @param window the prompt's context size (and the engine's window)
     * @param dir    where reopen steps save the story and its cache
     * @param opener opens the model (again after a reopen)
     */
    public StoryReplay(Script script, int window, Path dir, Supplier<TextGenerator> opener) {
        this.script = script;
        this.window = window;
        this.dir = dir;
        this.opener = opener;
        this.caches = new StoryCaches(dir.resolve("kv"), 0);
    }

    public Report run(Consumer<StepReport> each) throws IOException {
        long t0 = System.nanoTime();
        try {
            data = script.storyFile() == null ? StoryData.blank("replay") : open(script.storyFile());
            text = data.text();
            tree = new EditTree();
            sampler = script.sampler();
            g = opener.get();
            List<StepReport> out = new ArrayList<>();
            int i = 0;
            for (Action a : script.steps()) {
                StepReport r = step(++i, a);
                out.add(r);
                each.accept(r);
            }
            return new Report(out, window, typed, (System.nanoTime() - t0) / 1_000_000);
        } finally {
            caches.close();
            if (g != null) g.close();
        }
    }

    private static StoryData open(Path f) {
        try {
            return StoryFile.open(f);
        } catch (StoryFileException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    private StepReport step(int n, Action a) throws IOException {
        JsonNode arg = a.arg();
        String note = null;
        switch (a.kind()) {
            case "generate" -> {
                return generate(n, "generate", arg.asInt(), null);
            }
            case "retry" -> {
                StepReport last = null;
                for (int k = 0; k < arg.asInt(); k++) {
                    if (tree.current().kind() != EditTree.Kind.GENERATION) {
                        return warm(n, "retry", "nothing to retry: the last change is not a generation");
                    }
                    int len = tree.current().inserted().length();
                    apply(tree.undo());
                    last = generate(n, "retry", Math.max(1, sampler.maxTokens()), null);
                    if (len == 0) break;
                }
                return last;
            }
            case "type" -> {
                String s = arg.asText();
                typed += g.encode(s).length;
                int pos = text.length();
                tree.recordEdit(pos, "", s, System.currentTimeMillis());
                edit(pos, 0, s);
            }
            case "edit" -> {
                int at = wordStart(text, (int) Math.round(arg.get("at").asDouble() * text.length()));
                int del = Math.min(arg.path("delete").asInt(0), text.length() - at);
                String ins = arg.path("insert").asText("");
                tree.recordEdit(at, text.substring(at, at + del), ins, System.currentTimeMillis());
                edit(at, del, ins);
                note = "at character " + at;
            }
            case "memory" -> data = with(arg.asText(), data.authorsNote(), data.worldInfo());
            case "authors_note" -> {
                AuthorsNote an = data.authorsNote();
                data = with(data.memory(), new AuthorsNote(arg.asText(), an.template(), an.depth()), data.worldInfo());
            }
            case "world_info_add" -> {
                List<String> keys = new ArrayList<>();
                for (Iterator<JsonNode> it = arg.get("keys").elements(); it.hasNext(); )
                    keys.add(it.next().asText());
                List<WorldInfoEntry> wi = new ArrayList<>(data.worldInfo());
                wi.add(new WorldInfoEntry(keys, List.of(), arg.get("content").asText(), "", false, false, true));
                data = with(data.memory(), data.authorsNote(), wi);
            }
            case "undo" -> {
                for (int k = 0; k < arg.asInt() && tree.canUndo(); k++) apply(tree.undo());
            }
            case "reopen" -> note = reopen();
            case "repair" -> {
                return repair(n);
            }
            case "summary" -> {
                return summary(n, arg);
            }
            default -> throw new IllegalStateException(a.kind());
        }
        return warm(n, a.kind(), note);
    }

    /** Generates, then warms the cache for the next request as the editor does once the writer reads on. */
    private StepReport generate(int n, String action, int maxTokens, String note) {
        int[] before = g.cachedTokens();
        int pos = text.length();
        StoryPipeline.Step s =
                pipeline.generate(g, input(maxTokens), sampler.withMaxTokens(maxTokens), script.reuse(), null, null);
        GenerationResult r = s.result();
        if (!r.text().isEmpty()) {
            tree.recordGeneration(pos, r.text(), System.currentTimeMillis());
            text = text + r.text();
        }
        cut = s.prompt().storyCut();
        StepReport gen = report(n, action, s, before, note);
        StepReport idle = warm(n, action, note);
        return new StepReport(
                n,
                action,
                gen.promptTokens(),
                gen.recomputed() + idle.recomputed(),
                gen.reused(),
                gen.shifted() + idle.shifted(),
                gen.generated(),
                gen.prefillMs() + idle.prefillMs(),
                gen.decodeMs(),
                idle.placedAfter(),
                gen.prefixOnlyRecompute() + idle.prefixOnlyRecompute(),
                gen.cachedBefore(),
                idle.cacheMode(),
                note);
    }

    /** The editor warms the cache while the writer pauses: the same here, after each change. */
    private StepReport warm(int n, String action, String note) {
        int[] before = g.cachedTokens();
        StoryPipeline.Step s = pipeline.warm(g, input(sampler.maxTokens()), sampler, script.reuse(), null, null);
        if (s == null) return new StepReport(n, action, 0, 0, 0, 0, 0, 0, 0, 0, 0, before.length, "none", note);
        cut = s.prompt().storyCut();
        return report(n, action, s, before, note);
    }

    private StepReport report(int n, String action, StoryPipeline.Step s, int[] before, String note) {
        GenerationResult r = s.result();
        int[] prompt = s.prompt().ids();
        int common = ReusePlan.commonPrefix(before, before.length, prompt);
        int prefixOnly = prompt.length - Math.min(common, Math.max(0, prompt.length - 1));
        String mode = cacheMode();
        return new StepReport(
                n,
                action,
                r.promptTokens(),
                r.recomputedTokens(),
                s.reused(),
                r.shiftedTokens(),
                r.ids().length,
                r.prefillNanos() / 1_000_000,
                r.decodeNanos() / 1_000_000,
                prompt.length - s.prompt().depthStart(),
                prefixOnly,
                before.length,
                mode,
                note);
    }

    /** "exact", or from which cached token on K and V are approximate (after approximate reuse, until repaired). */
    private String cacheMode() {
        LocalCache c = g.localCache();
        if (c == null) return "none";
        int from = c.approximateFrom();
        return from < 0 ? "exact" : "approximate from token " + from;
    }

    /**
     * The story so far is updated for the chapters that left the view, as the editor's offer does:
     * the writer's text (a string), or entries the model writes ({"model": true}); then applied,
     * which recomputes the window after memory once. The step reports both: the summarising
     * generations (model only) and the warm of the next prompt.
     */
    private StepReport summary(int n, JsonNode arg) {
        StorySummary current = data.summary();
        List<Chapters.Chapter> pending = StorySummary.pending(text, Math.max(0, cut), current.covered());
        StorySummary.Draft draft;
        String note;
        Summariser.Result made = null;
        if (arg.isTextual()) {
            draft = new StorySummary.Draft(arg.asText(), StorySummary.plus(current.covered(), pending));
            note = "the writer's summary, " + draft.covered().size() + " chapters covered";
        } else {
            made = Summariser.summarise(
                    g,
                    data.memory(),
                    current.draftOrCurrent(),
                    text,
                    pending,
                    window,
                    sampler,
                    null,
                    new CancelToken());
            draft = made.draft();
            note = String.format(
                    "the model summarised %d chapters (read %d tokens, wrote %d), %d chapters covered",
                    made.chapters(),
                    made.recomputed(),
                    made.generated(),
                    draft.covered().size());
        }
        data = data.withSummary(current.withDraft(draft).applied());
        StepReport applied = warm(n, "summary", note);
        if (made == null) return applied;
        return new StepReport(
                n,
                "summary",
                applied.promptTokens(),
                made.recomputed() + applied.recomputed(),
                applied.reused(),
                applied.shifted(),
                made.generated(),
                (made.prefillNanos() / 1_000_000) + applied.prefillMs(),
                made.decodeNanos() / 1_000_000,
                applied.placedAfter(),
                made.recomputed() + applied.prefixOnlyRecompute(),
                applied.cachedBefore(),
                applied.cacheMode(),
                note);
    }

    /** The story so far as the last step left it. */
    public StorySummary summaryNow() {
        return data.summary();
    }

    /** What the editor does while the writer pauses after an approximate edit: makes the cache exact again. */
    private StepReport repair(int n) {
        LocalCache c = g.localCache();
        int[] before = g.cachedTokens();
        if (c == null)
            return new StepReport(n, "repair", 0, 0, 0, 0, 0, 0, 0, 0, 0, before.length, "none", "no local cache");
        int from = c.approximateFrom();
        long t0 = System.nanoTime();
        c.repair(TokenListener.NONE, new CancelToken());
        int rewritten = from < 0 ? 0 : before.length - from;
        return new StepReport(
                n,
                "repair",
                before.length,
                rewritten,
                before.length - rewritten,
                0,
                0,
                (System.nanoTime() - t0) / 1_000_000,
                0,
                0,
                0,
                before.length,
                cacheMode(),
                from < 0 ? "already exact" : "rewrote tokens " + from + ".." + before.length);
    }

    private PromptInput input(int reserve) {
        return new PromptInput(
                text,
                text.length(),
                data.memory(),
                data.summary().text(),
                data.authorsNote(),
                data.worldInfo(),
                data.worldInfoRules(),
                window,
                reserve,
                cut,
                g.kvBlockSize());
    }

    private void apply(EditTree.Change c) {
        edit(c.pos(), c.removed().length(), c.inserted());
    }

    /** Replaces {@code del} chars at {@code pos}; the view's start moves with text changed before it, as in the editor. */
    private void edit(int pos, int del, String ins) {
        text = text.substring(0, pos) + ins + text.substring(pos + del);
        cut = PromptAssembler.cutAfterEdit(cut, pos, del, ins.length());
    }

    private StoryData with(String memory, AuthorsNote note, List<WorldInfoEntry> wi) {
        return new StoryData(
                data.id(),
                data.title(),
                text,
                List.of(),
                memory,
                note,
                wi,
                data.worldInfoRules(),
                data.sampling(),
                data.model(),
                false,
                tree.toData(),
                data.created(),
                System.currentTimeMillis(),
                data.summary(),
                StoryChoices.empty());
    }

    /** Saves the story and its cache as the editor does, closes the model, opens both again. */
    private String reopen() throws IOException {
        Path file = dir.resolve("story" + StoryFile.EXTENSION);
        Files.createDirectories(dir);
        StoryData saved = with(data.memory(), data.authorsNote(), data.worldInfo());
        try {
            StoryFile.write(file, saved);
        } catch (StoryFileException e) {
            throw new IOException(e.getMessage(), e);
        }
        warm(0, "reopen", null); // what the editor does while the writer reads, before it saves
        String kept = caches.save(g, saved.id(), cut, pipeline.tokens(g).segmentsFrom(Math.max(0, cut)));
        caches.close(); // the store's bookkeeping belongs to the closed model's cache
        g.close();
        g = null;
        g = opener.get();
        pipeline = new StoryPipeline();
        try {
            data = StoryFile.read(file);
        } catch (StoryFileException e) {
            throw new IOException(e.getMessage(), e);
        }
        text = data.text();
        tree = EditTree.fromData(data.history());
        StoryCaches.Restored restored = caches.restore(g, data.id());
        cut = restored.viewStart();
        if (restored.used()) pipeline.tokens(g).restore(text, restored.segments());
        return "saved: " + kept + "; reopened: " + (restored.used() ? "cache used, " : "cache not used, ")
                + restored.reason();
    }

    /** Moves {@code i} forward to the start of the next word (so an edit never splits one). */
    static int wordStart(String s, int i) {
        if (i <= 0) return 0;
        if (i >= s.length()) return s.length();
        if (Character.isWhitespace(s.charAt(i - 1)) && !Character.isWhitespace(s.charAt(i))) return i;
        int j = i;
        while (j < s.length() && !Character.isWhitespace(s.charAt(j))) j++;
        while (j < s.length() && Character.isWhitespace(s.charAt(j))) j++;
        return j;
    }
}
