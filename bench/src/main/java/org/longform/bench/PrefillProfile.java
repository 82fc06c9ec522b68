package org.longform.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.longform.engine.kernels.Backend;
import org.longform.engine.kernels.Epilogue;
import org.longform.engine.kv.KvCache;
import org.longform.engine.kv.KvDType;
import org.longform.engine.model.Model;
import org.longform.engine.quant.Matrix;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.runtime.Session;

/**
 * Where a prefill's time goes: every backend call of REPS prompt feeds timed by kind (each matrix
 * shape, attention, LayerNorm) in wall time and in the calling thread's CPU time, the rest
 * (embedding, KV stores, the chunk loop) as the difference to the whole feed. With THREADS = 1 the
 * CPU column is the whole cost of each kind, which a shared box disturbs far less than wall time;
 * with more threads it is the caller's share only. {@code bench --profile} covers decode; this is
 * its prefill twin.
 *
 * <pre>
 * PrefillProfile MODEL PROMPT_TOKENS THREADS REPS
 * </pre>
 */
public final class PrefillProfile {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    public static void main(String[] a) throws Exception {
        if (a.length != 4) {
            System.err.println("usage: PrefillProfile MODEL PROMPT_TOKENS THREADS REPS");
            System.exit(2);
        }
        int pp = Integer.parseInt(a[1]), threads = Integer.parseInt(a[2]), reps = Integer.parseInt(a[3]);
        Timed[] timed = new Timed[1];
        EngineOptions opt = EngineOptions.defaults().withThreads(threads).withKvDType(KvDType.F16);
        try (Model m = Model.load(Path.of(a[0]));
                Session s = Session.open(m, opt, b -> timed[0] = new Timed(b))) {
            SplittableRandom r = new SplittableRandom(42);
            int[] prompt = new int[pp];
            for (int i = 0; i < pp; i++)
                prompt[i] = 2 + r.nextInt(50000 % m.config().vocabSize());
            for (int i = 0; i < 2; i++) feed(s, prompt); // warm-up: C2 compiles the kernels
            timed[0].totals.clear();
            long wall = 0, cpu = 0;
            for (int i = 0; i < reps; i++) {
                long c0 = MX.getCurrentThreadCpuTime(), t0 = System.nanoTime();
                feed(s, prompt);
                wall += System.nanoTime() - t0;
                cpu += MX.getCurrentThreadCpuTime() - c0;
            }
            double ms = wall / 1e6 / reps, cms = cpu / 1e6 / reps;
            System.out.printf(
                    "%s pp%d, %d threads: %.1f ms a prefill = %.1f tok/s wall; caller CPU %.1f ms = %.1f tok/s%n",
                    a[0], pp, threads, ms, pp / ms * 1e3, cms, pp / cms * 1e3);
            System.out.printf("  %-40s %5s %9s %9s %6s%n", "kind", "calls", "wall ms", "cpu ms", "cpu %");
            long w = 0, c = 0;
            for (Map.Entry<String, long[]> e : timed[0].totals.entrySet()) {
                long[] v = e.getValue();
                w += v[0];
                c += v[1];
                System.out.printf(
                        "  %-40s %5d %9.2f %9.2f %5.1f%%%n",
                        e.getKey(), v[2] / reps, v[0] / 1e6 / reps, v[1] / 1e6 / reps, 100.0 * v[1] / cpu);
            }
            System.out.printf(
                    "  %-40s %5s %9.2f %9.2f %5.1f%%%n",
                    "rest", "", (wall - w) / 1e6 / reps, (cpu - c) / 1e6 / reps, 100.0 * (cpu - c) / cpu);
        }
    }

    private static void feed(Session s, int[] prompt) {
        s.reset();
        s.feed(prompt, 0, prompt.length, null, null, null);
    }

    /** Wall and caller CPU nanoseconds and calls per kind of call. */
    private static final class Timed implements Backend {
        final Backend inner;
        final Map<String, long[]> totals = new LinkedHashMap<>();

        Timed(Backend inner) {
            this.inner = inner;
        }

        private void add(String kind, long t0, long c0) {
            long[] v = totals.computeIfAbsent(kind, k -> new long[3]);
            v[0] += System.nanoTime() - t0;
            v[1] += MX.getCurrentThreadCpuTime() - c0;
            v[2]++;
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public void matmul(Matrix w, float[] x, int T, float[] out, Epilogue ep) {
            long t0 = System.nanoTime(), c0 = MX.getCurrentThreadCpuTime();
            inner.matmul(w, x, T, out, ep);
            add("matmul " + w.type().label() + "[" + w.rows() + "x" + w.cols() + "] T" + T, t0, c0);
        }

        @Override
        public void layerNorm(float[] x, float[] weight, float eps, int T, int d, float[] out) {
            long t0 = System.nanoTime(), c0 = MX.getCurrentThreadCpuTime();
            inner.layerNorm(x, weight, eps, T, d, out);
            add("layernorm", t0, c0);
        }

        @Override
        public void attention(
                float[] qkv, int T, KvCache cache, int layer, int firstSlot, float[] slopes, float scale, float[] out) {
            long t0 = System.nanoTime(), c0 = MX.getCurrentThreadCpuTime();
            inner.attention(qkv, T, cache, layer, firstSlot, slopes, scale, out);
            add("attention T" + T, t0, c0);
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
