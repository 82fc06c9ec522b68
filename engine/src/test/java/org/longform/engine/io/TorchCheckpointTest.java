package org.longform.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
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
import java.util.UUID;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchCheckpointTest {

    private static final Path FIXTURE = Path.of("src/test/resources/fixtures/tiny-mpt-4h");
    private static final String SHARD1 = "pytorch_model-00001-of-00002.bin";
    private static final String SHARD2 = "pytorch_model-00002-of-00002.bin";

    @TempDir
    Path tmp;

    // ---------------------------------------------------------------- the real fixture

    @Test
    void loadsBothFixtureShardsMatchingTheIndex() throws IOException {
        JsonNode weightMap = new ObjectMapper()
                .readTree(FIXTURE.resolve("pytorch_model.bin.index.json").toFile())
                .get("weight_map");
        Map<String, List<String>> expectedNames = new LinkedHashMap<>();
        weightMap
                .fields()
                .forEachRemaining(e -> expectedNames
                        .computeIfAbsent(e.getValue().asText(), k -> new ArrayList<>())
                        .add(e.getKey()));

        try (Arena arena = Arena.ofConfined()) {
            int total = 0;
            for (String shard : List.of(SHARD1, SHARD2)) {
                LinkedHashMap<String, Tensor> tensors = TorchCheckpoint.open(FIXTURE.resolve(shard), arena);
                assertEquals(
                        expectedNames.get(shard),
                        new ArrayList<>(tensors.keySet()),
                        "tensor names and order of " + shard);
                for (Tensor t : tensors.values()) {
                    assertEquals(DType.BF16, t.dtype(), t.name());
                    assertArrayEquals(expectedShape(t.name()), t.shape(), t.name());
                    assertEquals(t.numel() * 2, t.data().byteSize(), t.name());
                    assertTrue(t.data().isMapped(), t.name() + " must be a slice of the file mapping");
                }
                total += tensors.size();
            }
            assertEquals(weightMap.size(), total);
        }
    }

    private static long[] expectedShape(String name) {
        if (name.endsWith("wte.weight")) return new long[] {50432, 64};
        if (name.endsWith("Wqkv.weight")) return new long[] {192, 64};
        if (name.endsWith("out_proj.weight")) return new long[] {64, 64};
        if (name.endsWith("up_proj.weight")) return new long[] {256, 64};
        if (name.endsWith("down_proj.weight")) return new long[] {64, 256};
        if (name.contains("norm")) return new long[] {64};
        throw new AssertionError("unexpected tensor " + name);
    }

    @Test
    void fixtureValuesArePlausible() {
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> all = new LinkedHashMap<>(TorchCheckpoint.open(FIXTURE.resolve(SHARD1), arena));
            all.putAll(TorchCheckpoint.open(FIXTURE.resolve(SHARD2), arena));
            int norms = 0;
            for (Tensor t : all.values()) {
                if (!t.name().contains("norm")) continue;
                norms++;
                double sum = 0;
                for (int i = 0; i < t.numel(); i++) {
                    float v = t.get(i);
                    assertTrue(v > 0.5f && v < 1.5f, t.name() + "[" + i + "] = " + v);
                    sum += v;
                }
                assertEquals(1.0, sum / t.numel(), 0.1, t.name() + " mean (weights are 1 + N(0, 0.1))");
            }
            assertEquals(5, norms);

            Tensor wte = all.get("transformer.wte.weight");
            double sumSq = 0;
            boolean allFinite = true;
            for (long i = 0; i < wte.numel(); i += 97) {
                float v = wte.get(i);
                allFinite &= Float.isFinite(v);
                sumSq += v * v;
            }
            assertTrue(allFinite);
            assertTrue(sumSq > 0, "embedding is not all zeros");
        }
    }

    /** Independent check: java.util.zip reads each storage entry; the tensor slice must hold exactly those bytes. */
    @Test
    void tensorBytesEqualTheStorageEntriesReadByJavaUtilZip() throws IOException {
        for (String shard : List.of(SHARD1, SHARD2)) {
            Path file = FIXTURE.resolve(shard);
            try (Arena arena = Arena.ofConfined();
                    ZipFile zf = new ZipFile(file.toFile())) {
                String prefix = zf.stream()
                        .map(ZipEntry::getName)
                        .filter(n -> n.endsWith("/data.pkl"))
                        .findFirst()
                        .orElseThrow()
                        .replace("data.pkl", "");
                int key = 0; // this fixture gives each tensor its own storage, keys "0", "1", ... in file order
                for (Tensor t : TorchCheckpoint.open(file, arena).values()) {
                    byte[] expected;
                    try (var in = zf.getInputStream(zf.getEntry(prefix + "data/" + key++))) {
                        expected = in.readAllBytes();
                    }
                    assertArrayEquals(expected, t.data().toArray(ValueLayout.JAVA_BYTE), shard + " " + t.name());
                }
            }
        }
    }

    // ---------------------------------------------------------------- hand-built valid checkpoints

    /** Storage "0": eight float32 values 0, 1.5, 3, ...; storage "1": four float16 values 0.5, 1, 1.5, 2. */
    private static Map<String, byte[]> smallStorages() {
        ByteBuffer f32 = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 8; i++) f32.putFloat(i * 1.5f);
        ByteBuffer f16 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 4; i++) f16.putShort(Float.floatToFloat16((i + 1) * 0.5f));
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("0", f32.array());
        m.put("1", f16.array());
        return m;
    }

    /** A state dict like torch.save writes: an f32 [2,3] view at offset 2, an f16 Parameter, and `_metadata` set by BUILD. */
    private static byte[] smallPickle() {
        PickleWriter p = new PickleWriter().proto().orderedDict().put(0);
        p.mark();
        p.str("layer.weight").tensor("FloatStorage", "0", 8, 2, new long[] {2, 3}, new long[] {3, 1});
        p.str("layer.scale")
                .global("torch._utils", "_rebuild_parameter")
                .mark()
                .tensor("HalfStorage", "1", 4, 0, new long[] {4}, new long[] {1})
                .newFalse()
                .orderedDict()
                .tuple()
                .reduce();
        p.setitems();
        p.op('}').str("_metadata").op('}').setitem().op('b'); // OrderedDict state: ignored
        return p.stop().bytes();
    }

    private static void checkSmall(Map<String, Tensor> tensors) {
        assertEquals(List.of("layer.weight", "layer.scale"), new ArrayList<>(tensors.keySet()));
        Tensor w = tensors.get("layer.weight");
        assertEquals(DType.F32, w.dtype());
        assertArrayEquals(new long[] {2, 3}, w.shape());
        for (int i = 0; i < 6; i++) assertEquals((i + 2) * 1.5f, w.get(i));
        Tensor s = tensors.get("layer.scale");
        assertEquals(DType.F16, s.dtype());
        for (int i = 0; i < 4; i++) assertEquals((i + 1) * 0.5f, s.get(i));
    }

    @Test
    void handBuiltF32CheckpointWithAnyPrefixFolder() throws IOException {
        Path file = storedZip("my_weights_v2", smallPickle(), smallStorages());
        try (Arena arena = Arena.ofConfined()) {
            checkSmall(TorchCheckpoint.open(file, arena));
        }
    }

    @Test
    void readsZip64RecordsAndAlignedLocalHeaders() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("archive/data.pkl", smallPickle());
        smallStorages().forEach((k, v) -> entries.put("archive/data/" + k, v));
        entries.put("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        Path file = tmp.resolve("zip64.bin");
        Files.write(file, zip64(entries));
        try (ZipFile zf = new ZipFile(file.toFile())) { // the test writer itself must produce a valid zip
            assertArrayEquals(
                    smallStorages().get("0"),
                    zf.getInputStream(zf.getEntry("archive/data/0")).readAllBytes());
        }
        try (Arena arena = Arena.ofConfined()) {
            checkSmall(TorchCheckpoint.open(file, arena));
        }
    }

    // ---------------------------------------------------------------- hostile pickles

    private Path marker() {
        return tmp.resolve("pwned-" + UUID.randomUUID());
    }

    private void assertRefused(byte[] pickle, String global, Path marker) throws IOException {
        Path file = storedZip("archive", pickle, Map.of());
        try (Arena arena = Arena.ofConfined()) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> TorchCheckpoint.open(file, arena));
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("'" + global + "'"), e.getMessage());
        }
        assertFalse(Files.exists(marker), "the pickled command ran");
    }

    @Test
    void refusesOsSystem() throws IOException {
        Path m = marker();
        assertRefused(
                new PickleWriter()
                        .proto()
                        .global("os", "system")
                        .str("touch " + m)
                        .tuple1()
                        .reduce()
                        .stop()
                        .bytes(),
                "os.system",
                m);
    }

    @Test
    void refusesBuiltinsEval() throws IOException {
        Path m = marker();
        String code = "__import__('os').system('touch " + m + "')";
        assertRefused(
                new PickleWriter()
                        .proto()
                        .global("builtins", "eval")
                        .str(code)
                        .tuple1()
                        .reduce()
                        .stop()
                        .bytes(),
                "builtins.eval",
                m);
    }

    @Test
    void refusesStackGlobalPosixSystem() throws IOException {
        Path m = marker();
        assertRefused(
                new PickleWriter()
                        .proto()
                        .stackGlobal("posix", "system")
                        .str("touch " + m)
                        .tuple1()
                        .reduce()
                        .stop()
                        .bytes(),
                "posix.system",
                m);
    }

    @Test
    void refusesPopenHiddenAfterAGoodTensor() throws IOException {
        Path m = marker();
        PickleWriter p = new PickleWriter().proto().orderedDict().put(0);
        p.str("ok")
                .tensor("FloatStorage", "0", 8, 0, new long[] {8}, new long[] {1})
                .setitem();
        p.str("evil")
                .global("subprocess", "Popen")
                .emptyList()
                .str("touch")
                .append()
                .str(m.toString())
                .append()
                .tuple1()
                .reduce()
                .setitem();
        assertRefused(p.stop().bytes(), "subprocess.Popen", m);
    }

    @Test
    void refusesAtTheGlobalBeforeReadingFurther() throws IOException {
        // The junk after GLOBAL would be an error too, but the refusal must come first.
        assertRefused(
                new PickleWriter().proto().global("os", "system").op(0xff, 0xff).bytes(), "os.system", marker());
    }

    @Test
    void storageClassIsNotCallable() throws IOException {
        byte[] pkl = new PickleWriter()
                .proto()
                .global("torch", "FloatStorage")
                .emptyTuple()
                .reduce()
                .stop()
                .bytes();
        assertProblem(storedZip("archive", pkl, Map.of()), "not callable");
    }

    // ---------------------------------------------------------------- damaged or unusable files

    private static void assertProblem(Path file, String... fragments) {
        try (Arena arena = Arena.ofConfined()) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> TorchCheckpoint.open(file, arena));
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
            for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
        }
    }

    private Path truncatedCopy(String shard, long length) throws IOException {
        byte[] all = Files.readAllBytes(FIXTURE.resolve(shard));
        Path file = tmp.resolve(length + "-" + shard);
        Files.write(file, Arrays.copyOf(all, (int) length));
        return file;
    }

    @Test
    void truncatedShardsAreReportedAsTruncated() throws IOException {
        for (String shard : List.of(SHARD1, SHARD2)) {
            long size = Files.size(FIXTURE.resolve(shard));
            assertProblem(truncatedCopy(shard, size / 2), "truncated");
            assertProblem(truncatedCopy(shard, size - 100), "truncated");
            assertProblem(truncatedCopy(shard, size - 1), "truncated");
            assertProblem(truncatedCopy(shard, 10), "truncated");
        }
    }

    @Test
    void truncatedPickleIsReportedAsTruncated() throws IOException {
        byte[] pkl = smallPickle();
        assertProblem(
                storedZip("archive", Arrays.copyOf(pkl, pkl.length / 2), smallStorages()),
                "archive/data.pkl",
                "truncated");
    }

    @Test
    void storageShorterThanTheTensorIsTruncated() throws IOException {
        Map<String, byte[]> storages = smallStorages();
        storages.put("0", Arrays.copyOf(storages.get("0"), 20));
        assertProblem(storedZip("archive", smallPickle(), storages), "layer.weight", "truncated");
        assertProblem(
                storedZip("archive", smallPickle(), Map.of("1", smallStorages().get("1"))), "layer.weight", "missing");
    }

    @Test
    void emptyFile() throws IOException {
        Path file = Files.createFile(tmp.resolve("empty.bin"));
        assertProblem(file, "empty");
    }

    @Test
    void notAZip() throws IOException {
        Path file = Files.writeString(tmp.resolve("text.bin"), "this is not a checkpoint, just some text");
        assertProblem(file, "not a zip");
        Path legacy = Files.write(
                tmp.resolve("legacy.bin"),
                new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c});
        assertProblem(legacy, "legacy");
        Path noPickle = tmp.resolve("other.zip");
        writeZip(noPickle, Map.of("readme.txt", "hi".getBytes(StandardCharsets.US_ASCII)), false);
        assertProblem(noPickle, "data.pkl");
    }

    @Test
    void compressedEntry() throws IOException {
        Path file = tmp.resolve("deflated.bin");
        writeZip(file, Map.of("archive/data.pkl", smallPickle()), true);
        assertProblem(file, "archive/data.pkl", "compressed");
    }

    @Test
    void nonContiguousTensor() throws IOException {
        byte[] pkl = new PickleWriter()
                .proto()
                .orderedDict()
                .str("t")
                .tensor("FloatStorage", "0", 8, 0, new long[] {2, 3}, new long[] {1, 2})
                .setitem()
                .stop()
                .bytes();
        assertProblem(storedZip("archive", pkl, smallStorages()), "'t'", "not contiguous");
    }

    @Test
    void unsupportedDtypeNamesTheTensor() throws IOException {
        byte[] pkl = new PickleWriter()
                .proto()
                .orderedDict()
                .str("position_ids")
                .tensor("LongStorage", "0", 4, 0, new long[] {4}, new long[] {1})
                .setitem()
                .stop()
                .bytes();
        assertProblem(storedZip("archive", pkl, smallStorages()), "'position_ids'", "unsupported dtype", "LongStorage");
    }

    @Test
    void unknownOpcode() throws IOException {
        byte[] pkl = new PickleWriter().proto().orderedDict().op(0xfe).stop().bytes();
        assertProblem(storedZip("archive", pkl, Map.of()), "opcode 0xfe", "offset 29");
    }

    // ---------------------------------------------------------------- zip builders

    /** A torch.save-like zip of STORED entries: {@code <prefix>/data.pkl}, {@code <prefix>/data/<key>}, {@code <prefix>/version}. */
    private Path storedZip(String prefix, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(prefix + "/data.pkl", pickle);
        storages.forEach((k, v) -> entries.put(prefix + "/data/" + k, v));
        entries.put(prefix + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        Path file = tmp.resolve(prefix + "-" + UUID.randomUUID() + ".bin");
        writeZip(file, entries, false);
        return file;
    }

    private static void writeZip(Path file, Map<String, byte[]> entries, boolean deflate) throws IOException {
        try (OutputStream os = Files.newOutputStream(file);
                ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey());
                if (!deflate) {
                    ze.setMethod(ZipEntry.STORED);
                    ze.setSize(e.getValue().length);
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    ze.setCrc(crc.getValue());
                } else {
                    ze.setMethod(ZipEntry.DEFLATED);
                }
                zip.putNextEntry(ze);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
    }

    /**
     * Writes stored entries the way a large torch.save shard looks: every size and offset moved into ZIP64
     * extra fields (local and central), ZIP64 end records, and local headers padded so data is 64-byte aligned.
     */
    private static byte[] zip64(Map<String, byte[]> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8), data = e.getValue();
            CRC32 crc = new CRC32();
            crc.update(data);
            long offset = out.size();
            int pad = (int) ((64 - (offset + 30 + name.length + 20 + 4) % 64) % 64);
            ByteBuffer local = le(30 + name.length + 20 + 4 + pad);
            local.putInt(0x04034b50)
                    .putShort((short) 45)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putInt(0)
                    .putInt((int) crc.getValue())
                    .putInt(-1)
                    .putInt(-1)
                    .putShort((short) name.length)
                    .putShort((short) (20 + 4 + pad))
                    .put(name)
                    .putShort((short) 1)
                    .putShort((short) 16)
                    .putLong(data.length)
                    .putLong(data.length)
                    .putShort((short) 0x4246)
                    .putShort((short) pad)
                    .put(new byte[pad]); // "FB" padding, as torch writes
            out.writeBytes(local.array());
            out.writeBytes(data);
            ByteBuffer cen = le(46 + name.length + 28);
            cen.putInt(0x02014b50)
                    .putShort((short) 45)
                    .putShort((short) 45)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putInt(0)
                    .putInt((int) crc.getValue())
                    .putInt(-1)
                    .putInt(-1)
                    .putShort((short) name.length)
                    .putShort((short) 28)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putInt(0)
                    .putInt(-1)
                    .put(name)
                    .putShort((short) 1)
                    .putShort((short) 24)
                    .putLong(data.length)
                    .putLong(data.length)
                    .putLong(offset);
            central.writeBytes(cen.array());
        }
        long cdOffset = out.size(), cdSize = central.size(), z64 = cdOffset + cdSize;
        out.writeBytes(central.toByteArray());
        ByteBuffer end = le(56 + 20 + 22);
        end.putInt(0x06064b50)
                .putLong(44)
                .putShort((short) 45)
                .putShort((short) 45)
                .putInt(0)
                .putInt(0)
                .putLong(entries.size())
                .putLong(entries.size())
                .putLong(cdSize)
                .putLong(cdOffset);
        end.putInt(0x07064b50).putInt(0).putLong(z64).putInt(1);
        end.putInt(0x06054b50)
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) -1)
                .putShort((short) -1)
                .putInt(-1)
                .putInt(-1)
                .putShort((short) 0);
        out.writeBytes(end.array());
        return out.toByteArray();
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
