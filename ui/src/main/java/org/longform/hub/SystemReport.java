package org.longform.hub;

import static org.longform.hub.SystemCheck.n;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.longform.engine.kv.KvDType;
import org.longform.engine.quant.WeightType;

/**
 * What {@link SystemCheck#run} found. {@link #render()} is the one-screen explanation that
 * {@code longform doctor} prints and the app can show as is (monospaced).
 */
public record SystemReport(
        String javaVersion,
        String javaVendor,
        String os,
        String arch,
        int cores,
        int vectorBits,
        String vectorNote,
        List<String> cpuFeatures,
        long totalMemory,
        long availableMemory,
        long maxHeap,
        CudaStatus cuda,
        SystemCheck.Target target,
        KvPlan kv) {

    /** Problems worth a warning icon, most serious first. Empty means: good to go. */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (!kv.fits()) p.add("The model does not fit in memory: " + kv.reason() + ".");
        if (vectorBits == 0) p.add(vectorNote + ".");
        else if (vectorBits < 256)
            p.add("The CPU's vectors are " + vectorBits
                    + "-bit; generation will be slow (256-bit AVX2 or wider is much faster).");
        if (availableMemory < target.weightBytes()) {
            p.add("Only " + Sizes.gib(availableMemory) + " is free right now but the weights need "
                    + Sizes.gib(target.weightBytes()) + "; close other programs or generation will page from disk.");
        }
        return p;
    }

    public String render() {
        StringBuilder s = new StringBuilder();
        s.append("Longform system check\n\n");
        s.append(row("Java", javaVersion + " (" + javaVendor + "), " + os + ", " + arch));
        String vec = vectorBits > 0
                ? vectorBits + "-bit vectors (" + vectorBits / 32 + " floats per instruction)"
                : "no Vector API";
        s.append(row(
                "CPU", cores + " cores, " + vec + (cpuFeatures.isEmpty() ? "" : ", " + String.join(" ", cpuFeatures))));
        s.append(row(
                "Memory",
                Sizes.gib(totalMemory) + " total, " + Sizes.gib(availableMemory) + " available now, Java heap up to "
                        + Sizes.gib(maxHeap)));
        String gpu;
        if (cuda.usable()) {
            gpu = "CUDA driver " + cuda.driverVersionText() + ", " + cuda.devices() + " device(s)"
                    + (cuda.gpus().isEmpty() ? "" : ": " + String.join("; ", cuda.gpus()));
        } else {
            gpu = "none usable (" + cuda.note() + ")"
                    + (cuda.gpus().isEmpty() ? "" : "; nvidia-smi: " + String.join("; ", cuda.gpus()));
        }
        s.append(row("GPU", gpu));
        s.append("  Longform's engine runs on the CPU; memory bandwidth sets the speed.\n\n");

        var c = target.config();
        s.append(row(
                "Model",
                target.name() + ": " + params(c.parameterCount()) + " parameters, " + Sizes.human(target.weightBytes())
                        + " of weights (memory-mapped or off-heap, not on the Java heap)"));
        List<String> perToken = new ArrayList<>(), windows = new ArrayList<>();
        for (KvDType d : KvPlan.CANDIDATES) {
            perToken.add(kib(kv.bytesPerToken(d)) + " " + d.label());
            windows.add(d.label() + " " + n(kv.windows().get(d)));
        }
        s.append(row(
                "KV cache",
                "per token: " + String.join(", ", perToken) + "; room after weights and the app: "
                        + Sizes.gib(kv.roomBytes())));
        s.append(row("Windows", String.join(", ", windows) + " tokens (a novel chapter is ~6,000)"));
        if (kv.fits()) {
            s.append(row("Recommended", "KV dtype " + kv.dtype().label() + ", window " + n(kv.window()) + " tokens"));
            s.append(row("", "why: " + kv.reason()));
            // the editor applies the recommendation by itself (Model ▸ Engine settings…); commands take it as options
            s.append(row(
                    "Use",
                    "the editor does (Model ▸ Engine settings… changes it); commands: --kv-dtype "
                            + kv.dtype().label() + " --kv-budget-mb " + ((kv.budgetBytes() + (1 << 20) - 1) >> 20)));
        } else {
            s.append(row("Recommended", "does not fit: " + kv.reason()));
        }
        String smaller = smallerWeights();
        if (smaller != null) s.append(row("", smaller));
        s.append('\n');
        List<String> problems = problems();
        if (problems.isEmpty()) s.append("Verdict: ready to write.\n");
        else {
            s.append("Verdict: ").append(problems.size()).append(" problem(s):\n");
            for (String p : problems) s.append("  - ").append(p).append('\n');
        }
        if (target.reference()) {
            s.append(
                    "\n(Computed for MPT-7B-StoryWriter, the model Longform is made for; pass --model DIR for another.)\n");
        }
        return s.toString();
    }

    /**
     * When the window falls short of the trained one, what q4_0 weights (quantized at load) would
     * give instead: their smaller size leaves the KV cache more room. Null when they would not help.
     */
    String smallerWeights() {
        if (kv.window() >= KvPlan.TARGET_WINDOW || target.quant() == WeightType.Q4_0) return null;
        SystemCheck.Target q4 = target.loadedAs(WeightType.Q4_0);
        KvPlan p = KvPlan.recommend(q4.config(), q4.weightBytes(), totalMemory);
        if (p.window() <= kv.window()) return null;
        return "with q4_0 weights (" + Sizes.human(q4.weightBytes()) + "): KV dtype "
                + p.dtype().label() + ", window " + n(p.window())
                + " tokens (--quant q4_0, or Weights in Model ▸ Engine settings…)";
    }

    private static String row(String k, String v) {
        return String.format(Locale.ROOT, "  %-12s %s%n", k, v);
    }

    static String params(long p) {
        return p >= 1_000_000_000
                ? String.format(Locale.ROOT, "%.2fB", p / 1e9)
                : String.format(Locale.ROOT, "%.0fM", p / 1e6);
    }

    private static String kib(long b) {
        return b >= 1 << 20
                ? String.format(Locale.ROOT, "%.2f MiB", b / 1048576.0)
                : String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
    }
}
