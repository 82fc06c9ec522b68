package org.longform.bench;

import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.longform.engine.kernels.Activations;
import org.longform.engine.kernels.Epilogue;
import org.longform.engine.kernels.VectorBackend;
import org.longform.engine.quant.Matrix;
import org.longform.engine.quant.WeightType;

/**
 * One-token products (decode) with exact and int8 activations, alternating: every round times each
 * (type, activations) case once, so a shared machine's load hits all cases alike; prints the median
 * µs per product (wall, and the calling thread's CPU time: with one thread that is the product's
 * time less the waits for a core on a shared machine) and each case's speed relative to the first.
 * Enough copies of each matrix to stream from memory.
 * <p>
 * {@code ActQuantBench THREADS ROUNDS NxK[,NxK...] CASE[,CASE...]}, a case being TYPE:ACT, e.g.
 * {@code ActQuantBench 1 15 8192x2048,2048x8192,4096x4096 q8_0:exact,q4_K:exact,q4_K:q8,q6_K:exact,q6_K:q8}.
 */
public final class ActQuantBench {
    private ActQuantBench() {}

    /** The caller's CPU time: with one thread it runs the whole product, and it does not count waiting for a core. */
    private static final ThreadMXBean BEAN = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]), rounds = Integer.parseInt(args[1]);
        String[] cases = args[3].split(",");
        try (VectorBackend exact = new VectorBackend(threads);
                VectorBackend q8 = new VectorBackend(threads, Activations.Q8)) {
            System.out.println(exact.name() + " / " + q8.name());
            for (String shape : args[2].split(",")) {
                int N = Integer.parseInt(shape.split("x")[0]), K = Integer.parseInt(shape.split("x")[1]);
                run(N, K, cases, rounds, exact, q8);
            }
        }
    }

    private static void run(int N, int K, String[] cases, int rounds, VectorBackend exact, VectorBackend q8) {
        try (Arena arena = Arena.ofShared()) {
            List<Matrix[]> ws = new ArrayList<>();
            for (String c : cases) {
                WeightType t = type(c.split(":")[0]);
                int copies = (int) Math.max(2, Math.min(32, 300_000_000L / ((long) N * K)));
                Matrix[] m = new Matrix[copies];
                for (int i = 0; i < copies; i++) m[i] = Shapes.matrix(t, N, K, arena, i);
                ws.add(m);
            }
            float[] x = Shapes.vector(K, 7), out = new float[N];
            double[][] us = new double[cases.length][rounds], cpu = new double[cases.length][rounds];
            for (int r = -3; r < rounds; r++) { // three warm-up rounds
                for (int c = 0; c < cases.length; c++) {
                    VectorBackend be = cases[c].endsWith(":q8") ? q8 : exact;
                    Matrix[] m = ws.get(c);
                    long t0 = System.nanoTime(), c0 = BEAN.getCurrentThreadCpuTime();
                    int reps = Math.max(m.length, 20);
                    for (int i = 0; i < reps; i++) be.matmul(m[i % m.length], x, 1, out, Epilogue.STORE);
                    if (r >= 0) {
                        us[c][r] = (System.nanoTime() - t0) / 1e3 / reps;
                        cpu[c][r] = (BEAN.getCurrentThreadCpuTime() - c0) / 1e3 / reps;
                    }
                }
            }
            double base = 0, baseCpu = 0;
            for (int c = 0; c < cases.length; c++) {
                double[] u = us[c].clone(), v = cpu[c].clone();
                Arrays.sort(u);
                Arrays.sort(v);
                double med = u[u.length / 2], medCpu = v[v.length / 2];
                if (c == 0) {
                    base = med;
                    baseCpu = medCpu;
                }
                System.out.printf(
                        Locale.ROOT,
                        "[%d x %d] %-12s wall %8.0f us (min %6.0f) %5.2fx | caller cpu %8.0f us (min %6.0f) %5.2fx%n",
                        N,
                        K,
                        cases[c],
                        med,
                        u[0],
                        base / med,
                        medCpu,
                        v[0],
                        baseCpu / medCpu);
            }
        }
    }

    private static WeightType type(String s) {
        for (WeightType t : WeightType.values()) if (t.label().equalsIgnoreCase(s)) return t;
        throw new IllegalArgumentException("unknown type " + s);
    }
}
