package org.longform.engine.quant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Logger;
import org.longform.engine.kernels.Parallel;

/**
 * Quantized weights cached on disk next to the model, so the next load maps them instead of
 * quantizing again. File layout: the 8 bytes {@code LFQUANT1}, the header length (8 bytes, LE), a
 * JSON header (quant type, a fingerprint of the source files, and per matrix its name, type,
 * shape and the file offsets of its quant and scale planes), then the planes, each 64-byte aligned.
 * A cache whose fingerprint does not match the source (files changed) is ignored and rewritten.
 */
public final class QuantCache {
    private static final Logger LOG = Logger.getLogger(QuantCache.class.getName());
    private static final byte[] MAGIC = "LFQUANT1".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;

    private QuantCache() {}

    /** Where the cache of {@code source} (a model folder or a .gguf file) in {@code type} lives. */
    public static Path fileFor(Path source, WeightType type) {
        return Files.isDirectory(source)
                ? source.resolve("longform-" + type.label() + ".lfq")
                : source.resolveSibling(source.getFileName() + ".longform-" + type.label() + ".lfq");
    }

    /** Sizes and modification times of the weight files the cache was made from. */
    public static String fingerprint(List<Path> files) {
        StringBuilder sb = new StringBuilder("v").append(VERSION);
        for (Path f : files.stream().sorted().toList()) {
            try {
                sb.append(';')
                        .append(f.getFileName())
                        .append(':')
                        .append(Files.size(f))
                        .append(':')
                        .append(Files.getLastModifiedTime(f).toMillis());
            } catch (IOException e) {
                sb.append(';').append(f.getFileName()).append(":?");
            }
        }
        return sb.toString();
    }

    /** The cached matrices by name, mapped in {@code arena}; null if there is no valid cache. */
    public static Map<String, QuantMatrix> read(Path file, WeightType type, String fingerprint, Arena arena) {
        if (!Files.isRegularFile(file)) return null;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            if (seg.byteSize() < 16 || !Arrays.equals(seg.asSlice(0, 8).toArray(ValueLayout.JAVA_BYTE), MAGIC))
                return stale(file, "bad magic");
            long hlen = seg.get(ValueLayout.JAVA_LONG_UNALIGNED, 8);
            if (hlen <= 0 || 16 + hlen > seg.byteSize()) return stale(file, "bad header length");
            JsonNode h = new ObjectMapper()
                    .readTree(new String(seg.asSlice(16, hlen).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            if (h.path("version").asInt() != VERSION
                    || !h.path("quant").asText().equals(type.label())) return stale(file, "other version or type");
            if (!h.path("source").asText().equals(fingerprint)) return stale(file, "source files changed");
            Map<String, QuantMatrix> out = new HashMap<>();
            for (JsonNode m : h.path("matrices")) {
                WeightType t = WeightType.valueOf(m.path("type").asText());
                int rows = m.path("rows").asInt(), cols = m.path("cols").asInt();
                long q = m.path("q").asLong(), s = m.path("s").asLong();
                long qn = QuantMatrix.quantBytes(t, rows, cols), sn = QuantMatrix.scaleBytes(rows, cols);
                if (q < 0 || s < 0 || q + qn > seg.byteSize() || s + sn > seg.byteSize())
                    return stale(file, "truncated");
                String name = m.path("name").asText();
                out.put(name, new QuantMatrix(name, t, rows, cols, seg.asSlice(q, qn), seg.asSlice(s, sn)));
            }
            return out;
        } catch (IOException | RuntimeException e) {
            return stale(file, e.toString());
        }
    }

    private static Map<String, QuantMatrix> stale(Path file, String why) {
        LOG.info("ignoring quantized cache " + file + ": " + why);
        return null;
    }

    /** Writes the matrices (atomically: a temporary file, then a rename). Returns false, logging why, if it cannot. */
    public static boolean write(Path file, WeightType type, String fingerprint, List<QuantMatrix> matrices) {
        List<Entry> entries = matrices.stream()
                .map(m -> new Entry(m.name(), m.type(), m.rows(), m.cols()))
                .toList();
        return writeFile(file, type, fingerprint, entries, (ch, e, q, sc) -> {
            QuantMatrix m = matrices.get(indexOf(matrices, e.name()));
            writeSegment(ch, m.quants(), q);
            writeSegment(ch, m.scales(), sc);
        });
    }

    /** Rows quantized per block when streaming: about this many bytes of source rows at a time. */
    public static final long STREAM_BLOCK_BYTES = 32L << 20;

    /**
     * Quantizes each source matrix to its target type into a new cache file, a block of rows at a
     * time (about {@code blockBytes} of source rows: widened, quantized into a small buffer, written
     * at its place in the file), then maps the file back. A mapped source's rows are released from
     * this process's memory ({@link MemorySegment#unload}: the pages stay in the page cache) once
     * quantized, so neither the source nor the result is ever resident here as a whole: peak memory
     * is a few blocks, where quantizing in memory held the result and the whole source at once (a
     * 7B: 20.9 GB). Returns the mapped matrices by name, or null (logged) if the file cannot be
     * written or read back; the caller then quantizes in memory.
     */
    public static Map<String, QuantMatrix> writeStreaming(
            Path file,
            WeightType quant,
            String fingerprint,
            List<Matrix> sources,
            Function<Matrix, WeightType> target,
            Arena arena,
            Parallel par,
            long blockBytes) {
        List<Entry> entries = sources.stream()
                .map(m -> new Entry(m.name(), target.apply(m), m.rows(), m.cols()))
                .toList();
        boolean ok = writeFile(file, quant, fingerprint, entries, (ch, e, qOff, sOff) -> {
            Matrix src = sources.get(indexOfSource(sources, e.name()));
            streamMatrix(ch, src, e.type(), qOff, sOff, par, blockBytes);
        });
        return ok ? read(file, quant, fingerprint, arena) : null;
    }

    private static void streamMatrix(
            FileChannel ch, Matrix src, WeightType type, long qOff, long sOff, Parallel par, long blockBytes)
            throws IOException {
        int rows = src.rows(), cols = src.cols();
        long srcRow = Math.max(1, src.byteSize() / rows);
        int block = (int) Math.max(16, Math.min(rows, blockBytes / srcRow));
        long qRow = QuantMatrix.quantBytes(type, 1, cols), sRow = QuantMatrix.scaleBytes(1, cols);
        MemorySegment mapped = mappedData(src);
        try (Arena scratch = Arena.ofShared()) { // the team's threads fill it
            MemorySegment q = scratch.allocate(qRow * block, 64), s = scratch.allocate(sRow * block, 64);
            for (int r0 = 0; r0 < rows; r0 += block) {
                int n = Math.min(block, rows - r0), first = r0;
                Quantizer.quantizeRows(src, type, first, first + n, q, s, par);
                writeSegment(ch, q.asSlice(0, qRow * n), qOff + qRow * first);
                writeSegment(ch, s.asSlice(0, sRow * n), sOff + sRow * first);
                if (mapped != null) {
                    long rb = mapped.byteSize() / rows;
                    mapped.asSlice(rb * first, rb * n).unload();
                }
            }
        }
    }

    /** The mapped bytes a matrix computes with (a checkpoint or GGUF mapping), or null if it lives in memory. */
    private static MemorySegment mappedData(Matrix m) {
        MemorySegment d = switch (m) {
            case DenseMatrix dm -> dm.tensor().data();
            case KQuantMatrix km -> km.data();
            case QuantMatrix qm -> null;
        };
        return d != null && d.isMapped() && d.byteSize() % m.rows() == 0 ? d : null;
    }

    /** One matrix of a cache file: name, form and shape (its planes' sizes follow). */
    private record Entry(String name, WeightType type, int rows, int cols) {}

    private interface PlaneWriter {
        void write(FileChannel ch, Entry e, long qOff, long sOff) throws IOException;
    }

    private static boolean writeFile(
            Path file, WeightType type, String fingerprint, List<Entry> entries, PlaneWriter planes) {
        Path tmp = file.resolveSibling(
                file.getFileName() + ".tmp" + ProcessHandle.current().pid());
        try {
            ObjectMapper om = new ObjectMapper();
            ObjectNode h = om.createObjectNode();
            h.put("version", VERSION).put("quant", type.label()).put("source", fingerprint);
            ArrayNode arr = h.putArray("matrices");
            // offsets depend on the header length, which depends on the offsets' digits: iterate to a fixed point
            long base = 0;
            byte[] header = null;
            for (int pass = 0; pass < 8; pass++) {
                arr.removeAll();
                long off = base;
                for (Entry m : entries) {
                    ObjectNode o = arr.addObject();
                    o.put("name", m.name())
                            .put("type", m.type().name())
                            .put("rows", m.rows())
                            .put("cols", m.cols());
                    o.put("q", off);
                    off = align(off + QuantMatrix.quantBytes(m.type(), m.rows(), m.cols()));
                    o.put("s", off);
                    off = align(off + QuantMatrix.scaleBytes(m.rows(), m.cols()));
                }
                header = om.writeValueAsBytes(h);
                if (16 + header.length <= base) break;
                base = align(16 + header.length + 64);
            }
            if (16 + header.length > base) throw new IllegalStateException("header layout did not converge");
            try (FileChannel ch = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                ByteBuffer head = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
                head.put(MAGIC).putLong(header.length).flip();
                writeFully(ch, head, 0);
                writeFully(ch, ByteBuffer.wrap(header), 16);
                for (int i = 0; i < entries.size(); i++) {
                    JsonNode o = arr.get(i);
                    planes.write(
                            ch,
                            entries.get(i),
                            o.path("q").asLong(),
                            o.path("s").asLong());
                }
                ch.force(false);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warning("could not write the quantized cache " + file + " (" + e.getMessage()
                    + "); the next load quantizes again");
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing more to do
            }
            return false;
        }
    }

    private static int indexOfSource(List<Matrix> ms, String name) {
        for (int i = 0; i < ms.size(); i++) if (ms.get(i).name().equals(name)) return i;
        throw new IllegalStateException(name);
    }

    private static int indexOf(List<QuantMatrix> ms, String name) {
        for (int i = 0; i < ms.size(); i++) if (ms.get(i).name().equals(name)) return i;
        throw new IllegalStateException(name);
    }

    private static long align(long x) {
        return (x + 63) & ~63L;
    }

    private static void writeSegment(FileChannel ch, MemorySegment seg, long pos) throws IOException {
        long chunk = 1L << 30;
        for (long o = 0; o < seg.byteSize(); o += chunk) {
            writeFully(ch, seg.asSlice(o, Math.min(chunk, seg.byteSize() - o)).asByteBuffer(), pos + o);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) pos += ch.write(b, pos);
    }
}
