package org.longform.engine.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads a .safetensors file: 8-byte header length, JSON header, then raw little-endian data. Mapped, never copied. */
public final class SafeTensors {
    private SafeTensors() {}

    public static LinkedHashMap<String, Tensor> open(Path file, Arena arena) {
        MemorySegment seg = map(file, arena);
        long size = seg.byteSize();
        if (size < 8) throw new ModelFormatException(file, "truncated safetensors file (" + size + " bytes)");
        long headerLen = seg.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLen <= 0 || headerLen > 100_000_000L || 8 + headerLen > size) {
            throw new ModelFormatException(
                    file,
                    "not a safetensors file or truncated (header length " + headerLen + ", file " + size + " bytes)");
        }
        byte[] hdr = seg.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(new String(hdr, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ModelFormatException(file, "safetensors header is not valid JSON");
        }
        long base = 8 + headerLen;
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (name.equals("__metadata__")) continue;
            JsonNode t = e.getValue();
            if (!t.isObject()) {
                throw new ModelFormatException(file, "tensor '" + name + "' is not a tensor description");
            }
            String dt = t.path("dtype").asText("");
            DType dtype = DType.fromSafetensors(dt);
            if (dtype == null)
                throw new ModelFormatException(
                        file, "tensor '" + name + "' has unsupported dtype " + dt + " (supported: F32, F16, BF16)");
            long[] shape = shape(file, name, t.path("shape"));
            long numel = 1, bytes;
            try {
                for (long d : shape) numel = Math.multiplyExact(numel, d);
                bytes = Math.multiplyExact(numel, dtype.bytes());
            } catch (ArithmeticException overflow) {
                throw new ModelFormatException(file, "tensor '" + name + "' has a shape too large for any file");
            }
            JsonNode offs = t.path("data_offsets");
            if (offs.size() != 2
                    || !offs.get(0).canConvertToLong()
                    || !offs.get(1).canConvertToLong()) {
                throw new ModelFormatException(file, "tensor '" + name + "' has no data_offsets");
            }
            long begin = offs.get(0).asLong(), end = offs.get(1).asLong();
            if (begin < 0 || end < begin || end - begin != bytes) {
                throw new ModelFormatException(
                        file, "tensor '" + name + "' data_offsets do not match its shape and dtype");
            }
            // compared as end > size - base: base + end could wrap past Long.MAX_VALUE
            if (end > size - base) {
                throw new ModelFormatException(
                        file,
                        "truncated: tensor '" + name + "' ends at byte " + end + " of the data but the file has "
                                + (size - base));
            }
            out.put(name, new Tensor(name, dtype, shape, seg.asSlice(base + begin, end - begin)));
        }
        return out;
    }

    /** The tensor's dimensions: a JSON array of non-negative integers. */
    private static long[] shape(Path file, String name, JsonNode node) {
        if (!node.isArray()) throw new ModelFormatException(file, "tensor '" + name + "' has no shape array");
        long[] shape = new long[node.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = node.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                String shown = d.toString();
                shown = shown.length() > 40 ? shown.substring(0, 40) + "..." : shown;
                throw new ModelFormatException(file, "tensor '" + name + "' has a bad shape entry " + shown);
            }
            shape[i] = d.asLong();
        }
        return shape;
    }

    static MemorySegment map(Path file, Arena arena) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file, "file not found");
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot be read: " + e.getMessage());
        }
    }
}
