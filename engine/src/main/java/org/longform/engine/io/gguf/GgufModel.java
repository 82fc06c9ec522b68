package org.longform.engine.io.gguf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.longform.engine.io.DType;
import org.longform.engine.io.ModelFormatException;
import org.longform.engine.io.Tensor;
import org.longform.engine.kernels.Parallel;
import org.longform.engine.model.Config;
import org.longform.engine.model.Weights;
import org.longform.engine.quant.DenseMatrix;
import org.longform.engine.quant.KQuantMatrix;
import org.longform.engine.quant.Matrix;
import org.longform.engine.quant.QuantMatrix;
import org.longform.engine.quant.Quantizer;
import org.longform.engine.quant.WeightType;

/**
 * An MPT model from a GGUF file as llama.cpp writes it (architecture {@code mpt}: token_embd,
 * blk.N.attn_norm / attn_qkv / attn_output / ffn_norm / ffn_up / ffn_down, output_norm, optional
 * output; hparams {@code mpt.*}). F32, F16 and BF16 matrices are used in place (mapped); Q8_0 and
 * Q4_0 blocks are split once into the engine's quant and scale planes (values unchanged); Q4_K,
 * Q5_K and Q6_K blocks (a "Q4_K_M" file mixes Q4_K and Q6_K) are computed with as mapped
 * ({@link KQuantMatrix}). The other block formats community files use (Q4_1, Q5_0, Q5_1, Q2_K,
 * Q3_K) have no kernels here: each row is decoded to float as ggml decodes it and
 * re-quantized to q8_0 (or to q4_0 if the user asked for q4_0; the embedding stays q8_0 then).
 * q8_0's rounding (half a step of a block's largest weight / 127) is far below these formats' own.
 */
public final class GgufModel {
    private GgufModel() {}

    /** @param converted what was re-quantized at load, e.g. "Q3_K x 97, Q5_0 x 25 -> q8_0 in 3.1 s"; null if nothing */
    public record Loaded(Config config, Weights weights, GgufFile file, String converted) {}

    public static Loaded load(Path path, Arena arena, Parallel par) {
        return load(path, arena, par, null);
    }

    /**
     * @param quant the quantization the user asked for (null: none); decides what formats without
     *              kernels become (q4_0 if asked, else q8_0)
     */
    public static Loaded load(Path path, Arena arena, Parallel par, WeightType quant) {
        GgufFile g = GgufFile.open(path, arena);
        Map<String, Object> m = g.metadata();
        String arch = str(m, "general.architecture", path);
        if (!arch.equals("mpt"))
            throw new ModelFormatException(path, "GGUF architecture is '" + arch + "', only MPT ('mpt') is supported");
        int d = intKey(m, "mpt.embedding_length", path);
        int heads = intKey(m, "mpt.attention.head_count", path);
        int layers = intKey(m, "mpt.block_count", path);
        int ff = intKey(m, "mpt.feed_forward_length", path);
        int ctx = m.containsKey("mpt.context_length") ? intKey(m, "mpt.context_length", path) : 2048;
        if (m.get("mpt.attention.head_count_kv") instanceof Number kv && kv.intValue() != heads) {
            throw new ModelFormatException(
                    path,
                    "mpt.attention.head_count_kv " + kv + " differs from head_count " + heads
                            + " (grouped-query attention is not supported)");
        }
        if (d % heads != 0)
            throw new ModelFormatException(path, "embedding_length " + d + " is not divisible by head_count " + heads);
        if (ff % d != 0)
            throw new ModelFormatException(
                    path, "feed_forward_length " + ff + " is not a multiple of embedding_length " + d);
        float alibi = num(m, "mpt.attention.max_alibi_bias", 0f);
        if (alibi <= 0)
            throw new ModelFormatException(
                    path, "mpt.attention.max_alibi_bias is missing or 0: only ALiBi MPT models are supported");
        float clamp = num(m, "mpt.attention.clamp_kqv", 0f);
        float eps = num(m, "mpt.attention.layer_norm_epsilon", 1e-5f);

        Map<String, GgufFile.TensorInfo> ts = g.tensors();
        for (String name : ts.keySet()) {
            if (name.endsWith(".bias"))
                throw new ModelFormatException(
                        path, "tensor '" + name + "': bias tensors are not supported (StoryWriter has none)");
            if (name.startsWith("position_embd") || name.contains(".act.scales")) {
                throw new ModelFormatException(
                        path, "tensor '" + name + "' is not supported (learned positions or activation scales)");
            }
        }
        GgufFile.TensorInfo embInfo = need(ts, "token_embd.weight", path);
        int vocab = (int) embInfo.rows();
        Config cfg = new Config(
                d,
                heads,
                layers,
                ff / d,
                vocab,
                ctx,
                eps,
                alibi,
                clamp,
                (float) (1.0 / Math.sqrt((double) d / heads)),
                1f);

        long t0 = System.nanoTime();
        Conversions conv = new Conversions(quant == WeightType.Q4_0 ? WeightType.Q4_0 : WeightType.Q8_0);
        Matrix wte = matrix(g, embInfo, path, vocab, d, arena, par, conv.forEmbedding());
        Matrix head = ts.containsKey("output.weight")
                ? matrix(g, ts.get("output.weight"), path, vocab, d, arena, par, conv.forEmbedding())
                : wte;
        Weights.Layer[] ls = new Weights.Layer[layers];
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            ls[l] = new Weights.Layer(
                    vec(g, need(ts, p + "attn_norm.weight", path), d, path),
                    matrix(g, need(ts, p + "attn_qkv.weight", path), path, 3 * d, d, arena, par, conv),
                    matrix(g, need(ts, p + "attn_output.weight", path), path, d, d, arena, par, conv),
                    vec(g, need(ts, p + "ffn_norm.weight", path), d, path),
                    matrix(g, need(ts, p + "ffn_up.weight", path), path, ff, d, arena, par, conv),
                    matrix(g, need(ts, p + "ffn_down.weight", path), path, d, ff, arena, par, conv));
        }
        float[] normF = vec(g, need(ts, "output_norm.weight", path), d, path);
        String converted = conv.counts.isEmpty()
                ? null
                : conv.summary() + String.format(" in %.1f s", (System.nanoTime() - t0) / 1e9);
        return new Loaded(cfg, new Weights(wte, head, ls, normF), g, converted);
    }

    /** Where formats without kernels go, and a count of what went there (for the load log). */
    private static final class Conversions {
        final WeightType target;
        final Map<String, Integer> counts;

        Conversions(WeightType target) {
            this(target, new TreeMap<>());
        }

        private Conversions(WeightType target, Map<String, Integer> counts) {
            this.target = target;
            this.counts = counts;
        }

        /** The embedding / LM head stays at q8_0 under q4_0, as {@code Model} does when quantizing. */
        Conversions forEmbedding() {
            return new Conversions(WeightType.Q8_0, counts);
        }

        void count(int ggmlType) {
            counts.merge(GgufFile.typeName(ggmlType) + " -> " + target.label(), 1, Integer::sum);
        }

        String summary() {
            StringBuilder sb = new StringBuilder();
            counts.forEach((k, v) ->
                    sb.append(sb.isEmpty() ? "" : ", ").append(v).append(" x ").append(k));
            return sb.toString();
        }
    }

    /**
     * What a file's tensors take once loaded, before loading it: bytes in memory (formats without
     * kernels re-quantized to q8_0, 34 bytes a block of 32; the others as stored) and the stored
     * types of its matrices, e.g. "Q4_K + Q6_K".
     *
     * @param converted whether any tensor will be re-quantized at load
     */
    public record Footprint(long loadedBytes, String storedTypes, boolean converted) {}

    public static Footprint footprint(GgufFile g) {
        long bytes = 0;
        boolean conv = false;
        Set<String> types = new LinkedHashSet<>();
        for (GgufFile.TensorInfo t : g.tensors().values()) {
            boolean noKernel = GgmlBlocks.isBlockType(t.type())
                    && GgufFile.quantType(t.type()) == null
                    && kQuantType(t.type()) == null;
            bytes += noKernel ? t.numel() / WeightType.Q8_0.blockSize * WeightType.Q8_0.blockBytes : t.bytes();
            conv |= noKernel;
            if (t.dims().length == 2) types.add(GgufFile.typeName(t.type()));
        }
        return new Footprint(bytes, String.join(" + ", types), conv);
    }

    private static GgufFile.TensorInfo need(Map<String, GgufFile.TensorInfo> ts, String name, Path path) {
        GgufFile.TensorInfo t = ts.get(name);
        if (t == null) throw new ModelFormatException(path, "tensor '" + name + "' is missing");
        return t;
    }

    private static Matrix matrix(
            GgufFile g,
            GgufFile.TensorInfo t,
            Path path,
            int rows,
            int cols,
            Arena arena,
            Parallel par,
            Conversions conv) {
        if (t.dims().length != 2 || t.rows() != rows || t.cols() != cols) {
            throw new ModelFormatException(
                    path,
                    "tensor '" + t.name() + "' has GGML shape " + Arrays.toString(t.dims()) + ", the hparams imply ["
                            + cols + ", " + rows + "]");
        }
        MemorySegment data = g.data(t);
        long[] shape = {rows, cols};
        return switch (t.type()) {
            case GgufFile.F32 -> new DenseMatrix(new Tensor(t.name(), DType.F32, shape, data));
            case GgufFile.F16 -> new DenseMatrix(new Tensor(t.name(), DType.F16, shape, data));
            case GgufFile.BF16 -> new DenseMatrix(new Tensor(t.name(), DType.BF16, shape, data));
            case GgufFile.Q8_0, GgufFile.Q4_0 ->
                split(t.name(), GgufFile.quantType(t.type()), rows, cols, data, arena, par, path);
            case GgufFile.Q4_K, GgufFile.Q5_K, GgufFile.Q6_K -> kQuant(t, rows, cols, data, par, path);
            default -> { // GgufFile.open admits only readable types: the rest are block formats without kernels
                conv.count(t.type());
                yield convert(t, rows, cols, data, conv.target, arena, par, path);
            }
        };
    }

    /** Each row decoded to float (as ggml decodes it) and quantized to {@code to} (q8_0 or q4_0). */
    static QuantMatrix convert(
            GgufFile.TensorInfo t,
            int rows,
            int cols,
            MemorySegment src,
            WeightType to,
            Arena arena,
            Parallel par,
            Path path) {
        if (cols % QuantMatrix.BLOCK != 0) {
            throw new ModelFormatException(
                    path,
                    "tensor '" + t.name() + "' rows of " + cols + " cannot be re-quantized to " + to.label()
                            + " (blocks of 32)");
        }
        MemorySegment q = arena.allocate(QuantMatrix.quantBytes(to, rows, cols), 64);
        MemorySegment s = arena.allocate(QuantMatrix.scaleBytes(rows, cols), 64);
        long rowBytes = (long) cols / GgmlBlocks.blockSize(t.type()) * GgmlBlocks.blockBytes(t.type());
        Parallel.RangeBody body = (a, b) -> convertRows(t, cols, src, rowBytes, to, q, s, a, b, path);
        if (par != null) par.range(rows, 16, body);
        else body.run(0, rows);
        return new QuantMatrix(t.name(), to, rows, cols, q, s);
    }

    /** The engine's form of the k-quants it computes with as stored (Q4_K, Q5_K, Q6_K); else null. */
    static WeightType kQuantType(int ggml) {
        return switch (ggml) {
            case GgufFile.Q4_K -> WeightType.Q4_K;
            case GgufFile.Q5_K -> WeightType.Q5_K;
            case GgufFile.Q6_K -> WeightType.Q6_K;
            default -> null;
        };
    }

    /**
     * The mapped blocks as they are; every block's f16 scales (d, and dmin for Q4_K / Q5_K) are
     * checked finite first, as {@link #split} checks q8_0 / q4_0 ones, so a damaged file fails here
     * with a message and not later as NaN text.
     */
    static KQuantMatrix kQuant(GgufFile.TensorInfo t, int rows, int cols, MemorySegment data, Parallel par, Path path) {
        WeightType type = kQuantType(t.type());
        int nb = cols / KQuantMatrix.BLOCK, bb = type.blockBytes;
        long[] at = type == WeightType.Q6_K ? new long[] {208} : new long[] {0, 2};
        Parallel.RangeBody body = (a, b) -> {
            for (int r = a; r < b; r++) {
                for (int blk = 0; blk < nb; blk++) {
                    long bo = ((long) r * nb + blk) * bb;
                    for (long o : at) {
                        if ((data.get(ValueLayout.JAVA_SHORT_UNALIGNED, bo + o) >> 10 & 0x1F) == 0x1F) {
                            throw new ModelFormatException(
                                    path,
                                    "tensor '" + t.name() + "' has a non-finite block scale (row " + r + ", block "
                                            + blk + ")");
                        }
                    }
                }
            }
        };
        if (par != null) par.range(rows, 64, body);
        else body.run(0, rows);
        return new KQuantMatrix(t.name(), type, rows, cols, data);
    }

    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;

    /**
     * GGML blocks {f16 d; 32 x int8} (q8_0) or {f16 d; 16 bytes of nibbles} (q4_0) into the two
     * planes of a {@link QuantMatrix}; q4_0 nibbles become signed (XOR 0x88).
     */
    static QuantMatrix split(
            String name, WeightType type, int rows, int cols, MemorySegment src, Arena arena, Parallel par, Path path) {
        int nb = cols / 32, qb = type == WeightType.Q8_0 ? 32 : 16, bb = qb + 2;
        MemorySegment q = arena.allocate(QuantMatrix.quantBytes(type, rows, cols), 64);
        MemorySegment s = arena.allocate(QuantMatrix.scaleBytes(rows, cols), 64);
        boolean q4 = type == WeightType.Q4_0;
        Parallel.RangeBody body = (a, b) -> {
            for (int r = a; r < b; r++) {
                for (int blk = 0; blk < nb; blk++) {
                    long i = (long) r * nb + blk, from = i * bb;
                    short d = src.get(ValueLayout.JAVA_SHORT_UNALIGNED, from);
                    int e = (d >> 10) & 0x1F;
                    if (e == 0x1F)
                        throw new ModelFormatException(
                                path,
                                "tensor '" + name + "' has a non-finite block scale (row " + r + ", block " + blk
                                        + ")");
                    s.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, d);
                    for (int j = 0; j < qb; j += 16) {
                        ByteVector v = ByteVector.fromMemorySegment(B16, src, from + 2 + j, ByteOrder.LITTLE_ENDIAN);
                        if (q4) v = v.lanewise(VectorOperators.XOR, (byte) 0x88);
                        v.intoMemorySegment(q, i * qb + j, ByteOrder.LITTLE_ENDIAN);
                    }
                }
            }
        };
        if (par != null) par.range(rows, 64, body);
        else body.run(0, rows);
        return new QuantMatrix(name, type, rows, cols, q, s);
    }

    private static void convertRows(
            GgufFile.TensorInfo t,
            int cols,
            MemorySegment src,
            long rowBytes,
            WeightType to,
            MemorySegment q,
            MemorySegment s,
            int from,
            int until,
            Path path) {
        float[] row = new float[cols];
        for (int r = from; r < until; r++) {
            GgmlBlocks.dequantizeRow(t.type(), src, r * rowBytes, cols, row, 0);
            for (int c = 0; c < cols; c++) {
                if (!Float.isFinite(row[c]))
                    throw new ModelFormatException(
                            path,
                            "tensor '" + t.name() + "' decodes to a non-finite weight (row " + r + ", column " + c
                                    + ")");
            }
            Quantizer.quantizeRow(to, row, 0, cols, q, s, r);
        }
    }

    private static float[] vec(GgufFile g, GgufFile.TensorInfo t, int n, Path path) {
        if (t.numel() != n)
            throw new ModelFormatException(
                    path, "tensor '" + t.name() + "' has " + t.numel() + " values, expected " + n);
        MemorySegment data = g.data(t);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (t.type()) {
                case GgufFile.F32 -> data.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
                case GgufFile.F16 -> Float.float16ToFloat(data.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i));
                case GgufFile.BF16 ->
                    Float.intBitsToFloat((data.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i) & 0xFFFF) << 16);
                default ->
                    throw new ModelFormatException(
                            path,
                            "tensor '" + t.name() + "' (a norm vector) has type " + GgufFile.typeName(t.type())
                                    + "; expected F32, F16 or BF16");
            };
        }
        return v;
    }

    private static String str(Map<String, Object> m, String key, Path path) {
        if (m.get(key) instanceof String s) return s;
        throw new ModelFormatException(path, "metadata '" + key + "' is missing");
    }

    private static int intKey(Map<String, Object> m, String key, Path path) {
        if (m.get(key) instanceof Number n && n.longValue() > 0 && n.longValue() <= Integer.MAX_VALUE)
            return n.intValue();
        throw new ModelFormatException(path, "metadata '" + key + "' is missing or invalid");
    }

    private static float num(Map<String, Object> m, String key, float dflt) {
        return m.get(key) instanceof Number n ? n.floatValue() : dflt;
    }
}
