package org.longform.engine.io.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.longform.engine.io.ModelFormatException;
import org.longform.engine.quant.WeightType;

/**
 * A GGUF file (versions 2 and 3), mapped: its key/value metadata and its tensor table. Tensor data
 * is never copied here; {@link #data} returns a slice of the mapping. Every length and offset read
 * from the file is checked against the file before use.
 */
public final class GgufFile {
    public static final int MAGIC = 0x46554747; // "GGUF" little-endian

    /** GGML tensor types this engine reads (ggml.h's numbering). */
    public static final int F32 = 0,
            F16 = 1,
            Q4_0 = 2,
            Q4_1 = 3,
            Q5_0 = 6,
            Q5_1 = 7,
            Q8_0 = 8,
            Q2_K = 10,
            Q3_K = 11,
            Q4_K = 12,
            Q5_K = 13,
            Q6_K = 14,
            BF16 = 30;

    /** dims in GGML order: dims[0] is the contiguous (column) dimension. */
    public record TensorInfo(String name, long[] dims, int type, long offset, long bytes) {
        public long rows() {
            return dims.length < 2 ? 1 : dims[1];
        }

        public long cols() {
            return dims[0];
        }

        public long numel() {
            long n = 1;
            for (long d : dims) n *= d;
            return n;
        }
    }

    private final Path path;
    private final MemorySegment file;
    private final Map<String, Object> meta;
    private final Map<String, TensorInfo> tensors;
    private final long dataStart;
    private final int version;

    private GgufFile(
            Path path,
            MemorySegment file,
            int version,
            Map<String, Object> meta,
            Map<String, TensorInfo> tensors,
            long dataStart) {
        this.path = path;
        this.file = file;
        this.version = version;
        this.meta = meta;
        this.tensors = tensors;
        this.dataStart = dataStart;
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public Map<String, Object> metadata() {
        return Collections.unmodifiableMap(meta);
    }

    public Map<String, TensorInfo> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    /** The bytes of a tensor, a slice of the mapped file. */
    public MemorySegment data(TensorInfo t) {
        return file.asSlice(dataStart + t.offset(), t.bytes());
    }

    public static boolean isGguf(Path p) {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            return ch.read(b, 0) == 4 && b.getInt(0) == MAGIC;
        } catch (IOException e) {
            return false;
        }
    }

    public static GgufFile open(Path path, Arena arena) {
        MemorySegment seg;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        } catch (IOException e) {
            throw new ModelFormatException(path, "cannot read (" + e.getMessage() + ")");
        }
        Reader r = new Reader(path, seg);
        if (seg.byteSize() < 24 || r.u32() != MAGIC)
            throw new ModelFormatException(path, "not a GGUF file (bad magic)");
        int version = r.u32();
        if (version != 2 && version != 3)
            throw new ModelFormatException(path, "GGUF version " + version + " is not supported (2 or 3)");
        long nTensors = r.u64(), nKv = r.u64();
        if (nTensors < 0 || nTensors > 1_000_000 || nKv < 0 || nKv > 1_000_000)
            throw new ModelFormatException(path, "implausible tensor/metadata counts");
        Map<String, Object> meta = new LinkedHashMap<>();
        for (long i = 0; i < nKv; i++) {
            String key = r.string();
            meta.put(key, r.value(r.u32(), 0));
        }
        long align = 32;
        if (meta.get("general.alignment") instanceof Number n) align = n.longValue();
        if (align <= 0 || (align & (align - 1)) != 0)
            throw new ModelFormatException(path, "general.alignment " + align + " is not a power of two");
        List<Object[]> raw = new ArrayList<>();
        for (long i = 0; i < nTensors; i++) {
            String name = r.string();
            int nd = r.u32();
            if (nd < 1 || nd > 4)
                throw new ModelFormatException(path, "tensor '" + name + "' has " + nd + " dimensions");
            long[] dims = new long[nd];
            for (int d = 0; d < nd; d++) {
                dims[d] = r.u64();
                if (dims[d] <= 0 || dims[d] > (1L << 40))
                    throw new ModelFormatException(path, "tensor '" + name + "' has a bad dimension " + dims[d]);
            }
            raw.add(new Object[] {name, dims, r.u32(), r.u64()});
        }
        long dataStart = (r.pos + align - 1) / align * align;
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Object[] o : raw) {
            String name = (String) o[0];
            long[] dims = (long[]) o[1];
            int type = (Integer) o[2];
            long off = (Long) o[3];
            long n = 1;
            for (long d : dims) {
                if (d > Long.MAX_VALUE / n) {
                    throw new ModelFormatException(path, "tensor '" + name + "' is too large (dims overflow)");
                }
                n *= d;
            }
            int bs = GgmlBlocks.blockSize(type);
            if (bs == 0) {
                throw new ModelFormatException(
                        path,
                        "tensor '" + name + "' has GGML type " + typeName(type)
                                + ", which is not supported (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K)");
            }
            if (dims[0] % bs != 0)
                throw new ModelFormatException(
                        path,
                        "tensor '" + name + "' row of " + dims[0] + " is not a whole number of " + bs + "-weight "
                                + typeName(type) + " blocks");
            long blocks = n / bs, blockBytes = GgmlBlocks.blockBytes(type);
            long bytes = blocks > Long.MAX_VALUE / blockBytes ? Long.MAX_VALUE : blocks * blockBytes;
            // compared by subtraction: dataStart + off + bytes could wrap past Long.MAX_VALUE
            long room = seg.byteSize() - dataStart;
            if (off < 0 || bytes > room || off > room - bytes) {
                throw new ModelFormatException(
                        path,
                        "tensor '" + name + "' data [" + off + ", +" + bytes + ") lies outside the file (truncated?)");
            }
            if (tensors.put(name, new TensorInfo(name, dims, type, off, bytes)) != null) {
                throw new ModelFormatException(path, "tensor '" + name + "' appears twice");
            }
        }
        return new GgufFile(path, seg, version, meta, tensors, dataStart);
    }

    /** The GGML type named {@code name} (as {@link #typeName} spells it, any case), or -1. */
    public static int typeNamed(String name) {
        for (int t = 0; t <= BF16; t++) if (typeName(t).equalsIgnoreCase(name)) return t;
        return -1;
    }

    /** The engine's form of the GGML block types it computes with directly: Q8_0, Q4_0; else null. */
    public static WeightType quantType(int ggml) {
        return ggml == Q8_0 ? WeightType.Q8_0 : ggml == Q4_0 ? WeightType.Q4_0 : null;
    }

    /** The GGML type of a quantized engine form (q8_0 or q4_0). */
    public static int ggmlType(WeightType w) {
        return switch (w) {
            case Q8_0 -> Q8_0;
            case Q4_0 -> Q4_0;
            default -> throw new IllegalArgumentException(w + " is not a GGML block type");
        };
    }

    public static String typeName(int t) {
        return switch (t) {
            case F32 -> "F32";
            case F16 -> "F16";
            case Q4_0 -> "Q4_0";
            case Q4_1 -> "Q4_1";
            case Q5_0 -> "Q5_0";
            case Q5_1 -> "Q5_1";
            case Q8_0 -> "Q8_0";
            case Q2_K -> "Q2_K";
            case Q3_K -> "Q3_K";
            case Q4_K -> "Q4_K";
            case Q5_K -> "Q5_K";
            case Q6_K -> "Q6_K";
            case 16 -> "IQ2_XXS";
            case 17 -> "IQ2_XS";
            case 18 -> "IQ3_XXS";
            case 19 -> "IQ1_S";
            case 20 -> "IQ4_NL";
            case 21 -> "IQ3_S";
            case 22 -> "IQ2_S";
            case 23 -> "IQ4_XS";
            case 29 -> "IQ1_M";
            case BF16 -> "BF16";
            default -> "#" + t;
        };
    }

    /** Bounds-checked little-endian cursor over the mapping. */
    private static final class Reader {
        private final Path path;
        private final MemorySegment seg;
        long pos;

        Reader(Path path, MemorySegment seg) {
            this.path = path;
            this.seg = seg;
        }

        private void need(long n) {
            if (n < 0 || pos + n > seg.byteSize())
                throw new ModelFormatException(path, "truncated header at byte " + pos);
        }

        int u32() {
            need(4);
            int v = seg.get(ValueLayout.JAVA_INT_UNALIGNED, pos);
            pos += 4;
            return v;
        }

        long u64() {
            need(8);
            long v = seg.get(ValueLayout.JAVA_LONG_UNALIGNED, pos);
            pos += 8;
            return v;
        }

        String string() {
            long n = u64();
            if (n < 0 || n > (1 << 24))
                throw new ModelFormatException(path, "implausible string length " + n + " at byte " + (pos - 8));
            need(n);
            byte[] b = seg.asSlice(pos, n).toArray(ValueLayout.JAVA_BYTE);
            pos += n;
            return new String(b, StandardCharsets.UTF_8);
        }

        Object value(int type, int depth) {
            switch (type) {
                case 0, 1 -> {
                    need(1);
                    byte v = seg.get(ValueLayout.JAVA_BYTE, pos);
                    pos += 1;
                    return type == 0 ? (Object) (v & 0xFF) : (Object) (int) v;
                }
                case 2, 3 -> {
                    need(2);
                    short v = seg.get(ValueLayout.JAVA_SHORT_UNALIGNED, pos);
                    pos += 2;
                    return type == 2 ? v & 0xFFFF : (int) v;
                }
                case 4 -> {
                    return u32() & 0xFFFFFFFFL;
                }
                case 5 -> {
                    return u32();
                }
                case 6 -> {
                    need(4);
                    float v = seg.get(ValueLayout.JAVA_FLOAT_UNALIGNED, pos);
                    pos += 4;
                    return v;
                }
                case 7 -> {
                    need(1);
                    byte v = seg.get(ValueLayout.JAVA_BYTE, pos);
                    pos += 1;
                    return v != 0;
                }
                case 8 -> {
                    return string();
                }
                case 9 -> {
                    if (depth > 2) throw new ModelFormatException(path, "arrays nested too deeply");
                    int et = u32();
                    long n = u64();
                    if (n < 0 || n > (1 << 26)) throw new ModelFormatException(path, "implausible array length " + n);
                    if (n > 4096 && et != 8 && et != 9) {
                        // large numeric arrays (token scores, types): skip the values, keep the count
                        long size = switch (et) {
                            case 0, 1, 7 -> 1;
                            case 2, 3 -> 2;
                            case 4, 5, 6 -> 4;
                            case 10, 11, 12 -> 8;
                            default -> throw new ModelFormatException(path, "unknown GGUF value type " + et);
                        };
                        need(n * size);
                        pos += n * size;
                        return new SkippedArray(et, n);
                    }
                    List<Object> out = new ArrayList<>((int) Math.min(n, 4096));
                    for (long i = 0; i < n; i++) out.add(value(et, depth + 1));
                    return out;
                }
                case 10 -> {
                    return u64();
                }
                case 11 -> {
                    return u64();
                }
                case 12 -> {
                    need(8);
                    double v = seg.get(ValueLayout.JAVA_DOUBLE_UNALIGNED, pos);
                    pos += 8;
                    return v;
                }
                default ->
                    throw new ModelFormatException(path, "unknown GGUF value type " + type + " at byte " + (pos - 4));
            }
        }
    }

    /** A numeric metadata array whose values were not kept (only its element type and length). */
    public record SkippedArray(int type, long length) {}
}
