package org.longform.cli;

import org.longform.engine.Assets;
import org.longform.engine.io.gguf.GgufExport;
import org.longform.engine.io.gguf.GgufFile;
import org.longform.engine.model.Model;
import org.longform.engine.quant.WeightType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code longform export-gguf}: a model as a GGUF file in llama.cpp's MPT layout, with the
 * tokenizer, so the same weights open in llama.cpp, KoboldCpp or LM Studio (and so a benchmark can
 * run llama.cpp on exactly the model we run; see bench/llamacpp).
 */
@Command(name = "export-gguf", description = "Write a model as a GGUF file (llama.cpp's MPT layout, with the GPT-NeoX tokenizer) in f32, f16, bf16, q8_0 or q4_0.")
public final class ExportGgufCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "DIR", description = "HF-format MPT folder or .gguf file (default: the embedded demo model).") Path model;
    @Option(names = "--type", defaultValue = "f16", description = "f32, f16, bf16, q8_0 or q4_0 (default: ${DEFAULT-VALUE}).") String type;
    @Option(names = "--out", required = true, paramLabel = "FILE") Path out;

    @Override
    public Integer call() throws Exception {
        int t = switch (type.toLowerCase(java.util.Locale.ROOT)) {
            case "f32" -> GgufFile.F32;
            case "f16" -> GgufFile.F16;
            case "bf16" -> GgufFile.BF16;
            case "q8_0" -> GgufFile.Q8_0;
            case "q4_0" -> GgufFile.Q4_0;
            default -> throw new IllegalArgumentException("--type must be f32, f16, bf16, q8_0 or q4_0, got '" + type + "'");
        };
        // quantized exports reuse the engine's quantization (and its cache next to the model)
        WeightType quant = t == GgufFile.Q8_0 ? WeightType.Q8_0 : t == GgufFile.Q4_0 ? WeightType.Q4_0 : null;
        Path parent = out.toAbsolutePath().getParent();
        if (parent == null || !java.nio.file.Files.isDirectory(parent)) {
            throw new IllegalArgumentException("cannot write " + out + ": the folder " + parent + " does not exist");
        }
        Path dir = model != null ? model : Assets.demoModel();
        try (Model m = Model.load(dir, quant)) {
            Path tok = m.tokenizerFile() != null ? m.tokenizerFile() : Assets.tokenizer();
            try {
                GgufExport.write(m, tok, t, out);
            } catch (java.io.IOException e) {
                throw new java.io.IOException("cannot write " + out + ": " + e.getMessage(), e);
            }
        }
        System.err.println("wrote " + out);
        return 0;
    }
}
