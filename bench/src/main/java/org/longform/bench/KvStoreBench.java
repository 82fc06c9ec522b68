package org.longform.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.longform.engine.context.KvFile;
import org.longform.engine.context.KvStore;
import org.longform.engine.kv.KvCache;
import org.longform.engine.kv.KvDType;
import org.longform.engine.kv.KvPool;
import org.longform.engine.model.Config;
import org.longform.engine.model.RandomModel;

/**
 * Not a test: what saving a long cache costs, whole (the single file) against incremental (the
 * store), with pool pages filled with random rows at a real shape (no model runs). From the
 * repository root:
 * <pre>
 * java -cp 'bench/target/longform-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*' \
 *      org.longform.bench.KvStoreBench 1b bf16 4096 /tmp/kvbench
 * </pre>
 */
public final class KvStoreBench {
    public static void main(String[] args) throws Exception {
        RandomModel.Shape shape = RandomModel.Shape.named(args[0]);
        KvDType t = KvDType.parse(args[1]);
        int n = Integer.parseInt(args[2]);
        Path dir = Path.of(args[3]);
        Files.createDirectories(dir);
        Config c = new Config(
                shape.dModel(),
                shape.nHeads(),
                shape.nLayers(),
                4,
                shape.vocab(),
                2048,
                1e-5f,
                8,
                0,
                (float) (1 / Math.sqrt(shape.dModel() / shape.nHeads())),
                1);
        byte[] id = new byte[32];
        long budget = (n + 256L) * KvPool.bytesPerToken(c, t);
        try (KvPool pool = new KvPool(c, 64, budget, t);
                KvCache cache = new KvCache(pool);
                KvStore store = new KvStore(dir.resolve("store"))) {
            SplittableRandom r = new SplittableRandom(1);
            float[] row = new float[c.headDim()];
            int[] tokens = new int[n + 65];
            fill(cache, c, r, row, n);
            Arrays.setAll(tokens, i -> 2 + i % 50000);
            System.out.printf(
                    Locale.ROOT,
                    "%s, KV %s, %d tokens, %.1f MiB of KV, pages of 64 tokens (%.1f MiB)%n",
                    shape.name(),
                    t.label(),
                    n,
                    (double) n * pool.bytesPerToken() / 1048576,
                    pool.blockBytes() / 1048576.0);
            Path file = dir.resolve("single.longform-kv");
            long t0 = System.nanoTime();
            KvFile.save(file, id, cache, Arrays.copyOf(tokens, n));
            report("single file, whole cache", t0, -1, Files.size(file));
            t0 = System.nanoTime();
            report("store, first save", t0, store.save(id, cache, Arrays.copyOf(tokens, n), -1));
            fill(cache, c, r, row, 1);
            t0 = System.nanoTime();
            report("store, 1 token appended", t0, store.save(id, cache, Arrays.copyOf(tokens, n + 1), -1));
            fill(cache, c, r, row, 64);
            t0 = System.nanoTime();
            report("store, 64 tokens appended", t0, store.save(id, cache, Arrays.copyOf(tokens, n + 65), -1));
            t0 = System.nanoTime();
            report("store, nothing changed", t0, store.save(id, cache, Arrays.copyOf(tokens, n + 65), -1));
            try (KvPool p2 = new KvPool(c, 64, budget, t);
                    KvCache back = new KvCache(p2)) {
                for (int round = 0; round < 3; round++) { // alternating; the first round includes JIT warm-up
                    back.truncate(0);
                    t0 = System.nanoTime();
                    KvFile.Restore res = new KvStore(dir.resolve("store")).restore(id, back, null);
                    line("store, restore (CRC checked)", t0, res.reason());
                    back.truncate(0);
                    t0 = System.nanoTime();
                    res = KvFile.restore(file, id, back, null);
                    line("single file, restore", t0, res.reason());
                }
            }
        }
    }

    private static void fill(KvCache cache, Config c, SplittableRandom r, float[] row, int n) {
        cache.reserve(n);
        int at = cache.length();
        for (int s = at; s < at + n; s++)
            for (int l = 0; l < c.nLayers(); l++)
                for (int kv = 0; kv < 2; kv++)
                    for (int h = 0; h < c.nHeads(); h++) {
                        for (int i = 0; i < row.length; i++) row[i] = (float) r.nextGaussian();
                        cache.writeRow(s, l, kv, h, row, 0);
                    }
        cache.advance(n);
    }

    private static void report(String what, long t0, KvStore.Stats s) {
        line(
                what,
                t0,
                String.format(
                        Locale.ROOT,
                        "%d of %d pages, %.1f MiB written",
                        s.pagesWritten(),
                        s.pages(),
                        s.bytesWritten() / 1048576.0));
    }

    private static void report(String what, long t0, int pages, long bytes) {
        line(what, t0, String.format(Locale.ROOT, "%.1f MiB written", bytes / 1048576.0));
    }

    private static void line(String what, long t0, String detail) {
        System.out.printf(Locale.ROOT, "%-28s %8.3f s  %s%n", what, (System.nanoTime() - t0) / 1e9, detail);
    }
}
