package org.longform.bench;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.longform.engine.quant.Matrix;
import org.longform.engine.quant.QuantMatrix;
import org.longform.engine.quant.Quantizer;
import org.longform.engine.quant.WeightType;
import org.openjdk.jmh.annotations.*;

/** Load-time quantization of one [4d, d] bf16 matrix (single thread): what --quant costs before the cache exists. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class QuantizeBench {
    @Param({"768"})
    int d;

    @Param({"Q8_0", "Q4_0"})
    WeightType type;

    Arena arena;
    Matrix src;

    @Setup
    public void setup() {
        arena = Arena.ofShared();
        src = Shapes.matrix(WeightType.BF16, 4 * d, d, arena, 1);
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public long quantize() {
        try (Arena a = Arena.ofConfined()) {
            QuantMatrix q = Quantizer.quantize(src, type, a, null);
            return q.byteSize();
        }
    }
}
