package org.longform.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Decode products (one token) of two engine builds in one JVM, each in its own class loader,
 * alternating sample by sample (order swapped every sample), one thread, timed by the thread's CPU
 * time (a shared box's neighbours show in wall time). Each sample is enough products to take
 * about 20 ms. "cache": one copy of the matrix, read from the caches after the first product;
 * "mem": enough copies (~300 MB) that every product streams from memory. Prints the median and
 * best ns per product of each build and before / after ratios of both.
 *
 * <pre>
 * GemvAb BEFORE_CP AFTER_CP NxK,... TYPES cache|mem SAMPLES
 * </pre>
 */
public final class GemvAb {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    public static void main(String[] a) throws Exception {
        if (a.length != 6) {
            System.err.println("usage: GemvAb BEFORE_CP AFTER_CP NxK,... TYPES cache|mem SAMPLES");
            System.exit(2);
        }
        Object[] cases = new Object[2];
        Method[] make = new Method[2], run = new Method[2], close = new Method[2];
        for (int v = 0; v < 2; v++) {
            Class<?> c = AbBuilds.caseClass(a[v], GemvAb.class, "org.longform.bench.GemvAbCase");
            cases[v] = c.getConstructor().newInstance();
            make[v] = c.getMethod("make", String.class, int.class, int.class, int.class);
            run[v] = c.getMethod("run", float[].class, float[].class, int.class);
            close[v] = c.getMethod("close");
        }
        boolean mem = a[4].equals("mem");
        int samples = Integer.parseInt(a[5]);
        System.out.printf(
                "%-12s %-5s %-5s %10s %10s %7s %10s %10s %7s%n",
                "N x K", "type", "from", "before med", "after med", "ratio", "before min", "after min", "ratio");
        for (String sh : a[2].split(",")) {
            int N = Integer.parseInt(sh.split("x")[0]), K = Integer.parseInt(sh.split("x")[1]);
            float[] x = new float[K], out = new float[N];
            SplittableRandom rnd = new SplittableRandom(7);
            for (int i = 0; i < K; i++) x[i] = (float) rnd.nextGaussian();
            for (String type : a[3].split(",")) {
                int copies = mem ? (int) Math.max(2, Math.min(64, 300_000_000L / ((long) N * K))) : 1;
                for (int v = 0; v < 2; v++) make[v].invoke(cases[v], type, N, K, copies);
                // calibrate: products per sample for ~20 ms, after a warm-up that compiles both
                long t0 = System.nanoTime();
                int calib = 0;
                while (System.nanoTime() - t0 < 2_000_000_000L) {
                    for (int v = 0; v < 2; v++) run[v].invoke(cases[v], x, out, 50);
                    calib += 50;
                }
                int reps = (int) Math.max(copies, 20e6 / ((System.nanoTime() - t0) / 2.0 / calib));
                double[][] ns = new double[2][samples];
                for (int r = 0; r < samples; r++) {
                    for (int i = 0; i < 2; i++) {
                        int v = r % 2 == 0 ? i : 1 - i;
                        long c0 = MX.getCurrentThreadCpuTime();
                        run[v].invoke(cases[v], x, out, reps);
                        ns[v][r] = (MX.getCurrentThreadCpuTime() - c0) / (double) reps;
                    }
                }
                for (int v = 0; v < 2; v++) close[v].invoke(cases[v]);
                for (double[] s : ns) Arrays.sort(s);
                double m0 = ns[0][samples / 2], m1 = ns[1][samples / 2];
                System.out.printf(
                        Locale.ROOT,
                        "%-12s %-5s %-5s %10.0f %10.0f %6.3fx %10.0f %10.0f %6.3fx%n",
                        sh,
                        type,
                        a[4],
                        m0,
                        m1,
                        m0 / m1,
                        ns[0][0],
                        ns[1][0],
                        ns[0][0] / ns[1][0]);
                System.out.flush();
            }
        }
    }
}
