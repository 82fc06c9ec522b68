package org.longform.hub;

import org.longform.engine.io.ModelFormatException;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The header of a GGUF file (llama.cpp's format): version, tensor count and the scalar metadata
 * (architecture, name, context length, ...). Enough to show a model in the model manager and to
 * refuse a non-MPT file with a clear message; tensors are not read here.
 */
public record GgufInfo(int version, long tensorCount, Map<String, Object> metadata) {
    private static final int MAGIC = 0x46554747;   // "GGUF" read as a little-endian int
    private static final int MAX_KEYS = 100_000;

    public String architecture() { return String.valueOf(metadata.getOrDefault("general.architecture", "unknown")); }

    public String name() {
        Object n = metadata.get("general.name");
        return n != null ? n.toString() : null;
    }

    /** {@code ARCH.context_length}, or 0 when absent. */
    public long contextLength() {
        return metadata.get(architecture() + ".context_length") instanceof Number n ? n.longValue() : 0;
    }

    public static boolean looksLikeGguf(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(4);
            return b.length == 4 && new String(b, StandardCharsets.US_ASCII).equals("GGUF");
        } catch (IOException e) {
            return false;
        }
    }

    public static GgufInfo read(Path file) {
        try (LittleEndian in = new LittleEndian(new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16)))) {
            if (in.i32() != MAGIC) throw new ModelFormatException(file, "not a GGUF file (no GGUF magic)");
            int version = in.i32();
            if (version < 2 || version > 3) throw new ModelFormatException(file, "GGUF version " + version + " is not supported (only 2 and 3)");
            long tensors = in.i64(), keys = in.i64();
            if (keys < 0 || keys > MAX_KEYS || tensors < 0) throw new ModelFormatException(file, "GGUF header is corrupt (" + keys + " metadata keys)");
            Map<String, Object> meta = new LinkedHashMap<>();
            for (long i = 0; i < keys; i++) {
                String key = in.string();
                Object v = in.value(in.i32(), 0);
                if (v != null) meta.put(key, v);
            }
            return new GgufInfo(version, tensors, Map.copyOf(meta));
        } catch (EOFException e) {
            throw new ModelFormatException(file, "GGUF file is truncated inside its header");
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read (" + e.getMessage() + ")");
        }
    }

    /** Little-endian primitives over a DataInputStream (which is big-endian). */
    private record LittleEndian(DataInputStream in) implements AutoCloseable {
        int i32() throws IOException { return Integer.reverseBytes(in.readInt()); }

        long i64() throws IOException { return Long.reverseBytes(in.readLong()); }

        String string() throws IOException {
            long n = i64();
            if (n < 0 || n > (1 << 20)) throw new IOException("GGUF string of " + n + " bytes");
            return new String(in.readNBytes((int) n), StandardCharsets.UTF_8);
        }

        /** A metadata value; arrays (token lists, often huge) are skipped and yield null. */
        Object value(int type, int depth) throws IOException {
            return switch (type) {
                case 0 -> (long) in.readUnsignedByte();
                case 1 -> (long) in.readByte();
                case 2 -> (long) Short.toUnsignedInt(Short.reverseBytes(in.readShort()));
                case 3 -> (long) Short.reverseBytes(in.readShort());
                case 4 -> Integer.toUnsignedLong(i32());
                case 5 -> (long) i32();
                case 6 -> (double) Float.intBitsToFloat(i32());
                case 7 -> in.readUnsignedByte() != 0;
                case 8 -> string();
                case 9 -> {
                    if (depth > 4) throw new IOException("GGUF arrays nested too deep");
                    int itemType = i32();
                    long n = i64();
                    if (n < 0) throw new IOException("GGUF array of negative length");
                    for (long k = 0; k < n; k++) value(itemType, depth + 1);
                    yield null;
                }
                case 10, 11 -> i64();
                case 12 -> Double.longBitsToDouble(i64());
                default -> throw new IOException("unknown GGUF value type " + type);
            };
        }

        @Override public void close() throws IOException { in.close(); }
    }
}
