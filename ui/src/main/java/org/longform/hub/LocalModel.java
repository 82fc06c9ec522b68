package org.longform.hub;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.longform.engine.Assets;
import org.longform.engine.io.ModelFormatException;
import org.longform.engine.io.gguf.GgufFile;
import org.longform.engine.io.gguf.GgufModel;
import org.longform.engine.model.Config;

/**
 * A model on disk the model manager can offer: an HF-format MPT folder (config.json + weights) or
 * a GGUF file. {@link #inspect} checks what can be checked without loading weights and names the
 * file and the problem otherwise.
 *
 * @param config       the MPT config (folders only; null for GGUF)
 * @param gguf         the GGUF header (GGUF files only)
 * @param weightBytes  bytes the weights take once loaded: on disk for folders (memory-mapped); for
 *                     GGUF, formats without kernels (Q3_K...) counted as the q8_0 they become
 * @param tokenizer    the tokenizer.json it will use (its own, else the bundled GPT-NeoX one)
 * @param form         GGUF only: the matrices' stored types and whether they are re-quantized at
 *                     load, e.g. "Q3_K + Q6_K, re-quantized to q8_0 at load"; null for folders
 */
public record LocalModel(
        Path path,
        Kind kind,
        String name,
        Config config,
        GgufInfo gguf,
        long weightBytes,
        Path tokenizer,
        String form) {
    public enum Kind {
        MPT_FOLDER,
        GGUF
    }

    private static final List<String> WEIGHT_NAMES = List.of(
            "model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json");

    /** True for the embedded demo model, so the UI can say it is a small demo. */
    public boolean isDemo() {
        try {
            return Files.isSameFile(path, Assets.demoModel());
        } catch (IOException e) {
            return false;
        }
    }

    /** One line for lists: "mpt-7b-storywriter — MPT 6.7B parameters, 13.3 GB". */
    public String summary() {
        String what = switch (kind) {
            case MPT_FOLDER -> "MPT, " + SystemReport.params(config.parameterCount()) + " parameters";
            case GGUF ->
                "GGUF v" + gguf.version() + ", " + gguf.architecture()
                        + (form == null || form.isEmpty() ? "" : ", " + form);
        };
        return name + " — " + what + ", " + Sizes.human(weightBytes) + (isDemo() ? " (small demo model)" : "");
    }

    public static LocalModel inspect(Path path) {
        Path p = path.toAbsolutePath().normalize();
        if (Files.isDirectory(p)) return folder(p);
        if (Files.isRegularFile(p)) {
            if (!GgufFile.isGguf(p)) {
                throw new ModelFormatException(
                        p, "not a model: choose an MPT folder (with config.json) or a .gguf file");
            }
            // header and tensor table, parsed once (the data is mapped, not read): refuses formats
            // the engine cannot run, naming the tensor, and sizes what loading will take
            GgufInfo g;
            GgufModel.Footprint fp;
            try (Arena a = Arena.ofConfined()) {
                GgufFile f = GgufFile.open(p, a);
                g = GgufInfo.of(f);
                fp = GgufModel.footprint(f);
            }
            String form = fp.storedTypes() + (fp.converted() ? ", re-quantized to q8_0 at load" : "");
            String name = g.name() != null ? g.name() : p.getFileName().toString();
            return new LocalModel(p, Kind.GGUF, name, null, g, fp.loadedBytes(), Assets.tokenizer(), form);
        }
        throw new ModelFormatException(p, "does not exist");
    }

    private static LocalModel folder(Path dir) {
        Config config = Config.load(dir.resolve("config.json")); // refuses non-MPT and unsupported options, naming them
        long weights = 0;
        boolean found = false;
        List<Path> parts;
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.toList();
            parts = files.stream()
                    .filter(f -> f.getFileName().toString().endsWith(".part"))
                    .toList();
            for (Path f : files) {
                String n = f.getFileName().toString();
                if (WEIGHT_NAMES.contains(n)) found = true;
                if (n.endsWith(".safetensors") || (n.startsWith("pytorch_model") && n.endsWith(".bin")))
                    weights += Files.size(f);
            }
        } catch (IOException e) {
            throw new ModelFormatException(dir, "cannot list the folder (" + e.getMessage() + ")");
        }
        if (!parts.isEmpty()) {
            throw new ModelFormatException(
                    dir,
                    "download incomplete: " + parts.size() + " file(s) still end in .part (e.g. "
                            + parts.getFirst().getFileName() + "); run the download again to finish it");
        }
        if (!found) {
            throw new ModelFormatException(
                    dir, "no weights: expected model.safetensors, pytorch_model.bin or a sharded index (*.index.json)");
        }
        Path tok =
                Files.isRegularFile(dir.resolve("tokenizer.json")) ? dir.resolve("tokenizer.json") : Assets.tokenizer();
        return new LocalModel(dir, Kind.MPT_FOLDER, dir.getFileName().toString(), config, null, weights, tok, null);
    }
}
