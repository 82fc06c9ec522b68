package org.longform.engine.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a .safetensors file tensor by tensor (streamed: a 1B-parameter model never sits on the
 * heap whole). Used for random benchmark models and for tests.
 */
public final class SafeTensorsWriter {
    /** Produces the elements of one tensor, in row-major order, as floats to be stored in {@code dtype}. */
    public interface Source {
        void fill(float[] chunk, long start, int n);
    }

    private record Entry(String name, DType dtype, long[] shape, Source source) {}

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    public SafeTensorsWriter add(String name, DType dtype, long[] shape, Source source) {
        entries.put(name, new Entry(name, dtype, shape, source));
        return this;
    }

    public void write(Path file) throws IOException {
        ObjectMapper om = new ObjectMapper();
        ObjectNode header = om.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long off = 0;
        for (Entry e : entries.values()) {
            long bytes = numel(e.shape) * e.dtype.bytes();
            ObjectNode t = header.putObject(e.name);
            t.put("dtype", e.dtype.name());
            var sh = t.putArray("shape");
            for (long s : e.shape) sh.add(s);
            t.putArray("data_offsets").add(off).add(off + bytes);
            off += bytes;
        }
        byte[] h = om.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int pad = (8 - h.length % 8) % 8;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            ByteBuffer len =
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length + pad);
            out.write(len.array());
            out.write(h);
            for (int i = 0; i < pad; i++) out.write(' ');
            float[] chunk = new float[1 << 16];
            ByteBuffer buf = ByteBuffer.allocate(chunk.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry e : entries.values()) {
                long n = numel(e.shape);
                for (long s = 0; s < n; s += chunk.length) {
                    int k = (int) Math.min(chunk.length, n - s);
                    e.source.fill(chunk, s, k);
                    buf.clear();
                    for (int i = 0; i < k; i++) {
                        switch (e.dtype) {
                            case F32 -> buf.putFloat(chunk[i]);
                            case F16 -> buf.putShort(Float.floatToFloat16(chunk[i]));
                            case BF16 -> buf.putShort(toBf16(chunk[i]));
                        }
                    }
                    out.write(buf.array(), 0, buf.position());
                }
            }
        }
    }

    /** Round-to-nearest-even, as torch's .to(bfloat16). */
    public static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) 0x7FC0;
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsb) >>> 16);
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }
}
