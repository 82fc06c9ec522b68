package org.longform.engine.io;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.io.gguf.GgufFile;

/**
 * Headers built to slip past size checks by overflow, negative numbers, wrong JSON types or cycles.
 * Each was a crash (an unchecked exception or StackOverflowError) before; now each is a one-line
 * {@link ModelFormatException} naming the file.
 */
class HostileHeaderTest {
    @TempDir
    Path tmp;

    static void assertRefused(Path file, Runnable open, String fragment) {
        ModelFormatException e = assertThrows(ModelFormatException.class, open::run);
        String m = e.getMessage();
        assertTrue(m.startsWith(file.toString()) && !m.contains("\n"), m);
        assertTrue(m.contains(fragment), "'" + fragment + "' not in: " + m);
    }

    Path safetensors(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path f = tmp.resolve("model.safetensors");
        Files.write(f, b.array());
        return f;
    }

    void assertSafetensorsRefused(String header, String fragment) throws IOException {
        Path f = safetensors(header, 16);
        try (Arena a = Arena.ofConfined()) {
            assertRefused(f, () -> SafeTensors.open(f, a), fragment);
        }
    }

    @Test
    void safetensorsNegativeShape() throws IOException {
        assertSafetensorsRefused("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[4,0]}}", "shape");
    }

    @Test
    void safetensorsShapeNotAnArray() throws IOException {
        assertSafetensorsRefused("{\"a\":{\"dtype\":\"F32\",\"shape\":{\"x\":1},\"data_offsets\":[0,4]}}", "shape");
    }

    @Test
    void safetensorsShapeOverflowsToZeroBytes() throws IOException {
        // 2^62 x 4 floats: numel * 4 wraps to 0 and matched empty data_offsets
        assertSafetensorsRefused(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,0]}}", "shape");
    }

    @Test
    void safetensorsOffsetsOverflowPastTheEnd() throws IOException {
        assertSafetensorsRefused(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],"
                        + "\"data_offsets\":[9223372036854775800,9223372036854775804]}}",
                "a");
    }

    @Test
    void safetensorsTensorNotAnObject() throws IOException {
        assertSafetensorsRefused("{\"a\":[1,2,3]}", "a");
    }

    Path gguf(long[] dims, int type, long offset) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(GgufFile.MAGIC).putInt(3).putLong(1).putLong(0);
        b.putLong(1).put((byte) 't').putInt(dims.length);
        for (long d : dims) b.putLong(d);
        b.putInt(type).putLong(offset);
        Path f = tmp.resolve("model.gguf");
        Files.write(f, Arrays.copyOf(b.array(), 160));
        return f;
    }

    @Test
    void ggufDimsOverflow() throws IOException {
        Path f = gguf(new long[] {1L << 40, 1L << 40, 1L << 40, 1L << 40}, GgufFile.F32, 0);
        try (Arena a = Arena.ofConfined()) {
            assertRefused(f, () -> GgufFile.open(f, a), "'t'");
        }
    }

    @Test
    void ggufOffsetOverflow() throws IOException {
        Path f = gguf(new long[] {4}, GgufFile.F32, Long.MAX_VALUE - 20);
        try (Arena a = Arena.ofConfined()) {
            assertRefused(f, () -> GgufFile.open(f, a), "outside the file");
        }
    }

    Path checkpoint(byte[] pickle) throws IOException {
        Path f = tmp.resolve("pytorch_model.bin");
        try (OutputStream os = Files.newOutputStream(f);
                ZipOutputStream zip = new ZipOutputStream(os)) {
            ZipEntry ze = new ZipEntry("archive/data.pkl");
            ze.setMethod(ZipEntry.STORED);
            ze.setSize(pickle.length);
            CRC32 crc = new CRC32();
            crc.update(pickle);
            ze.setCrc(crc.getValue());
            zip.putNextEntry(ze);
            zip.write(pickle);
            zip.closeEntry();
        }
        return f;
    }

    void assertPickleRefused(byte[] pickle, String fragment) throws IOException {
        Path f = checkpoint(pickle);
        try (Arena a = Arena.ofConfined()) {
            assertRefused(f, () -> TorchCheckpoint.open(f, a), fragment);
        }
    }

    @Test
    void pickleSelfContainingListAsDictKey() throws IOException {
        // d = {}; l = []; l.append(l); d[l] = None -- hashing l recursed forever
        assertPickleRefused(
                new PickleWriter()
                        .proto()
                        .op('}')
                        .emptyList()
                        .op('2')
                        .append()
                        .op('N')
                        .setitem()
                        .stop()
                        .bytes(),
                "key");
    }

    @Test
    void pickleDeeplyNestedTupleAsDictKey() throws IOException {
        PickleWriter p = new PickleWriter().proto().op('}').emptyTuple();
        for (int i = 0; i < 200_000; i++) p.tuple1();
        assertPickleRefused(p.op('N').setitem().stop().bytes(), "key");
    }

    @Test
    void pickleCycleInAnErrorMessage() throws IOException {
        // a = []; b = [a]; a.append(b); then BINPERSID(a): describing a in the message recursed forever
        PickleWriter p = new PickleWriter()
                .proto()
                .emptyList()
                .put(0)
                .emptyList()
                .get(0)
                .append()
                .append();
        p.get(0).op('Q').stop();
        Path f = checkpoint(p.bytes());
        try (Arena a = Arena.ofConfined()) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> TorchCheckpoint.open(f, a));
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
