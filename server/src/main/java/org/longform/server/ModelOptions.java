package org.longform.server;

import java.nio.file.Path;
import org.longform.engine.Assets;
import org.longform.engine.kernels.Activations;
import org.longform.engine.kernels.BackendKind;
import org.longform.engine.kv.KvDType;
import org.longform.engine.quant.WeightType;
import org.longform.engine.runtime.EngineOptions;
import picocli.CommandLine.Option;

/**
 * Options shared by the commands that load a model ({@code serve} here, and the CLI's commands in the
 * ui module, which mix in this one type), handed to the engine as values. The JVM's
 * {@code -Dlongform.backend}, {@code -Dlongform.threads} and {@code -Dlongform.quant} are only the
 * defaults of {@code --backend}, {@code --threads} and {@code --quant} (picocli reads them).
 */
public final class ModelOptions {
    @Option(
            names = "--model",
            paramLabel = "DIR",
            description =
                    "HF-format MPT folder (config.json + weights), a llama.cpp .gguf file, or a folder holding one. Default: the embedded demo model.")
    Path model;

    @Option(
            names = "--backend",
            paramLabel = "NAME",
            defaultValue = "${sys:longform.backend:-auto}",
            description =
                    "auto, cuda, vector or scalar (default: ${DEFAULT-VALUE}); auto takes a CUDA GPU when one is usable.")
    String backend;

    @Option(
            names = "--threads",
            defaultValue = "${sys:longform.threads:-0}",
            description = "Compute threads (0 = the physical cores).")
    int threads;

    @Option(
            names = "--block-size",
            defaultValue = "64",
            description = "KV cache block size in tokens (default: ${DEFAULT-VALUE}).")
    int blockSize;

    @Option(
            names = "--kv-budget-mb",
            defaultValue = "0",
            description = "KV cache memory budget in MiB (0 = an 84k window within half the physical memory).")
    long kvBudgetMb;

    @Option(
            names = "--kv-dtype",
            paramLabel = "TYPE",
            defaultValue = "f32",
            description =
                    "KV cache element type: f32 (exact), bf16 or f16 (half the memory), int8 (a quarter) (default: ${DEFAULT-VALUE}).")
    String kvDType;

    @Option(
            names = "--quant",
            paramLabel = "TYPE",
            defaultValue = "${sys:longform.quant:-none}",
            description =
                    "Quantize the weights at load time: q8_0, q4_0 or none (default: as stored, or -Dlongform.quant). "
                            + "The quantized form is cached next to the model and mapped on the next load.")
    String quant;

    @Option(
            names = "--act-quant",
            paramLabel = "MODE",
            defaultValue = "exact",
            description =
                    "Decode activations: exact (default) or q8, which rounds them to int8 per 256 values (llama.cpp's q8_K) "
                            + "so k-quant layers multiply integers where that is faster at this CPU's vector width (Q4_K at "
                            + "256 bits, Q6_K at 512): an approximation, a small gain (docs/PERFORMANCE.md).")
    String actQuant;

    public Path modelDir() {
        return model != null ? model : Assets.demoModel();
    }

    /** The folder or file asked for with --model; null when none was (the demo model). */
    public Path modelArgument() {
        return model;
    }

    /** --threads as given (0 = the physical cores). */
    public int threads() {
        return threads;
    }

    /** The quantization asked for (null: as stored); unknown names are refused with a one-line message. */
    public WeightType quant() {
        return WeightType.parseQuant(quant);
    }

    public EngineOptions engineOptions(int chunk) {
        return new EngineOptions(
                        BackendKind.parse(backend),
                        threads,
                        blockSize,
                        chunk,
                        kvBudgetMb * 1024 * 1024,
                        KvDType.parse(kvDType),
                        quant())
                .withActivations(Activations.parse(actQuant));
    }
}
