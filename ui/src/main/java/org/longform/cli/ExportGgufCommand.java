package org.longform.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.longform.engine.Assets;
import org.longform.engine.io.gguf.GgufExport;
import org.longform.engine.io.gguf.GgufFile;
import org.longform.engine.model.Model;
import org.longform.engine.quant.WeightType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code longform export-gguf}: a model as a GGUF file in llama.cpp's MPT layout, with the
 * tokenizer, so the same weights open in llama.cpp, KoboldCpp or LM Studio (and so a benchmark can
 * run llama.cpp on exactly the model we run; see bench/llamacpp).
 */
@Command(
        name = "export-gguf",
        description =
                "Write a model as a GGUF file (llama.cpp's MPT layout, with the GPT-NeoX tokenizer) in f32, f16, bf16, q8_0 or q4_0.")
public final class ExportGgufCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            paramLabel = "DIR",
            description = "HF-format MPT folder or .gguf file (default: the embedded demo model).")
    Path model;

    @Option(
            names = "--type",
            defaultValue = "f16",
            description = "f32, f16, bf16, q8_0 or q4_0 (default: ${DEFAULT-VALUE}).")
    String type;

    @Option(names = "--out", required = true, paramLabel = "FILE")
    Path out;

    @Override
    public Integer call() throws Exception {
        int t = GgufFile.typeNamed(type);
        if (!GgufExport.exportable(t))
            throw new IllegalArgumentException("--type must be f32, f16, bf16, q8_0 or q4_0, got '" + type + "'");
        // quantized exports reuse the engine's quantization (and its cache next to the model)
        WeightType quant = GgufFile.quantType(t);
        Path parent = out.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new IllegalArgumentException("cannot write " + out + ": the folder " + parent + " does not exist");
        }
        Path dir = model != null ? model : Assets.demoModel();
        try (Model m = Model.load(dir, quant)) {
            try {
                GgufExport.write(m, m.tokenizerJson(), t, out);
            } catch (IOException e) {
                throw new IOException("cannot write " + out + ": " + e.getMessage(), e);
            }
        }
        System.err.println("wrote " + out);
        return 0;
    }
}
