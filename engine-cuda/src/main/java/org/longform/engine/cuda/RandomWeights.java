package org.longform.engine.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.LongStream;
import org.longform.engine.io.DType;
import org.longform.engine.io.Tensor;
import org.longform.engine.model.Config;
import org.longform.engine.model.RandomModel;
import org.longform.engine.model.Weights;

/**
 * Random bf16 weights of a {@link RandomModel.Shape} built in native memory, for GPU benchmarks:
 * the same tensor names and shapes as RandomModel writes, but filled in parallel without touching
 * disk (writing MPT-7B's 13 GB with make-model takes minutes; the benchmark has a time budget).
 * Values are uniform with the standard deviations RandomModel uses; timing does not depend on them.
 */
final class RandomWeights {
    private RandomWeights() {}

    static Config config(RandomModel.Shape s) {
        int d = s.dModel();
        return new Config(
                d,
                s.nHeads(),
                s.nLayers(),
                4,
                s.vocab(),
                65_536,
                1e-5f,
                8f,
                0f,
                (float) (1.0 / Math.sqrt((double) d / s.nHeads())),
                1f);
    }

    static Weights build(Config c, Arena arena, long seed) {
        Map<String, Tensor> t = new HashMap<>();
        int d = c.dModel(), ff = c.dFf();
        put(t, arena, "transformer.wte.weight", seed, 0.5, c.vocabSize(), d);
        for (int l = 0; l < c.nLayers(); l++) {
            String p = "transformer.blocks." + l + ".";
            long ls = seed * 1000 + l * 10L;
            ones(t, arena, p + "norm_1.weight", d);
            put(t, arena, p + "attn.Wqkv.weight", ls + 1, 1.0 / Math.sqrt(d), 3L * d, d);
            put(t, arena, p + "attn.out_proj.weight", ls + 2, 0.5 / Math.sqrt(d), d, d);
            ones(t, arena, p + "norm_2.weight", d);
            put(t, arena, p + "ffn.up_proj.weight", ls + 3, 1.0 / Math.sqrt(d), ff, d);
            put(t, arena, p + "ffn.down_proj.weight", ls + 4, 0.5 / Math.sqrt(ff), d, ff);
        }
        ones(t, arena, "transformer.norm_f.weight", d);
        return new Weights(c, t, Path.of("random-" + d));
    }

    private static void put(
            Map<String, Tensor> t, Arena arena, String name, long seed, double std, long rows, long cols) {
        long n = rows * cols;
        MemorySegment seg = arena.allocate(2 * n, 64);
        float a = (float) (std * Math.sqrt(3)); // uniform(-a, a) has this std
        long block = 1 << 20;
        LongStream.range(0, (n + block - 1) / block).parallel().forEach(b -> {
            long x = (seed * 0x9E3779B97F4A7C15L) ^ (b * 0xBF58476D1CE4E5B9L) | 1;
            for (long i = b * block, end = Math.min(n, i + block); i < end; i++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
                float u = ((x >>> 40) * 0x1.0p-24f) * 2f - 1f;
                seg.setAtIndex(Tensor.SHORT_LE, i, (short) (Float.floatToRawIntBits(u * a) >>> 16));
            }
        });
        t.put(name, new Tensor(name, DType.BF16, new long[] {rows, cols}, seg));
    }

    private static void ones(Map<String, Tensor> t, Arena arena, String name, int n) {
        MemorySegment seg = arena.allocate(2L * n, 64);
        for (int i = 0; i < n; i++) seg.setAtIndex(Tensor.SHORT_LE, i, (short) 0x3F80); // bf16 1.0
        t.put(name, new Tensor(name, DType.BF16, new long[] {n}, seg));
    }
}
