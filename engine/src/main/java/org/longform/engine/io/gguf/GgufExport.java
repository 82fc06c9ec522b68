package org.longform.engine.io.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.longform.engine.io.SafeTensorsWriter;
import org.longform.engine.model.Config;
import org.longform.engine.model.Model;
import org.longform.engine.model.Weights;
import org.longform.engine.quant.Matrix;
import org.longform.engine.quant.QuantMatrix;
import org.longform.engine.quant.Quantizer;
import org.longform.engine.quant.WeightType;

/**
 * Writes a loaded MPT model as a GGUF file in llama.cpp's {@code mpt} layout (the tensor names and
 * hparams its converter writes, and the GPT-NeoX BPE vocabulary from tokenizer.json, padded to the
 * model's vocab with [PAD n] entries as the converter pads it), so the same weights open in
 * llama.cpp, KoboldCpp or LM Studio, and so a benchmark can run llama.cpp on exactly our model.
 * Matrices go out in F32, F16, BF16, Q8_0 or Q4_0 (quantized here if they are not already
 * quantized; a q4_0 model's q8_0 embedding stays q8_0); norm vectors in F32. Tensor data is streamed row by row, so multi-GB models need no heap.
 */
public final class GgufExport {
    private GgufExport() {}

    /** GGUF metadata value types. */
    private static final int U32 = 4, I32 = 5, F32V = 6, STRING = 8, ARRAY = 9;

    private record Out(String name, long[] dims, int type, long bytes, Writer data) {}

    private interface Writer {
        void write(FileChannel ch) throws IOException;
    }

    /** Whether matrices can be written in GGML type {@code type}: F32, F16, BF16, Q8_0 or Q4_0. */
    public static boolean exportable(int type) {
        return type == GgufFile.F32
                || type == GgufFile.F16
                || type == GgufFile.BF16
                || GgufFile.quantType(type) != null;
    }

    public static void write(Model model, Path tokenizerJson, int type, Path out) throws IOException {
        if (!exportable(type)) {
            throw new IllegalArgumentException(
                    "export type must be F32, F16, BF16, Q8_0 or Q4_0, not " + GgufFile.typeName(type));
        }
        Config c = model.config();
        Weights w = model.weights();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("general.architecture", "mpt");
        meta.put(
                "general.name",
                model.dir().getFileName() == null
                        ? "mpt"
                        : model.dir().getFileName().toString());
        meta.put("general.file_type", fileType(type));
        meta.put("mpt.context_length", c.maxSeqLen());
        meta.put("mpt.embedding_length", c.dModel());
        meta.put("mpt.block_count", c.nLayers());
        meta.put("mpt.feed_forward_length", c.dFf());
        meta.put("mpt.attention.head_count", c.nHeads());
        meta.put("mpt.attention.layer_norm_epsilon", c.normEps());
        meta.put("mpt.attention.max_alibi_bias", c.alibiBiasMax());
        if (c.clipQkv() > 0) meta.put("mpt.attention.clamp_kqv", c.clipQkv());
        vocab(tokenizerJson, c.vocabSize(), meta);

        List<Out> ts = new ArrayList<>();
        ts.add(matrix("token_embd.weight", w.wte, type));
        if (w.lmHead != w.wte) ts.add(matrix("output.weight", w.lmHead, type));
        for (int l = 0; l < c.nLayers(); l++) {
            Weights.Layer L = w.layers[l];
            String p = "blk." + l + ".";
            ts.add(vector(p + "attn_norm.weight", L.norm1()));
            ts.add(matrix(p + "attn_qkv.weight", L.wqkv(), type));
            ts.add(matrix(p + "attn_output.weight", L.outProj(), type));
            ts.add(vector(p + "ffn_norm.weight", L.norm2()));
            ts.add(matrix(p + "ffn_up.weight", L.up(), type));
            ts.add(matrix(p + "ffn_down.weight", L.down(), type));
        }
        ts.add(vector("output_norm.weight", w.normF));

        ByteArrayOutputStream head = new ByteArrayOutputStream();
        Le h = new Le(head);
        h.u32(GgufFile.MAGIC).u32(3).u64(ts.size()).u64(meta.size());
        for (var e : meta.entrySet()) {
            h.str(e.getKey());
            value(h, e.getValue());
        }
        long off = 0;
        for (Out t : ts) {
            h.str(t.name()).u32(t.dims().length);
            for (long d : t.dims()) h.u64(d);
            h.u32(t.type()).u64(off);
            off = align(off + t.bytes());
        }
        Path tmp = out.resolveSibling(out.getFileName() + ".part");
        boolean done = false;
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            byte[] hb = head.toByteArray();
            full(ch, ByteBuffer.wrap(hb));
            full(ch, ByteBuffer.allocate((int) (align(hb.length) - hb.length)));
            for (Out t : ts) {
                long start = ch.position();
                t.data().write(ch);
                if (ch.position() - start != t.bytes())
                    throw new IllegalStateException(
                            t.name() + ": wrote " + (ch.position() - start) + " of " + t.bytes() + " bytes");
                full(ch, ByteBuffer.allocate((int) (align(t.bytes()) - t.bytes())));
            }
            done = true;
        } finally {
            if (!done) Files.deleteIfExists(tmp); // no half-written file left behind
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
    }

    /** llama.cpp's LLAMA_FTYPE for a file whose matrices are all {@code type}. */
    private static int fileType(int type) {
        return switch (type) {
            case GgufFile.F32 -> 0;
            case GgufFile.F16 -> 1;
            case GgufFile.Q4_0 -> 2;
            case GgufFile.Q8_0 -> 7;
            default -> 32; // BF16
        };
    }

    /**
     * The GPT-2-style BPE vocabulary llama.cpp reads: tokens by id (ids the tokenizer lacks up to the
     * model's vocab become "[PAD id]", type unused), token types (1 normal, 3 control for special
     * added tokens, 4 user-defined for other added ones, 5 unused), merges, and the NeoX/MPT
     * pre-tokenizer name.
     */
    static void vocab(Path tokenizerJson, int vocabSize, Map<String, Object> meta) throws IOException {
        JsonNode t = new ObjectMapper().readTree(tokenizerJson.toFile());
        JsonNode model = t.path("model");
        if (!"BPE".equals(model.path("type").asText())) throw new IOException(tokenizerJson + ": not a BPE tokenizer");
        String[] tokens = new String[vocabSize];
        int[] types = new int[vocabSize];
        model.path("vocab").properties().forEach(e -> {
            int id = e.getValue().asInt();
            if (id >= 0 && id < vocabSize) {
                tokens[id] = e.getKey();
                types[id] = 1;
            }
        });
        int eos = 0;
        for (JsonNode a : t.path("added_tokens")) {
            int id = a.path("id").asInt();
            if (id < 0 || id >= vocabSize) continue;
            tokens[id] = a.path("content").asText();
            types[id] = a.path("special").asBoolean() ? 3 : 4;
            if ("<|endoftext|>".equals(tokens[id])) eos = id;
        }
        for (int i = 0; i < vocabSize; i++) {
            if (tokens[i] == null) {
                tokens[i] = "[PAD" + i + "]";
                types[i] = 5;
            }
        }
        List<String> merges = new ArrayList<>();
        for (JsonNode m : model.path("merges")) {
            merges.add(m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText());
        }
        meta.put("tokenizer.ggml.model", "gpt2");
        meta.put("tokenizer.ggml.pre", "mpt");
        meta.put("tokenizer.ggml.tokens", tokens);
        meta.put("tokenizer.ggml.token_type", types);
        meta.put("tokenizer.ggml.merges", merges.toArray(new String[0]));
        meta.put("tokenizer.ggml.bos_token_id", eos);
        meta.put("tokenizer.ggml.eos_token_id", eos);
        meta.put("tokenizer.ggml.unknown_token_id", eos);
    }

    private static Out vector(String name, float[] v) {
        return new Out(name, new long[] {v.length}, GgufFile.F32, 4L * v.length, ch -> {
            ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : v) b.putFloat(f);
            full(ch, b.flip());
        });
    }

    private static Out matrix(String name, Matrix m, int requested) {
        // a quantized export keeps matrices the engine already holds in another quantized form as
        // they are (q4_0 models keep the tied embedding at q8_0): no second rounding
        final int type = GgufFile.quantType(requested) != null && m instanceof QuantMatrix qm
                ? GgufFile.ggmlType(qm.type())
                : requested;
        int rows = m.rows(), cols = m.cols();
        long[] dims = {cols, rows};
        long bytes = (long) rows * cols / GgmlBlocks.blockSize(type) * GgmlBlocks.blockBytes(type);
        WeightType wt = GgufFile.quantType(type);
        if (wt != null) {
            if (cols % 32 != 0)
                throw new IllegalArgumentException(name + ": rows of " + cols + " are not whole blocks of 32");
            return new Out(name, dims, type, bytes, ch -> blocks(ch, m, wt));
        }
        return new Out(name, dims, type, bytes, ch -> {
            float[] row = new float[cols];
            int es = type == GgufFile.F32 ? 4 : 2;
            ByteBuffer b = ByteBuffer.allocate(cols * es).order(ByteOrder.LITTLE_ENDIAN);
            for (int r = 0; r < rows; r++) {
                m.row(r, row, 0);
                b.clear();
                for (float f : row) {
                    switch (type) {
                        case GgufFile.F32 -> b.putFloat(f);
                        case GgufFile.F16 -> b.putShort(Float.floatToFloat16(f));
                        default -> b.putShort(SafeTensorsWriter.toBf16(f));
                    }
                }
                full(ch, b.flip());
            }
        });
    }

    /** GGML blocks {f16 d; quants} row by row, from the matrix's own planes when it already is {@code wt}. */
    private static void blocks(FileChannel ch, Matrix m, WeightType wt) throws IOException {
        int rows = m.rows(), cols = m.cols(), nb = cols / 32, qb = wt == WeightType.Q8_0 ? 32 : 16;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment q, s;
            boolean own = m instanceof QuantMatrix qm && qm.type() == wt;
            if (own) {
                q = ((QuantMatrix) m).quants();
                s = ((QuantMatrix) m).scales();
            } else {
                q = a.allocate((long) qb * nb);
                s = a.allocate(2L * nb);
            }
            float[] row = new float[cols];
            ByteBuffer b = ByteBuffer.allocate(nb * (qb + 2)).order(ByteOrder.LITTLE_ENDIAN);
            for (int r = 0; r < rows; r++) {
                if (!own) { // quantized into a one-row scratch, so the whole matrix is never held twice
                    m.row(r, row, 0);
                    Quantizer.quantizeRow(wt, row, 0, cols, q, s, 0);
                }
                long first = own ? (long) r * nb : 0;
                b.clear();
                for (int k = 0; k < nb; k++) {
                    long i = first + k;
                    b.putShort(s.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i));
                    for (int j = 0; j < qb; j++) {
                        byte v = q.get(ValueLayout.JAVA_BYTE, i * qb + j);
                        b.put(
                                wt == WeightType.Q4_0
                                        ? (byte) (v ^ 0x88)
                                        : v); // engine nibbles are signed, GGML's offset by 8
                    }
                }
                full(ch, b.flip());
            }
        }
    }

    private static void value(Le h, Object v) throws IOException {
        switch (v) {
            case String s -> h.u32(STRING).str(s);
            case Integer i -> h.u32(U32).u32(i);
            case Float f -> h.u32(F32V).f32(f);
            case String[] arr -> {
                h.u32(ARRAY).u32(STRING).u64(arr.length);
                for (String s : arr) h.str(s);
            }
            case int[] arr -> {
                h.u32(ARRAY).u32(I32).u64(arr.length);
                for (int i : arr) h.u32(i);
            }
            default -> throw new IllegalArgumentException(v.getClass().toString());
        }
    }

    private static long align(long x) {
        return (x + 31) & ~31L;
    }

    private static void full(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    /** Little-endian writes into the header buffer. */
    private static final class Le {
        private final ByteArrayOutputStream o;

        Le(ByteArrayOutputStream o) {
            this.o = o;
        }

        Le u32(int v) {
            for (int k = 0; k < 4; k++) o.write(v >>> (8 * k));
            return this;
        }

        Le u64(long v) {
            for (int k = 0; k < 8; k++) o.write((int) (v >>> (8 * k)));
            return this;
        }

        Le f32(float f) {
            return u32(Float.floatToRawIntBits(f));
        }

        Le str(String s) {
            byte[] u = s.getBytes(StandardCharsets.UTF_8);
            u64(u.length);
            o.writeBytes(u);
            return this;
        }
    }
}
