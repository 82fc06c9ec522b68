package org.longform.engine.io.gguf;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.longform.engine.model.Config;
import org.longform.engine.model.Weights;
import org.longform.engine.quant.Matrix;
import org.longform.engine.quant.QuantMatrix;
import org.longform.engine.quant.WeightType;

/**
 * A small GGUF v3 writer for tests: metadata of a few scalar types and tensors in F32, F16, BF16,
 * Q8_0 and Q4_0 (GGML's interleaved blocks), and the other block types through {@link GgmlEncoder},
 * laid out as llama.cpp does (32-byte alignment).
 */
public final class GgufWriter {
    private record T(String name, long[] dims, int type, byte[] data) {}

    private final Map<String, Object> meta = new LinkedHashMap<>();
    private final List<T> tensors = new ArrayList<>();

    public GgufWriter meta(String key, Object value) {
        meta.put(key, value);
        return this;
    }

    /** A tensor with GGML dims (dims[0] contiguous) and raw little-endian data. */
    public GgufWriter tensor(String name, long[] dims, int type, byte[] data) {
        tensors.add(new T(name, dims, type, data));
        return this;
    }

    public GgufWriter vector(String name, float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return tensor(name, new long[] {v.length}, GgufFile.F32, b.array());
    }

    /** A matrix [rows, cols] in {@code type}: dense types are converted from the matrix's values, quantized ones must match it. */
    public GgufWriter matrix(String name, Matrix m, int type) {
        int rows = m.rows(), cols = m.cols();
        long[] dims = {cols, rows};
        float[] row = new float[cols];
        switch (type) {
            case GgufFile.F32, GgufFile.F16, GgufFile.BF16 -> {
                int es = type == GgufFile.F32 ? 4 : 2;
                ByteBuffer b = ByteBuffer.allocate(rows * cols * es).order(ByteOrder.LITTLE_ENDIAN);
                for (int r = 0; r < rows; r++) {
                    m.row(r, row, 0);
                    for (float f : row) {
                        if (type == GgufFile.F32) b.putFloat(f);
                        else if (type == GgufFile.F16) b.putShort(Float.floatToFloat16(f));
                        else b.putShort((short) (Float.floatToRawIntBits(f) >>> 16));
                    }
                }
                return tensor(name, dims, type, b.array());
            }
            case GgufFile.Q8_0, GgufFile.Q4_0 -> {
                QuantMatrix q = (QuantMatrix) m;
                WeightType want = type == GgufFile.Q8_0 ? WeightType.Q8_0 : WeightType.Q4_0;
                if (q.type() != want) throw new IllegalArgumentException(name + " is " + q.type());
                int nb = cols / 32, qb = want == WeightType.Q8_0 ? 32 : 16;
                ByteBuffer b = ByteBuffer.allocate(rows * nb * (qb + 2)).order(ByteOrder.LITTLE_ENDIAN);
                for (long i = 0; i < (long) rows * nb; i++) {
                    b.putShort(q.scales().getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i));
                    for (int j = 0; j < qb; j++) {
                        byte v = q.quants().get(ValueLayout.JAVA_BYTE, i * qb + j);
                        b.put(want == WeightType.Q4_0 ? (byte) (v ^ 0x88) : v);
                    }
                }
                return tensor(name, dims, type, b.array());
            }
            default -> {
                if (!GgmlBlocks.isBlockType(type)) throw new IllegalArgumentException("type " + type);
                return tensor(name, dims, type, GgmlEncoder.matrix(m, type));
            }
        }
    }

    /** The matrix encoded in block type {@code type}, stored as F32: the values a reader should decode from that encoding. */
    public GgufWriter decodedAsF32(String name, Matrix m, int type) {
        byte[] enc = GgmlEncoder.matrix(m, type);
        int bs = GgmlBlocks.blockSize(type), bb = GgmlBlocks.blockBytes(type), nb = m.rows() * (m.cols() / bs);
        ByteBuffer out = ByteBuffer.allocate(m.rows() * m.cols() * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < nb; k++) {
            byte[] blk = Arrays.copyOfRange(enc, k * bb, (k + 1) * bb);
            for (int i = 0; i < bs; i++) out.putFloat(GgmlEncoder.value(type, blk, i));
        }
        return tensor(name, new long[] {m.cols(), m.rows()}, GgufFile.F32, out.array());
    }

    /** How {@link #mpt(Config, Weights, MatrixWriter)} stores each matrix. */
    public interface MatrixWriter {
        void write(GgufWriter g, String name, Matrix m);
    }

    /** llama.cpp's layout of an MPT model: hparams and tensor names, every matrix in {@code type}. */
    public static GgufWriter mpt(Config c, Weights w, int type) {
        return mpt(c, w, (g, name, m) -> g.matrix(name, m, type));
    }

    /** llama.cpp's layout of an MPT model, each matrix stored by {@code mw}. */
    public static GgufWriter mpt(Config c, Weights w, MatrixWriter mw) {
        GgufWriter g = new GgufWriter()
                .meta("general.architecture", "mpt")
                .meta("general.name", "test")
                .meta("mpt.context_length", c.maxSeqLen())
                .meta("mpt.embedding_length", c.dModel())
                .meta("mpt.block_count", c.nLayers())
                .meta("mpt.feed_forward_length", c.dFf())
                .meta("mpt.attention.head_count", c.nHeads())
                .meta("mpt.attention.layer_norm_epsilon", c.normEps())
                .meta("mpt.attention.max_alibi_bias", c.alibiBiasMax());
        if (c.clipQkv() > 0) g.meta("mpt.attention.clamp_kqv", c.clipQkv());
        mw.write(g, "token_embd.weight", w.wte);
        for (int l = 0; l < c.nLayers(); l++) {
            Weights.Layer L = w.layers[l];
            String p = "blk." + l + ".";
            g.vector(p + "attn_norm.weight", L.norm1());
            mw.write(g, p + "attn_qkv.weight", L.wqkv());
            mw.write(g, p + "attn_output.weight", L.outProj());
            g.vector(p + "ffn_norm.weight", L.norm2());
            mw.write(g, p + "ffn_up.weight", L.up());
            mw.write(g, p + "ffn_down.weight", L.down());
        }
        g.vector("output_norm.weight", w.normF);
        return g;
    }

    public void write(Path file) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(GgufFile.MAGIC).putInt(3).putLong(tensors.size()).putLong(meta.size());
        for (var e : meta.entrySet()) {
            str(h, e.getKey());
            Object v = e.getValue();
            switch (v) {
                case String s -> {
                    h.putInt(8);
                    str(h, s);
                }
                case Integer i -> h.putInt(4).putInt(i);
                case Long l -> h.putInt(10).putLong(l);
                case Float f -> h.putInt(6).putFloat(f);
                case Boolean b -> h.putInt(7).put((byte) (b ? 1 : 0));
                default -> throw new IllegalArgumentException(e.getKey() + ": " + v.getClass());
            }
        }
        long off = 0;
        for (T t : tensors) {
            str(h, t.name());
            h.putInt(t.dims().length);
            for (long d : t.dims()) h.putLong(d);
            h.putInt(t.type()).putLong(off);
            off = align(off + t.data().length);
        }
        int headerEnd = h.position();
        int dataStart = (int) align(headerEnd);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(h.array(), 0, headerEnd);
            out.write(new byte[dataStart - headerEnd]);
            long pos = 0;
            for (T t : tensors) {
                out.write(t.data());
                pos += t.data().length;
                long next = align(pos);
                out.write(new byte[(int) (next - pos)]);
                pos = next;
            }
        }
    }

    private static long align(long x) {
        return (x + 31) & ~31L;
    }

    private static void str(ByteBuffer b, String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        b.putLong(u.length).put(u);
    }
}
