package org.longform.ui.story;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.longform.engine.sample.SamplerSettings;

/**
 * Reads and writes {@code .longform} story files (JSON; see docs/STORY_FORMAT.md). Every problem
 * becomes a {@link StoryFileException} naming the file and what is wrong; writes are atomic.
 */
public final class StoryFile {
    public static final String FORMAT = "longform-story";
    public static final int VERSION = 1;
    public static final String EXTENSION = ".longform";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private StoryFile() {}

    public static void write(Path file, StoryData story) throws StoryFileException {
        try {
            AtomicFiles.write(file, toJson(story));
        } catch (IOException e) {
            throw new StoryFileException(file, "cannot write: " + describe(e), e);
        }
    }

    /**
     * Writes {@code story} unless the file is no longer what {@code expected} says this instance
     * last read or wrote (null: do not check, e.g. the writer chose to overwrite it). Returns the
     * stamp of what was written, for the next save's check.
     *
     * @throws StoryChangedException the file changed on disk; nothing was written
     */
    public static DiskStamp writeChecked(Path file, StoryData story, DiskStamp expected) throws StoryFileException {
        byte[] bytes = toJson(story);
        try {
            if (expected != null && !expected.matches(file)) throw new StoryChangedException(file);
            AtomicFiles.write(file, bytes);
            return DiskStamp.of(file, bytes);
        } catch (IOException e) {
            throw new StoryFileException(file, "cannot write: " + describe(e), e);
        }
    }

    /** A copy's name beside {@code file} that does not exist yet: "NAME (conflict 2026-12-07 14-05).longform". */
    public static Path conflictCopy(Path file) {
        String base = titleOf(file) + " (conflict "
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH-mm")) + ")";
        Path p = file.resolveSibling(base + EXTENSION);
        for (int i = 2; Files.exists(p); i++) p = file.resolveSibling(base + " " + i + EXTENSION);
        return p;
    }

    public static StoryData read(Path file) throws StoryFileException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new StoryFileException(file, "file not found");
        } catch (IOException e) {
            throw new StoryFileException(file, "cannot read: " + describe(e), e);
        }
        return fromJson(file, bytes);
    }

    /**
     * Opens any story-ish file: {@code .longform}, KoboldAI/KoboldCpp {@code .json}, or plain
     * {@code .txt}/{@code .md} (imported as a new story with that text).
     */
    public static StoryData open(Path file) throws StoryFileException {
        String name = file.getFileName().toString().toLowerCase();
        if (name.endsWith(".json")) return KoboldImport.read(file);
        if (name.endsWith(".txt") || name.endsWith(".md") || name.endsWith(".markdown")) return importText(file);
        return read(file);
    }

    public static StoryData importText(Path file) throws StoryFileException {
        return importTextWithNotice(file).story();
    }

    /** A story read from a file, with what the writer should be told about how it was read (or null). */
    public record Opened(StoryData story, String notice) {}

    /** As {@link #open}, with a notice when a text file was not UTF-8 and its encoding was assumed. */
    public static Opened openWithNotice(Path file) throws StoryFileException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean text = name.endsWith(".txt") || name.endsWith(".md") || name.endsWith(".markdown");
        if (text) return importTextWithNotice(file);
        return new Opened(open(file), null);
    }

    /** Plain text in any encoding {@link TextEncoding} recognises; the notice names an assumed one. */
    public static Opened importTextWithNotice(Path file) throws StoryFileException {
        TextEncoding.Decoded d;
        try {
            d = TextEncoding.decode(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new StoryFileException(file, "file not found");
        } catch (IOException e) {
            throw new StoryFileException(file, "cannot read: " + describe(e), e);
        }
        String text = d.text().replace("\r\n", "\n");
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        String notice = d.notice() == null ? null : file.getFileName() + " was " + d.notice();
        return new Opened(StoryData.blank(titleOf(file)).withText(text), notice);
    }

    public static String titleOf(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    public static byte[] toJson(StoryData s) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.put("id", s.id());
        root.put("title", s.title());
        root.put("created", s.created());
        root.put("modified", s.modified());
        if (s.model() != null) root.put("model", s.model());
        root.put("text", s.text());
        ArrayNode spans = root.putArray("generated");
        for (Span sp : s.generated()) spans.addArray().add(sp.start()).add(sp.end());
        root.put("memory", s.memory());
        ObjectNode an = root.putObject("authorsNote");
        an.put("text", s.authorsNote().text());
        an.put("template", s.authorsNote().template());
        an.put("depth", s.authorsNote().depth());
        ObjectNode wi = root.putObject("worldInfo");
        wi.put("scanChars", s.worldInfoRules().scanChars());
        wi.put("budgetTokens", s.worldInfoRules().budgetTokens());
        // Anti-keys and folders are written only when used, so a story without them is what older versions wrote.
        if (!s.worldInfoRules().disabledFolders().isEmpty())
            strings(wi.putArray("disabledFolders"), s.worldInfoRules().disabledFolders());
        ArrayNode entries = wi.putArray("entries");
        for (WorldInfoEntry e : s.worldInfo()) {
            ObjectNode o = entries.addObject();
            strings(o.putArray("keys"), e.keys());
            strings(o.putArray("secondaryKeys"), e.secondaryKeys());
            if (!e.antiKeys().isEmpty()) strings(o.putArray("antiKeys"), e.antiKeys());
            o.put("content", e.content());
            o.put("comment", e.comment());
            if (!e.folder().isEmpty()) o.put("folder", e.folder());
            o.put("constant", e.constant());
            o.put("selective", e.selective());
            o.put("enabled", e.enabled());
        }
        root.set("sampler", samplingJson(s.sampling()));
        // Written only when used, so a story without one is byte for byte what older versions wrote.
        if (!s.summary().isEmpty() || !s.summary().offer()) root.set("summary", summaryJson(s.summary()));
        // Written only when there are some; an older Longform reads past the field (see docs/STORY_FORMAT.md).
        if (!s.choices().isEmpty()) root.set("choices", choicesJson(s.choices()));
        root.put("generateAtCursor", s.generateAtCursor());
        ObjectNode h = root.putObject("history");
        h.put("current", s.history().current());
        ArrayNode nodes = h.putArray("nodes");
        for (HistoryData.Node n : s.history().nodes()) {
            ObjectNode o = nodes.addObject();
            o.put("id", n.id());
            o.put("parent", n.parent());
            o.put("kind", n.kind());
            o.put("pos", n.pos());
            o.put("removed", n.removed());
            o.put("inserted", n.inserted());
            o.put("time", n.time());
            o.put("activeChild", n.activeChild());
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize a story", e); // in-memory tree: cannot happen
        }
    }

    private static ObjectNode choicesJson(StoryChoices c) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode runs = o.putArray("runs");
        for (StoryChoices.Run r : c.newest(StoryChoices.MAX_TOKENS).runs()) {
            ObjectNode run = runs.addObject();
            run.put("start", r.start());
            run.put("end", r.end());
            run.put("tokens", r.tokens().size());
            run.put("data", StoryChoices.encode(r));
        }
        return o;
    }

    /**
     * The saved choices that still fit {@code text}; a run that does not decode, or lies outside the text or
     * over another, is dropped: they are the model's notes on the text, never worth refusing the story for.
     */
    private static StoryChoices choicesFrom(JsonNode o, String text) {
        if (o == null || !o.isObject()) return StoryChoices.empty();
        List<StoryChoices.Run> runs = new ArrayList<>();
        int last = 0;
        for (JsonNode r : o.path("runs")) {
            int start = r.path("start").asInt(-1), end = r.path("end").asInt(-1);
            if (start < last
                    || end <= start
                    || end > text.length()
                    || !r.path("data").isTextual()) continue;
            try {
                runs.add(StoryChoices.decode(start, end, r.get("data").asText()));
                last = end;
            } catch (IllegalArgumentException bad) {
                // dropped, as the doc comment says
            }
        }
        return new StoryChoices(runs);
    }

    private static ObjectNode summaryJson(StorySummary s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("text", s.text());
        coveredJson(o.putArray("covered"), s.covered());
        if (s.draft() != null) {
            ObjectNode d = o.putObject("draft");
            d.put("text", s.draft().text());
            coveredJson(d.putArray("covered"), s.draft().covered());
        }
        o.put("offer", s.offer());
        return o;
    }

    private static void coveredJson(ArrayNode a, List<StorySummary.Covered> covered) {
        for (StorySummary.Covered c : covered)
            a.addObject().put("title", c.title()).put("end", c.end());
    }

    /** A missing summary is an empty one (files written before it existed). */
    private static StorySummary summaryFrom(JsonNode o) {
        if (o == null || o.isNull()) return StorySummary.empty();
        if (!o.isObject()) throw new IllegalArgumentException("\"summary\" must be an object");
        JsonNode d = o.get("draft");
        StorySummary.Draft draft = null;
        if (d != null && !d.isNull()) {
            if (!d.isObject()) throw new IllegalArgumentException("\"summary.draft\" must be an object");
            draft = new StorySummary.Draft(
                    text(d, "text", "summary.draft.text"), coveredFrom(d.get("covered"), "summary.draft.covered"));
        }
        return new StorySummary(
                text(o, "text", "summary.text"),
                coveredFrom(o.get("covered"), "summary.covered"),
                draft,
                o.path("offer").asBoolean(true));
    }

    private static List<StorySummary.Covered> coveredFrom(JsonNode a, String what) {
        List<StorySummary.Covered> out = new ArrayList<>();
        for (JsonNode c : arr(a, what)) {
            if (!c.isObject() || !c.path("title").isTextual() || !c.path("end").canConvertToInt())
                throw new IllegalArgumentException("\"" + what + "\" entries must be {\"title\": text, \"end\": N}");
            out.add(new StorySummary.Covered(
                    c.get("title").asText(), Math.max(0, c.get("end").asInt())));
        }
        return out;
    }

    private static String text(JsonNode o, String field, String what) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return "";
        if (!v.isTextual()) throw new IllegalArgumentException("\"" + what + "\" must be a string");
        return v.asText();
    }

    public static ObjectNode samplingJson(SamplerSettings p) {
        ObjectNode o = JSON.createObjectNode();
        o.put("temperature", p.temperature());
        o.put("topK", p.topK());
        o.put("topP", p.topP());
        o.put("minP", p.minP());
        o.put("typicalP", p.typicalP());
        o.put("repetitionPenalty", p.repetitionPenalty());
        o.put("repetitionRange", p.repetitionRange());
        if (p.seed() == null) o.putNull("seed");
        else o.put("seed", p.seed());
        o.put("maxTokens", p.maxTokens());
        strings(o.putArray("stopSequences"), p.stopSequences());
        strings(o.putArray("bannedPhrases"), p.bannedPhrases());
        // Written only when used, so a story without them is byte for byte what older versions wrote.
        if (!p.dry().equals(SamplerSettings.Dry.OFF)) {
            ObjectNode d = o.putObject("dry");
            d.put("multiplier", p.dry().multiplier());
            d.put("base", p.dry().base());
            d.put("allowedLength", p.dry().allowedLength());
            d.put("range", p.dry().range());
            strings(d.putArray("sequenceBreakers"), p.dry().sequenceBreakers());
        }
        if (!p.xtc().equals(SamplerSettings.Xtc.OFF)) {
            ObjectNode x = o.putObject("xtc");
            x.put("threshold", p.xtc().threshold());
            x.put("probability", p.xtc().probability());
        }
        if (!p.logitBias().isEmpty()) {
            ObjectNode b = o.putObject("logitBias");
            p.logitBias().forEach((id, v) -> b.put(Integer.toString(id), v));
        }
        if (!p.phraseBias().isEmpty()) {
            ObjectNode b = o.putObject("phraseBias");
            p.phraseBias().forEach(b::put);
        }
        return o;
    }

    /** Missing fields take the editor's preset; present fields of the wrong kind or range are errors. */
    public static SamplerSettings samplingFrom(JsonNode o, String where) {
        SamplerSettings d = StoryData.EDITOR_SAMPLER;
        if (o == null || o.isNull() || o.isMissingNode()) return d;
        if (!o.isObject()) throw new IllegalArgumentException(where + " must be an object");
        JsonNode seed = o.get("seed");
        return new SamplerSettings(
                num(o, "temperature", d.temperature(), where),
                (int) num(o, "topK", d.topK(), where),
                num(o, "topP", d.topP(), where),
                num(o, "minP", d.minP(), where),
                num(o, "typicalP", d.typicalP(), where),
                num(o, "repetitionPenalty", d.repetitionPenalty(), where),
                (int) num(o, "repetitionRange", d.repetitionRange(), where),
                seed == null || seed.isNull() ? null : Long.valueOf((long) num(o, "seed", 0, where)),
                (int) num(o, "maxTokens", d.maxTokens(), where),
                nonEmpty(stringList(o.get("stopSequences"), where + ".stopSequences")),
                nonEmpty(stringList(o.get("bannedPhrases"), where + ".bannedPhrases")),
                dryFrom(o.get("dry"), d.dry(), where + ".dry"),
                xtcFrom(o.get("xtc"), d.xtc(), where + ".xtc"),
                biasFrom(o.get("logitBias"), where + ".logitBias", k -> {
                    try {
                        return Integer.valueOf(k);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(where + ".logitBias: \"" + k + "\" is not a token id");
                    }
                }),
                biasFrom(o.get("phraseBias"), where + ".phraseBias", k -> k));
    }

    private static SamplerSettings.Dry dryFrom(JsonNode o, SamplerSettings.Dry d, String where) {
        if (o == null || o.isNull()) return d;
        if (!o.isObject()) throw new IllegalArgumentException(where + " must be an object");
        JsonNode breakers = o.get("sequenceBreakers");
        return new SamplerSettings.Dry(
                num(o, "multiplier", d.multiplier(), where),
                num(o, "base", d.base(), where),
                (int) num(o, "allowedLength", d.allowedLength(), where),
                (int) num(o, "range", d.range(), where),
                breakers == null || breakers.isNull()
                        ? d.sequenceBreakers()
                        : nonEmpty(stringList(breakers, where + ".sequenceBreakers")));
    }

    private static SamplerSettings.Xtc xtcFrom(JsonNode o, SamplerSettings.Xtc d, String where) {
        if (o == null || o.isNull()) return d;
        if (!o.isObject()) throw new IllegalArgumentException(where + " must be an object");
        return new SamplerSettings.Xtc(
                num(o, "threshold", d.threshold(), where), num(o, "probability", d.probability(), where));
    }

    /** {"key": bias, ...}; keys converted by {@code key} (which reports its own errors). */
    private static <K> Map<K, Double> biasFrom(JsonNode o, String where, Function<String, K> key) {
        Map<K, Double> out = new LinkedHashMap<>();
        if (o == null || o.isNull()) return out;
        if (!o.isObject()) throw new IllegalArgumentException(where + " must be an object of {\"key\": bias}");
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            out.put(key.apply(e.getKey()), num(o, e.getKey(), 0, where));
        }
        return out;
    }

    /** An empty stop string or banned phrase would match everywhere (the sampler refuses it): it is dropped. */
    private static List<String> nonEmpty(List<String> list) {
        return list.stream().filter(x -> !x.isEmpty()).toList();
    }

    static StoryData fromJson(Path file, byte[] bytes) throws StoryFileException {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JacksonException e) {
            throw new StoryFileException(
                    file,
                    "not valid JSON (" + e.getOriginalMessage()
                            + (e.getLocation() != null
                                    ? " at line " + e.getLocation().getLineNr() + ", column "
                                            + e.getLocation().getColumnNr()
                                    : "")
                            + ")");
        } catch (IOException e) {
            throw new StoryFileException(file, "cannot parse: " + describe(e), e);
        }
        if (root == null || !root.isObject())
            throw new StoryFileException(file, "not a Longform story (expected a JSON object)");
        if (!FORMAT.equals(root.path("format").asText())) {
            if (root.has("actions") || root.has("gamestarted")) return KoboldImport.fromJson(file, root);
            throw new StoryFileException(file, "not a Longform story (missing \"format\": \"" + FORMAT + "\")");
        }
        int version = root.path("version").asInt(-1);
        if (version < 1) throw new StoryFileException(file, "missing or invalid \"version\"");
        if (version > VERSION)
            throw new StoryFileException(
                    file,
                    "written by a newer Longform (format version " + version + "; this one reads up to " + VERSION
                            + ")");
        try {
            JsonNode textNode = root.get("text");
            if (textNode == null || !textNode.isTextual())
                throw new IllegalArgumentException("\"text\" is missing or not a string");
            String text = textNode.asText();
            List<Span> spans = new ArrayList<>();
            for (JsonNode sp : arr(root.get("generated"), "generated")) {
                if (!sp.isArray() || sp.size() != 2)
                    throw new IllegalArgumentException("\"generated\" spans must be [start, end] pairs");
                int a = sp.get(0).asInt(), b = sp.get(1).asInt();
                if (a < 0 || b < a || b > text.length())
                    throw new IllegalArgumentException("generated span [" + a + ", " + b + ") is outside the text");
                spans.add(new Span(a, b));
            }
            JsonNode an = root.path("authorsNote");
            AuthorsNote note = new AuthorsNote(
                    an.path("text").asText(""),
                    an.path("template").asText(AuthorsNote.DEFAULT_TEMPLATE),
                    an.path("depth").asInt(AuthorsNote.DEFAULT_DEPTH));
            JsonNode wi = root.path("worldInfo");
            WorldInfoRules rules = new WorldInfoRules(
                    wi.path("scanChars").asInt(WorldInfoRules.defaults().scanChars()),
                    wi.path("budgetTokens").asInt(WorldInfoRules.defaults().budgetTokens()),
                    stringList(wi.get("disabledFolders"), "worldInfo.disabledFolders"));
            List<WorldInfoEntry> entries = new ArrayList<>();
            for (JsonNode e : arr(wi.get("entries"), "worldInfo.entries")) {
                entries.add(new WorldInfoEntry(
                        stringList(e.get("keys"), "world info keys"),
                        stringList(e.get("secondaryKeys"), "world info secondaryKeys"),
                        stringList(e.get("antiKeys"), "world info antiKeys"),
                        e.path("content").asText(""),
                        e.path("comment").asText(""),
                        e.path("folder").asText(""),
                        e.path("constant").asBoolean(false),
                        e.path("selective").asBoolean(false),
                        e.path("enabled").asBoolean(true)));
            }
            SamplerSettings sampling = samplingFrom(root.get("sampler"), "sampler");
            HistoryData history = history(root.path("history"));
            long now = System.currentTimeMillis();
            return new StoryData(
                    root.path("id").asText(null),
                    root.path("title").asText(titleOf(file)),
                    text,
                    spans,
                    root.path("memory").asText(""),
                    note,
                    entries,
                    rules,
                    sampling,
                    root.hasNonNull("model") ? root.get("model").asText() : null,
                    root.path("generateAtCursor").asBoolean(false),
                    history,
                    root.path("created").asLong(now),
                    root.path("modified").asLong(now),
                    summaryFrom(root.get("summary")),
                    choicesFrom(root.get("choices"), text));
        } catch (IllegalArgumentException e) {
            throw new StoryFileException(file, e.getMessage());
        }
    }

    private static HistoryData history(JsonNode h) {
        if (h.isMissingNode() || h.isNull()) return HistoryData.empty();
        List<HistoryData.Node> nodes = new ArrayList<>();
        for (JsonNode n : arr(h.get("nodes"), "history.nodes")) {
            nodes.add(new HistoryData.Node(
                    n.path("id").asInt(),
                    n.path("parent").asInt(),
                    n.path("kind").asText("edit"),
                    n.path("pos").asInt(),
                    n.path("removed").asText(""),
                    n.path("inserted").asText(""),
                    n.path("time").asLong(0),
                    n.path("activeChild").asInt(-1)));
        }
        return new HistoryData(nodes, h.path("current").asInt(0));
    }

    private static Iterable<JsonNode> arr(JsonNode n, String what) {
        if (n == null || n.isNull()) return List.of();
        if (!n.isArray()) throw new IllegalArgumentException("\"" + what + "\" must be a list");
        return n;
    }

    static List<String> stringList(JsonNode n, String what) {
        List<String> out = new ArrayList<>();
        if (n == null || n.isNull()) return out;
        if (n.isTextual()) return WorldInfoEntry.splitKeys(n.asText()); // tolerate "a, b" as well as ["a", "b"]
        for (JsonNode s : arr(n, what)) out.add(s.asText());
        return out;
    }

    private static double num(JsonNode o, String field, double dflt, String where) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isNumber()) throw new IllegalArgumentException(where + "." + field + " must be a number, got " + v);
        return v.asDouble();
    }

    private static void strings(ArrayNode a, List<String> values) {
        for (String v : values) a.add(v);
    }

    static String describe(IOException e) {
        String m = e.getMessage();
        // what a writer can act on: the disk is full, or the folder is read-only
        if (e instanceof AccessDeniedException) return "permission denied (a read-only folder or file?)";
        String msg = m == null ? "" : m;
        if (msg.contains("No space left") || msg.contains("Disk quota exceeded")) return "the disk is full (" + m + ")";
        if (msg.contains("File too large")) return "the file is larger than this disk or account allows (" + m + ")";
        boolean readOnly = e instanceof FileSystemException f && "Read-only file system".equals(f.getReason());
        if (readOnly) return "the disk is read-only";
        return e.getClass().getSimpleName().replace("Exception", "") + (m == null ? "" : " (" + m + ")");
    }
}
