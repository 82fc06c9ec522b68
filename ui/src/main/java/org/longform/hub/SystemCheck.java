package org.longform.hub;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import jdk.incubator.vector.VectorShape;
import org.longform.engine.model.Config;
import org.longform.engine.model.Weights;
import org.longform.engine.quant.WeightType;

/**
 * The first-run check: can this machine run the chosen model, and with what KV cache dtype and
 * window. {@link #run} probes the machine (memory, CPU vector width, CUDA); {@link SystemReport#render}
 * explains it in one screen, for {@code longform doctor} and the app's first-run dialog.
 */
public final class SystemCheck {
    private SystemCheck() {}

    /**
     * What the report is computed for: a model's config, the bytes its weights take once loaded and a
     * display name.
     *
     * @param quant the quantization the weights get at load (null: the stored form, on disk bytes)
     */
    public record Target(String name, Config config, long weightBytes, boolean reference, WeightType quant) {
        public static Target of(LocalModel m) {
            if (m.config() == null)
                throw new IllegalArgumentException(m.path() + ": the system check needs an MPT folder (config.json)");
            return new Target(
                    m.name() + (m.isDemo() ? " (small demo model)" : ""), m.config(), m.weightBytes(), false, null);
        }

        /** The same model with its weights quantized at load to {@code q} (null: as stored), priced at their loaded size. */
        public Target loadedAs(WeightType q) {
            if (q == null || !q.quantized() || q == quant) return this;
            String base = quant == null
                    ? name
                    : name.substring(0, name.length() - quantSuffix(quant).length());
            return new Target(base + quantSuffix(q), config, Weights.bytesFor(config, q), reference, q);
        }

        private static String quantSuffix(WeightType q) {
            return " (" + q.label() + " weights)";
        }
    }

    /** MPT-7B-StoryWriter as the hub ships it: 6.7B parameters in bf16, 65k training window. */
    public static final Target STORYWRITER = storyWriter();

    private static Target storyWriter() {
        Config c = new Config(4096, 32, 32, 4, 50432, 65536, 1e-5f, 8f, 0f, (float) (1 / Math.sqrt(128)), 1f);
        return new Target("mosaicml/mpt-7b-storywriter", c, Weights.bytesFor(c, WeightType.BF16), true, null);
    }

    public static SystemReport run(Target target) {
        long total = totalMemory(),
                avail = availableMemory(total),
                heap = Runtime.getRuntime().maxMemory();
        Vector v = vector();
        CudaStatus cuda = CudaStatus.probe();
        KvPlan plan = KvPlan.recommend(target.config(), target.weightBytes(), total);
        return new SystemReport(
                Runtime.version().toString(),
                System.getProperty("java.vendor", "?"),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(),
                v.bits(),
                v.note(),
                cpuFeatures(),
                total,
                avail,
                heap,
                cuda,
                target,
                plan);
    }

    /** The KV plan for a model of this shape and loaded weight size on this machine (what the first-run screen recommends). */
    public static KvPlan planFor(Config c, long weightBytes) {
        return KvPlan.recommend(c, weightBytes, totalMemory());
    }

    record Vector(int bits, String note) {}

    static Vector vector() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return new Vector(
                    0,
                    "Vector API not enabled (start Java with --add-modules jdk.incubator.vector); the engine falls back to slow scalar code");
        }
        try {
            return new Vector(VectorProbe.preferredBits(), "");
        } catch (LinkageError e) {
            return new Vector(0, "Vector API unavailable: " + e);
        }
    }

    /** Kept in its own class so that it is loaded only once the incubator module is known to be present. */
    private static final class VectorProbe {
        static int preferredBits() {
            return VectorShape.preferredShape().vectorBitSize();
        }
    }

    private static final Set<String> INTERESTING = Set.of(
            "avx2",
            "fma",
            "f16c",
            "avx512f",
            "avx512_bf16",
            "avx512_fp16",
            "amx_bf16",
            "asimd",
            "asimdhp",
            "sve",
            "sve2",
            "bf16");

    /** SIMD features the kernels can use, from /proc/cpuinfo (Linux); empty elsewhere. */
    static List<String> cpuFeatures() {
        List<String> out = new ArrayList<>();
        Path info = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(info)) return out;
        try (var lines = Files.lines(info)) {
            lines.filter(l -> l.startsWith("flags") || l.startsWith("Features"))
                    .findFirst()
                    .ifPresent(l -> {
                        for (String f : l.substring(l.indexOf(':') + 1).trim().split("\\s+"))
                            if (INTERESTING.contains(f)) out.add(f);
                    });
        } catch (IOException | UncheckedIOException e) {
            // features are a detail of the report
        }
        return out;
    }

    static long totalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            return os.getTotalMemorySize(); // the container's limit when there is one
        }
        return meminfo("MemTotal:", Runtime.getRuntime().maxMemory());
    }

    /** Memory free for new work now (Linux MemAvailable counts reclaimable cache), else the OS's free memory. */
    static long availableMemory(long total) {
        long a = meminfo("MemAvailable:", -1);
        if (a > 0) return Math.min(a, total);
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os)
            return os.getFreeMemorySize();
        return total;
    }

    private static long meminfo(String key, long fallback) {
        try (var lines = Files.lines(Path.of("/proc/meminfo"))) {
            return lines.filter(l -> l.startsWith(key))
                    .findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024)
                    .orElse(fallback);
        } catch (IOException | RuntimeException e) {
            return fallback;
        }
    }

    /** Locale-free "12,345" for messages. */
    static String n(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }
}
