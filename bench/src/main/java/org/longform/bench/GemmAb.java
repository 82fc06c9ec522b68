package org.longform.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;

/**
 * Two engine builds in one JVM, each in its own class loader, the same matrix products run
 * alternately (order swapped every repetition), single-threaded, timed by the thread's CPU time:
 * on a shared box wall time measures the neighbours, CPU time mostly the code. Prints GFLOP/s,
 * best of the repetitions, and before / after time ratios.
 *
 * <pre>
 * GemmAb BEFORE_CP AFTER_CP SHAPES TYPES REPS
 *   BEFORE_CP, AFTER_CP  an engine jar or classes folder (':'-separated if several)
 *   SHAPES               NxK:T,... e.g. 2048x2048:64,16384x4096:64
 *   TYPES                F32,BF16,F16,Q8_0,Q4_0,Q4_K,Q5_K,Q6_K
 * </pre>
 */
public final class GemmAb {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    public static void main(String[] a) throws Exception {
        if (a.length != 5) {
            System.err.println("usage: GemmAb BEFORE_CP AFTER_CP NxK:T,... TYPES REPS");
            System.exit(2);
        }
        Object[] cases = new Object[2];
        Method[] make = new Method[2], run = new Method[2], close = new Method[2];
        for (int v = 0; v < 2; v++) {
            Class<?> c = AbBuilds.caseClass(a[v], GemmAb.class, "org.longform.bench.GemmAbCase");
            cases[v] = c.getConstructor().newInstance();
            make[v] = c.getMethod("make", String.class, int.class, int.class);
            run[v] = c.getMethod("run", float[].class, int.class, float[].class);
            close[v] = c.getMethod("close");
        }
        int reps = Integer.parseInt(a[4]);
        System.out.printf("%-18s %-5s %9s %9s %7s%n", "N x K, T", "type", "before", "after", "ratio");
        for (String sh : a[2].split(",")) {
            String[] p = sh.split("[x:]");
            int N = Integer.parseInt(p[0]), K = Integer.parseInt(p[1]), T = Integer.parseInt(p[2]);
            float[] x = new float[T * K];
            for (int i = 0; i < x.length; i++) x[i] = ((i * 2654435761L >>> 8) % 2001 - 1000) * 1e-3f;
            float[] out = new float[T * N];
            for (String type : a[3].split(",")) {
                double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
                for (int v = 0; v < 2; v++) make[v].invoke(cases[v], type, N, K);
                for (int v = 0; v < 2; v++) run[v].invoke(cases[v], x, T, out); // compile first
                for (int r = 0; r < reps; r++) {
                    for (int i = 0; i < 2; i++) {
                        int v = r % 2 == 0 ? i : 1 - i;
                        long t0 = MX.getCurrentThreadCpuTime();
                        run[v].invoke(cases[v], x, T, out);
                        best[v] = Math.min(best[v], (MX.getCurrentThreadCpuTime() - t0) / 1e9);
                    }
                }
                for (int v = 0; v < 2; v++) close[v].invoke(cases[v]);
                double gflop = 2.0 * N * K * T / 1e9;
                System.out.printf(
                        "%-18s %-5s %6.1f GF %6.1f GF %6.2fx%n",
                        N + "x" + K + ", " + T, type, gflop / best[0], gflop / best[1], best[0] / best[1]);
                System.out.flush();
            }
        }
    }
}
