package org.longform.engine.model;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.longform.engine.Assets;
import org.longform.engine.io.Checkpoint;
import org.longform.engine.io.ModelFormatException;
import org.longform.engine.io.gguf.GgufFile;
import org.longform.engine.io.gguf.GgufModel;
import org.longform.engine.kernels.Parallel;
import org.longform.engine.quant.Matrix;
import org.longform.engine.quant.QuantCache;
import org.longform.engine.quant.QuantMatrix;
import org.longform.engine.quant.Quantizer;
import org.longform.engine.quant.WeightType;

/**
 * A loaded MPT model: config and weights. Weights come from a hub-format folder (config.json +
 * safetensors or PyTorch .bin, mapped) or a llama.cpp GGUF file (or a folder holding exactly one),
 * and may be quantized at load time to q8_0 or q4_0; the quantized form is cached next to the
 * model and mapped directly on the next load. Closing the model unmaps and frees everything.
 */
public final class Model implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Model.class.getName());

    private final Path dir;
    private final Config config;
    private final Weights weights;
    private final Arena arena;
    private final MappedFiles mapped;

    private Model(Path dir, Config config, Weights weights, Arena arena, MappedFiles mapped) {
        this.dir = dir;
        this.config = config;
        this.weights = weights;
        this.arena = arena;
        this.mapped = mapped;
    }

    /** The weights as stored (bf16 stays the exact path). */
    public static Model load(Path path) {
        return load(path, null, true);
    }

    /** Weights quantized to {@code quant} (null or a dense type: as stored), using the on-disk cache. */
    public static Model load(Path path, WeightType quant) {
        return load(path, quant, true);
    }

    /**
     * @param path     a hub-format folder, a .gguf file, or a folder holding one .gguf (and no config.json)
     * @param quant    q8_0 or q4_0 to quantize matrices not already in that form; null keeps the stored form
     * @param useCache read and write the quantized form next to the model
     */
    public static Model load(Path path, WeightType quant, boolean useCache) {
        Path gguf = findGguf(path);
        Arena arena = Arena.ofShared();
        try (Parallel par = new Parallel(Runtime.getRuntime().availableProcessors())) {
            Config cfg;
            Weights w;
            List<Path> sources;
            if (gguf != null) {
                GgufModel.Loaded l = GgufModel.load(gguf, arena, par, quant);
                if (l.converted() != null)
                    LOG.info(gguf.getFileName() + ": re-quantized at load (no kernels for the stored formats): "
                            + l.converted());
                cfg = l.config();
                w = l.weights();
                sources = List.of(gguf);
            } else {
                if (!Files.isDirectory(path)) throw new ModelFormatException(path, "model folder not found");
                cfg = Config.load(path.resolve("config.json"));
                w = new Weights(cfg, Checkpoint.load(path, arena), path);
                sources = weightFiles(path);
            }
            // snapshot before quantizing: the fingerprint of the quant cache is taken from the same files
            List<Path> maps = new ArrayList<>(sources.stream()
                    .filter(p -> !p.getFileName().toString().endsWith(".json"))
                    .toList());
            if (quant != null && quant.quantized()) {
                w = quantize(w, quant, gguf != null ? gguf : path, sources, useCache, arena, par);
                Path cache = QuantCache.fileFor(gguf != null ? gguf : path, quant);
                if (useCache && Files.isRegularFile(cache)) maps.add(cache);
            }
            return new Model(path, cfg, w, arena, MappedFiles.of(maps));
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** The GGUF file {@code path} names or a folder without config.json holds; null for a hub folder. */
    static Path findGguf(Path path) {
        if (Files.isRegularFile(path)) {
            if (GgufFile.isGguf(path)) return path;
            throw new ModelFormatException(path, "not a model folder or a GGUF file");
        }
        if (!Files.isDirectory(path) || Files.exists(path.resolve("config.json"))) return null;
        List<Path> found;
        try (Stream<Path> s = Files.list(path)) {
            found = s.filter(p ->
                            p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gguf"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            return null;
        }
        if (found.size() > 1) {
            throw new ModelFormatException(
                    path,
                    "holds several GGUF files ("
                            + found.stream()
                                    .map(p -> p.getFileName().toString())
                                    .toList() + "); pass one of them");
        }
        return found.isEmpty() ? null : found.getFirst();
    }

    private static List<Path> weightFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                        String n = p.getFileName().toString();
                        return n.equals("config.json")
                                || n.endsWith(".safetensors")
                                || n.endsWith(".bin")
                                || n.endsWith(".pt")
                                || n.endsWith(".pth")
                                || n.endsWith(".index.json");
                    })
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The form each matrix gets: {@code quant}, except that q4_0 keeps the embedding / LM head at q8_0 (as llama.cpp keeps its output matrix above 4 bits). */
    static WeightType target(Weights w, Matrix m, WeightType quant) {
        if (quant == WeightType.Q4_0 && (m == w.wte || m == w.lmHead)) return WeightType.Q8_0;
        return quant;
    }

    private static Weights quantize(
            Weights w, WeightType quant, Path source, List<Path> sources, boolean useCache, Arena arena, Parallel par) {
        List<Matrix> todo = w.matrices().stream()
                .filter(m -> m.type() != target(w, m, quant))
                .toList();
        if (todo.isEmpty()) return w;
        Path cacheFile = QuantCache.fileFor(source, quant);
        String fp = QuantCache.fingerprint(sources);
        Map<String, QuantMatrix> cached = useCache ? QuantCache.read(cacheFile, quant, fp, arena) : null;
        boolean cacheable = useCache;
        boolean complete =
                cached != null && todo.stream().allMatch(m -> fits(cached.get(m.name()), m, target(w, m, quant)));
        if (useCache && !complete) {
            // a new cache, streamed: quantized a block of rows at a time into the file, then mapped back
            long t0 = System.nanoTime();
            Map<String, QuantMatrix> streamed = QuantCache.writeStreaming(
                    cacheFile, quant, fp, todo, m -> target(w, m, quant), arena, par, QuantCache.STREAM_BLOCK_BYTES);
            if (streamed != null && todo.stream().allMatch(m -> fits(streamed.get(m.name()), m, target(w, m, quant)))) {
                LOG.info(String.format(
                        "quantized to %s in %.1f s, cached in %s",
                        quant.label(), (System.nanoTime() - t0) / 1e9, cacheFile));
                return w.map(m -> m.type() != target(w, m, quant) ? streamed.get(m.name()) : m);
            }
            cacheable = false; // could not write it (logged): quantize in memory, as without a cache
        }
        Map<Matrix, Matrix> done = new IdentityHashMap<>();
        List<QuantMatrix> fresh = new ArrayList<>();
        for (Matrix m : todo) {
            WeightType t = target(w, m, quant);
            QuantMatrix c = cached != null ? cached.get(m.name()) : null;
            if (fits(c, m, t)) {
                done.put(m, c);
            } else {
                QuantMatrix q = Quantizer.quantize(m, t, arena, par);
                done.put(m, q);
                fresh.add(q);
            }
        }
        if (cacheable && !fresh.isEmpty()) {
            List<QuantMatrix> all = new ArrayList<>();
            for (Matrix m : todo) all.add((QuantMatrix) done.get(m));
            if (QuantCache.write(cacheFile, quant, fp, all))
                LOG.info("cached " + quant.label() + " weights in " + cacheFile);
        }
        return w.map(m -> done.getOrDefault(m, m));
    }

    private static boolean fits(QuantMatrix c, Matrix m, WeightType t) {
        return c != null && c.type() == t && c.rows() == m.rows() && c.cols() == m.cols();
    }

    public Path dir() {
        return dir;
    }

    public Config config() {
        return config;
    }

    public Weights weights() {
        return weights;
    }

    /** The forms of the weight matrices, e.g. "bf16" or "q4_0 + q8_0". */
    public String weightForm() {
        Set<String> s = new LinkedHashSet<>();
        for (Weights.Layer l : weights.layers) s.add(l.wqkv().type().label());
        s.add(weights.lmHead.type().label());
        return String.join(" + ", s);
    }

    /** The tokenizer.json this model uses: its folder's own, else the bundled GPT-NeoX-20B one. */
    public Path tokenizerJson() {
        Path own = tokenizerFile();
        return own != null ? own : Assets.tokenizer();
    }

    /** The model folder's own tokenizer.json if it has one, else null (use the bundled GPT-NeoX-20B one). */
    public Path tokenizerFile() {
        Path folder = Files.isDirectory(dir) ? dir : dir.getParent();
        Path p = folder == null ? null : folder.resolve("tokenizer.json");
        return p != null && Files.isRegularFile(p) ? p : null;
    }

    /**
     * Throws {@link ModelFormatException} naming a mapped weight file that was
     * truncated or rewritten in place since loading (one stat per file: cheap before each generation).
     */
    public void checkFiles() {
        mapped.check();
    }

    /** The weight files this model maps (and the quantized cache when one is used). */
    public List<Path> mappedFiles() {
        return mapped.paths();
    }

    @Override
    public void close() {
        arena.close();
    }
}
