package org.longform.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.longform.engine.kernels.Gelu;
import org.longform.engine.kernels.LayerNorm;
import org.longform.engine.kernels.Parallel;
import org.openjdk.jmh.annotations.*;

/** The small per-token operations: LayerNorm, GELU, and the cost of one dispatch to the thread team. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class SmallOpsBench {
    @Param({"2048"})
    int d;

    float[] x, w, out, h;
    Parallel par;
    AtomicInteger counter = new AtomicInteger();
    Parallel.Job empty;

    @Setup
    public void setup() {
        x = Shapes.vector(d, 1);
        w = Shapes.vector(d, 2);
        out = new float[d];
        h = Shapes.vector(4 * d, 3);
        par = new Parallel(2);
        empty = worker -> counter.incrementAndGet();
    }

    @TearDown
    public void tearDown() {
        par.close();
    }

    @Benchmark
    public float layerNormVector() {
        LayerNorm.vectorRow(x, 0, w, 1e-5f, d, out);
        return out[0];
    }

    @Benchmark
    public float layerNormScalar() {
        LayerNorm.scalarRow(x, 0, w, 1e-5f, d, out);
        return out[0];
    }

    @Benchmark
    public float geluVector() {
        Gelu.vector(h, 0, h.length);
        h[0] = 0.5f;
        return h[1];
    }

    @Benchmark
    public float geluScalar() {
        Gelu.scalar(h, h.length);
        h[0] = 0.5f;
        return h[1];
    }

    /** One dispatch and completion of an empty job on a 2-thread team (the per-matmul overhead in decode). */
    @Benchmark
    public int dispatch() {
        par.run(empty);
        return counter.get();
    }
}
