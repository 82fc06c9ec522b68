package org.longform.engine.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.longform.engine.io.DType;
import org.longform.engine.io.SafeTensorsWriter;

/**
 * Writes an MPT folder with random weights (config.json + model.safetensors) in the hub layout,
 * for benchmarks at real shapes (MPT-125M, MPT-1B, MPT-7B) without downloading anything.
 */
public final class RandomModel {
    private RandomModel() {}

    /** Known shapes: d_model, n_heads, n_layers. */
    public record Shape(String name, int dModel, int nHeads, int nLayers, int vocab) {
        public static Shape named(String n) {
            return switch (n.toLowerCase(Locale.ROOT)) {
                case "tiny" -> new Shape("tiny", 64, 4, 2, 50432);
                case "125m" -> new Shape("125m", 768, 12, 12, 50432);
                case "350m" -> new Shape("350m", 1024, 16, 24, 50432);
                case "1b" -> new Shape("1b", 2048, 16, 24, 50432);
                case "7b" -> new Shape("7b", 4096, 32, 32, 50432);
                default -> throw new IllegalArgumentException("unknown shape '" + n + "' (tiny, 125m, 350m, 1b, 7b)");
            };
        }
    }

    public static void write(Shape s, DType dtype, long seed, Path dir) throws IOException {
        Files.createDirectories(dir);
        ObjectMapper om = new ObjectMapper();
        ObjectNode cfg = om.createObjectNode();
        cfg.putArray("architectures").add("MPTForCausalLM");
        cfg.put("model_type", "mpt")
                .put("d_model", s.dModel())
                .put("n_heads", s.nHeads())
                .put("n_layers", s.nLayers())
                .put("expansion_ratio", 4)
                .put("vocab_size", s.vocab())
                .put("max_seq_len", 2048)
                .put("no_bias", true)
                .put("norm_type", "low_precision_layernorm")
                .put("torch_dtype", dtype == DType.BF16 ? "bfloat16" : dtype == DType.F16 ? "float16" : "float32");
        cfg.putNull("logit_scale");
        ObjectNode ac = cfg.putObject("attn_config");
        ac.put("alibi", true)
                .put("alibi_bias_max", 8)
                .put("attn_type", "multihead_attention")
                .put("qk_ln", false)
                .put("prefix_lm", false);
        ac.putNull("clip_qkv");
        ac.putNull("softmax_scale");
        om.writerWithDefaultPrettyPrinter()
                .writeValue(dir.resolve("config.json").toFile(), cfg);

        int d = s.dModel(), ff = 4 * d;
        SafeTensorsWriter w = new SafeTensorsWriter();
        w.add("transformer.wte.weight", dtype, new long[] {s.vocab(), d}, gauss(seed, 0.5));
        for (int l = 0; l < s.nLayers(); l++) {
            String p = "transformer.blocks." + l + ".";
            long ls = seed * 1000 + l * 10L;
            w.add(p + "norm_1.weight", dtype, new long[] {d}, ones());
            w.add(p + "attn.Wqkv.weight", dtype, new long[] {3L * d, d}, gauss(ls + 1, 1.0 / Math.sqrt(d)));
            w.add(p + "attn.out_proj.weight", dtype, new long[] {d, d}, gauss(ls + 2, 0.5 / Math.sqrt(d)));
            w.add(p + "norm_2.weight", dtype, new long[] {d}, ones());
            w.add(p + "ffn.up_proj.weight", dtype, new long[] {ff, d}, gauss(ls + 3, 1.0 / Math.sqrt(d)));
            w.add(p + "ffn.down_proj.weight", dtype, new long[] {d, ff}, gauss(ls + 4, 0.5 / Math.sqrt(ff)));
        }
        w.add("transformer.norm_f.weight", dtype, new long[] {d}, ones());
        w.write(dir.resolve("model.safetensors"));
    }

    private static SafeTensorsWriter.Source ones() {
        return (chunk, start, n) -> Arrays.fill(chunk, 0, n, 1f);
    }

    private static SafeTensorsWriter.Source gauss(long seed, double std) {
        return (chunk, start, n) -> {
            SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + start);
            for (int i = 0; i < n; i++) chunk[i] = (float) (r.nextGaussian() * std);
        };
    }
}
