package org.longform.bench;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.longform.engine.kernels.Epilogue;
import org.longform.engine.kernels.VectorBackend;
import org.longform.engine.quant.Matrix;
import org.longform.engine.quant.WeightType;
import org.openjdk.jmh.annotations.*;

/**
 * Matrix products of the MPT-125M and MPT-1B up-projection shapes ([4d, d]; -p shape=down: [d, 4d]) in every weight form:
 * T = 1 is decode (memory-bound; see the bytes/op and compare with the bandwidth bound), T = 256 is
 * a prefill chunk (compute-bound; 2 * N * K * T flops per op). Threads: -p threads=1,2.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx6g"})
public class MatMulBench {
    @Param({"768", "2048"})
    int d;

    @Param({"BF16", "F16", "F32", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    WeightType type;

    @Param({"1", "256"})
    int tokens;

    @Param({"2"})
    int threads;
    /** up: [4d, d] (short rows); down: [d, 4d] (the down projection: rows four times longer, x 4d floats). */
    @Param({"up"})
    String shape;
    /** true: one copy of the matrix, read again and again from cache (the kernel's compute ceiling); false: enough copies to stream from memory. */
    @Param({"false"})
    boolean resident;
    /**
     * Rows x columns, overriding d and shape when set: e.g. -p nk=2048x2048,8192x2048,2048x8192 (1B
     * attention, up, down), 4096x4096,16384x4096 (7B).
     */
    @Param({""})
    String nk;

    Arena arena;
    VectorBackend be;
    Matrix[] ws;
    float[] x, out;
    int next;

    @Setup
    public void setup() {
        arena = Arena.ofShared();
        be = new VectorBackend(threads);
        int N = shape.equals("down") ? d : 4 * d, K = shape.equals("down") ? 4 * d : d;
        if (!nk.isEmpty()) {
            String[] p = nk.split("x");
            N = Integer.parseInt(p[0]);
            K = Integer.parseInt(p[1]);
        }
        // decode: enough copies to exceed the last-level cache, so memory is what is measured
        long bytes = (long) N * K * 2;
        int copies = tokens == 1 && !resident ? (int) Math.max(1, Math.min(64, 600_000_000L / bytes)) : 1;
        ws = new Matrix[copies];
        for (int i = 0; i < copies; i++) ws[i] = Shapes.matrix(type, N, K, arena, i);
        x = Shapes.vector(tokens * K, 7);
        out = new float[tokens * N];
    }

    @TearDown
    public void tearDown() {
        be.close();
        arena.close();
    }

    @Benchmark
    public float matmul() {
        Matrix w = ws[next++ % ws.length];
        be.matmul(w, x, tokens, out, Epilogue.STORE);
        return out[0];
    }
}
