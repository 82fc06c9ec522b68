package org.longform.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.longform.engine.io.DType;
import org.longform.engine.model.RandomModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code longform make-model}: writes a random-weight MPT folder at a real shape, for benchmarks. */
@Command(
        name = "make-model",
        description = "Write an MPT folder with random weights (config.json + model.safetensors) for benchmarks.")
public final class MakeModelCommand implements Callable<Integer> {
    @Option(names = "--shape", required = true, description = "tiny, 125m, 350m, 1b or 7b")
    String shape;

    @Option(names = "--dtype", defaultValue = "bf16", description = "bf16, f16 or f32 (default: ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Override
    public Integer call() throws Exception {
        DType dt = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "bf16" -> DType.BF16;
            case "f16" -> DType.F16;
            case "f32" -> DType.F32;
            default -> throw new IllegalArgumentException("--dtype must be bf16, f16 or f32, got '" + dtype + "'");
        };
        RandomModel.write(RandomModel.Shape.named(shape), dt, seed, out);
        System.err.println("wrote " + out);
        return 0;
    }
}
