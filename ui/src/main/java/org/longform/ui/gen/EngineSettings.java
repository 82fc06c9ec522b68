package org.longform.ui.gen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;
import org.longform.engine.kv.KvDType;
import org.longform.engine.quant.WeightType;
import org.longform.ui.story.AtomicFiles;

/**
 * How the editor runs a local model, kept in CONFIG/engine.json: the weights' form (as stored, or
 * quantized at load to q8_0 / q4_0 and cached next to the model), the KV cache's dtype and its
 * window. "auto" takes the system check's recommendation for this machine and model (the most
 * precise dtype that keeps a 65k-token window, else the most compact; see {@code KvPlan}).
 *
 * @param weights "stored", "q8_0" or "q4_0"
 * @param kv      "auto", "f32", "f16", "bf16" or "int8"
 * @param window  KV window in tokens; 0 = auto (the recommendation, or for an explicit dtype the
 *                engine's default budget: an 84k window within half the memory)
 */
public record EngineSettings(String weights, String kv, int window) {
    public static final String FILE = "engine.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public EngineSettings {
        weights = normWeights(weights);
        kv = normKv(kv);
        window = Math.max(0, window);
    }

    public static EngineSettings defaults() {
        return new EngineSettings("stored", "auto", 0);
    }

    /** The quantization to load with, or null for the stored form. */
    public WeightType quant() {
        return WeightType.parseQuant(weights);
    }

    /** The KV dtype asked for, or null for auto. */
    public KvDType kvDType() {
        return "auto".equals(kv) ? null : KvDType.parse(kv);
    }

    private static String normWeights(String w) {
        if (w == null || !validWeights(w)) return "stored";
        WeightType t = WeightType.parseQuant(w);
        return t == null ? "stored" : t.label();
    }

    private static String normKv(String k) {
        if (k == null || k.isBlank() || "auto".equalsIgnoreCase(k.trim()) || !validKv(k)) return "auto";
        return KvDType.parse(k).name().toLowerCase(Locale.ROOT);
    }

    private static boolean validWeights(String w) {
        return parses(() -> WeightType.parseQuant(w));
    }

    private static boolean validKv(String k) {
        return "auto".equalsIgnoreCase(k.trim()) || parses(() -> KvDType.parse(k));
    }

    /** Whether the engine's own parser takes the value (it throws on unknown names). */
    private static boolean parses(Runnable parse) {
        try {
            parse.run();
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The settings in {@code file}; defaults when it is missing or damaged (settings are never worth a failed start). */
    public static EngineSettings load(Path file) {
        return load(file, problem -> {});
    }

    /**
     * As {@link #load(Path)}, and what was wrong with the file (which file, which value, what is used
     * instead) goes to {@code problems}, for the writer to see.
     */
    public static EngineSettings load(Path file, Consumer<String> problems) {
        if (!Files.isRegularFile(file)) return defaults();
        JsonNode o;
        try {
            o = JSON.readTree(file.toFile());
        } catch (IOException | RuntimeException e) {
            problems.accept(file + " cannot be read as settings ("
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + "); using the defaults");
            return defaults();
        }
        String w = o.path("weights").asText("stored"), k = o.path("kv").asText("auto");
        int win = o.path("window").asInt(0);
        if (!validWeights(w))
            problems.accept(file + ": unknown weights '" + w + "' (stored, q8_0 or q4_0); using the stored form");
        if (!validKv(k))
            problems.accept(file + ": unknown KV type '" + k + "' (auto, f32, f16, bf16 or int8); using auto");
        if (win < 0) problems.accept(file + ": a window of " + win + " tokens; using auto");
        return new EngineSettings(w, k, win);
    }

    public void save(Path file) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("weights", weights).put("kv", kv).put("window", window);
        Files.createDirectories(file.toAbsolutePath().getParent());
        AtomicFiles.write(file, JSON.writeValueAsBytes(o));
    }
}
