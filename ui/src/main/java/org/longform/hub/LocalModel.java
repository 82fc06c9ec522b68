package org.longform.hub;

import org.longform.engine.Assets;
import org.longform.engine.io.ModelFormatException;
import org.longform.engine.model.Config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A model on disk the model manager can offer: an HF-format MPT folder (config.json + weights) or
 * a GGUF file. {@link #inspect} checks what can be checked without loading weights and names the
 * file and the problem otherwise.
 *
 * @param config       the MPT config (folders only; null for GGUF)
 * @param gguf         the GGUF header (GGUF files only)
 * @param weightBytes  bytes of weights on disk (what memory-mapping will touch)
 * @param tokenizer    the tokenizer.json it will use (its own, else the bundled GPT-NeoX one)
 */
public record LocalModel(Path path, Kind kind, String name, Config config, GgufInfo gguf, long weightBytes, Path tokenizer) {
    public enum Kind { MPT_FOLDER, GGUF }

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
            case GGUF -> "GGUF v" + gguf.version() + ", " + gguf.architecture();
        };
        return name + " — " + what + ", " + Sizes.human(weightBytes) + (isDemo() ? " (small demo model)" : "");
    }

    public static LocalModel inspect(Path path) {
        Path p = path.toAbsolutePath().normalize();
        if (Files.isDirectory(p)) return folder(p);
        if (Files.isRegularFile(p)) {
            if (!GgufInfo.looksLikeGguf(p)) {
                throw new ModelFormatException(p, "not a model: choose an MPT folder (with config.json) or a .gguf file");
            }
            GgufInfo g = GgufInfo.read(p);
            long size;
            try {
                size = Files.size(p);
            } catch (IOException e) {
                throw new ModelFormatException(p, "cannot read its size (" + e.getMessage() + ")");
            }
            String name = g.name() != null ? g.name() : p.getFileName().toString();
            return new LocalModel(p, Kind.GGUF, name, null, g, size, Assets.tokenizer());
        }
        throw new ModelFormatException(p, "does not exist");
    }

    private static LocalModel folder(Path dir) {
        Config config = Config.load(dir.resolve("config.json"));   // refuses non-MPT and unsupported options, naming them
        long weights = 0;
        boolean found = false;
        List<Path> parts;
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.toList();
            parts = files.stream().filter(f -> f.getFileName().toString().endsWith(".part")).toList();
            for (Path f : files) {
                String n = f.getFileName().toString();
                if (WEIGHT_NAMES.contains(n)) found = true;
                if (n.endsWith(".safetensors") || (n.startsWith("pytorch_model") && n.endsWith(".bin"))) weights += Files.size(f);
            }
        } catch (IOException e) {
            throw new ModelFormatException(dir, "cannot list the folder (" + e.getMessage() + ")");
        }
        if (!parts.isEmpty()) {
            throw new ModelFormatException(dir, "download incomplete: " + parts.size() + " file(s) still end in .part (e.g. "
                    + parts.getFirst().getFileName() + "); run the download again to finish it");
        }
        if (!found) {
            throw new ModelFormatException(dir, "no weights: expected model.safetensors, pytorch_model.bin or a sharded index (*.index.json)");
        }
        Path tok = Files.isRegularFile(dir.resolve("tokenizer.json")) ? dir.resolve("tokenizer.json") : Assets.tokenizer();
        return new LocalModel(dir, Kind.MPT_FOLDER, dir.getFileName().toString(), config, null, weights, tok);
    }
}
