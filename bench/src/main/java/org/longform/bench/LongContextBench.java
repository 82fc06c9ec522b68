package org.longform.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.longform.engine.kv.KvDType;
import org.longform.engine.model.Model;
import org.longform.engine.runtime.CpuSession;
import org.longform.engine.runtime.EngineOptions;

/**
 * Not a test: decode speed against context length per KV dtype, and reopening a long story with
 * and without its saved cache (docs/PERFORMANCE.md). Run from the repository root:
 * <pre>
 * java --add-modules jdk.incubator.vector -cp 'bench/target/longform-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*' \
 *      org.longform.bench.LongContextBench MODEL_DIR bf16 1024,4096,16384,32768,65536,86000 [SAVE_DIR]
 * </pre>
 * Wall-clock figures on a shared machine vary; CPU time per token (all threads) is reported next to them.
 */
public final class LongContextBench {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        KvDType t = KvDType.parse(args[1]);
        String[] lens = args[2].split(",");
        Path save = args.length > 3 ? Path.of(args[3]) : null;
        int decode = 32;
        var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (Model m = Model.load(dir)) {
            EngineOptions o = EngineOptions.defaults().withKvDType(t).withChunkSize(512);
            int[] ids = new int[Integer.parseInt(lens[lens.length - 1]) + decode];
            SplittableRandom r = new SplittableRandom(42);
            for (int i = 0; i < ids.length; i++) ids[i] = 2 + r.nextInt(50000);
            try (CpuSession s = new CpuSession(m, o)) {
                s.feed(ids, 0, 256, null, null, null); // JIT warm-up
                for (int i = 0; i < 16; i++) s.feed(7);
                s.reset();
                System.out.printf(
                        Locale.ROOT,
                        "%s, KV %s (%d bytes/token), %s%n",
                        dir.getFileName(),
                        t.label(),
                        s.cache().pool().bytesPerToken(),
                        s.backend().name());
                System.out.println("context | decode tok/s (wall) | CPU ms/token | prefill to here (wall s)");
                int at = 0;
                long fillNanos = 0;
                for (String l : lens) {
                    int len = Integer.parseInt(l);
                    long f0 = System.nanoTime();
                    s.feed(ids, at, len, null, null, null);
                    fillNanos += System.nanoTime() - f0;
                    at = len;
                    long c0 = os.getProcessCpuTime(), w0 = System.nanoTime();
                    for (int i = 0; i < decode; i++) s.feed(ids[len + i]);
                    double wall = (System.nanoTime() - w0) / 1e9, cpu = (os.getProcessCpuTime() - c0) / 1e6;
                    s.cache().truncate(len); // back to the measured context
                    System.out.printf(
                            Locale.ROOT,
                            "%7d | %8.2f | %8.1f | %8.1f%n",
                            len,
                            decode / wall,
                            cpu / decode,
                            fillNanos / 1e9);
                }
                if (save != null) {
                    Path file = save.resolve("bench-" + t.label() + ".longform-kv");
                    long s0 = System.nanoTime();
                    s.saveKv(file);
                    double saveS = (System.nanoTime() - s0) / 1e9;
                    int[] story = s.tokens();
                    try (CpuSession back = new CpuSession(m, o)) {
                        long r0 = System.nanoTime();
                        boolean used = back.loadKv(file, story).used();
                        back.sync(story, null, null);
                        double reopen = (System.nanoTime() - r0) / 1e9;
                        System.out.printf(
                                Locale.ROOT,
                                "reopen %d tokens: %.2f s with the saved cache (used %b, %.0f MiB, saved in %.2f s) vs %.1f s recomputing%n",
                                story.length,
                                reopen,
                                used,
                                Files.size(file) / 1048576.0,
                                saveS,
                                fillNanos / 1e9);
                    }
                    Files.delete(file);
                }
            }
        }
    }
}
