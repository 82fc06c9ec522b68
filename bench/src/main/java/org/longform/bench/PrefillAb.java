package org.longform.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Two engine builds in one JVM, each in its own class loader, prefilling the same prompt on the same
 * model alternately (order swapped every round), one thread, timed by the thread's CPU time: a
 * neighbour's slow drift of load then hits both builds alike. {@link PrefillProfile} splits one
 * build's time by kind; this compares two. Prints each build's median and best ms a prefill and
 * the ratio before / after.
 *
 * <pre>
 * PrefillAb BEFORE_CP AFTER_CP MODEL TOKENS ROUNDS
 *   BEFORE_CP, AFTER_CP  an engine jar or classes folder (':'-separated if several)
 * </pre>
 */
public final class PrefillAb {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    public static void main(String[] a) throws Exception {
        if (a.length != 5) {
            System.err.println("usage: PrefillAb BEFORE_CP AFTER_CP MODEL TOKENS ROUNDS");
            System.exit(2);
        }
        int tokens = Integer.parseInt(a[3]), rounds = Integer.parseInt(a[4]);
        Object[] cases = new Object[2];
        Method[] feed = new Method[2], close = new Method[2];
        for (int v = 0; v < 2; v++) {
            Class<?> c = AbBuilds.caseClass(a[v], PrefillAb.class, "org.longform.bench.PrefillAbCase");
            cases[v] = c.getConstructor().newInstance();
            c.getMethod("open", String.class, int.class, int.class).invoke(cases[v], a[2], tokens, 1);
            feed[v] = c.getMethod("feed");
            close[v] = c.getMethod("close");
        }
        for (int i = 0; i < 2; i++) for (int v = 0; v < 2; v++) feed[v].invoke(cases[v]); // C2 compiles
        double[][] ms = new double[2][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < 2; i++) {
                int v = r % 2 == 0 ? i : 1 - i;
                long t0 = MX.getCurrentThreadCpuTime();
                feed[v].invoke(cases[v]);
                ms[v][r] = (MX.getCurrentThreadCpuTime() - t0) / 1e6;
            }
        }
        for (int v = 0; v < 2; v++) close[v].invoke(cases[v]);
        double[] med = new double[2], best = new double[2];
        for (int v = 0; v < 2; v++) {
            double[] s = ms[v].clone();
            Arrays.sort(s);
            med[v] = s[rounds / 2];
            best[v] = s[0];
        }
        System.out.printf(
                "%s pp%d, one thread, CPU ms a prefill over %d rounds: before median %.1f best %.1f, after median"
                        + " %.1f best %.1f; before / after: median %.3fx, best %.3fx%n",
                a[2], tokens, rounds, med[0], best[0], med[1], best[1], med[0] / med[1], best[0] / best[1]);
    }
}
