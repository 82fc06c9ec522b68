package org.longform.hub;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.Assets;
import org.longform.engine.io.ModelFormatException;

/** Opening models from disk, GGUF headers, and the recent-models list. */
class LocalModelTest {
    @TempDir
    Path tmp;

    @Test
    void theDemoModelIsAnMptFolderAndSaysItIsADemo() {
        LocalModel m = LocalModel.inspect(Assets.demoModel());
        assertEquals(LocalModel.Kind.MPT_FOLDER, m.kind());
        assertTrue(m.isDemo());
        assertTrue(m.summary().contains("small demo model"), m.summary());
        assertTrue(m.weightBytes() > 1_000_000);
        assertEquals(Assets.demoModel().resolve("tokenizer.json"), m.tokenizer());
    }

    @Test
    void aFolderWithoutWeightsOrWithPartsIsNamed() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("m"));
        Files.copy(Assets.demoModel().resolve("config.json"), d.resolve("config.json"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> LocalModel.inspect(d));
        assertTrue(e.getMessage().startsWith(d + ": no weights"), e.getMessage());
        Files.writeString(d.resolve("model.safetensors.part"), "x");
        e = assertThrows(ModelFormatException.class, () -> LocalModel.inspect(d));
        assertTrue(e.getMessage().contains("download incomplete"), e.getMessage());
        ModelFormatException none =
                assertThrows(ModelFormatException.class, () -> LocalModel.inspect(tmp.resolve("missing")));
        assertTrue(none.getMessage().endsWith("does not exist"));
        Path txt = Files.writeString(tmp.resolve("notes.txt"), "hello");
        assertTrue(assertThrows(ModelFormatException.class, () -> LocalModel.inspect(txt))
                .getMessage()
                .contains("not a model"));
    }

    /** A GGUF v3 header with a few keys, an array to skip, and no tensors. */
    static byte[] gguf(String arch, String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        b.put("GGUF".getBytes(StandardCharsets.US_ASCII)).putInt(3).putLong(0).putLong(4);
        str(b, "general.architecture");
        b.putInt(8);
        str(b, arch);
        str(b, "general.name");
        b.putInt(8);
        str(b, name);
        str(b, "tokenizer.ggml.tokens");
        b.putInt(9);
        b.putInt(8);
        b.putLong(2);
        str(b, "a");
        str(b, "b");
        str(b, arch + ".context_length");
        b.putInt(4);
        b.putInt(65536);
        out.write(b.array(), 0, b.position());
        return out.toByteArray();
    }

    static void str(ByteBuffer b, String s) {
        byte[] x = s.getBytes(StandardCharsets.UTF_8);
        b.putLong(x.length).put(x);
    }

    @Test
    void ggufHeadersAreRead() throws Exception {
        Path f = Files.write(tmp.resolve("story.gguf"), gguf("mpt", "MPT 7B StoryWriter"));
        LocalModel m = LocalModel.inspect(f);
        assertEquals(LocalModel.Kind.GGUF, m.kind());
        assertEquals("MPT 7B StoryWriter", m.name());
        assertEquals("mpt", m.gguf().architecture());
        assertEquals(65536, m.gguf().contextLength());
        Path cut = Files.write(tmp.resolve("cut.gguf"), Arrays.copyOf(gguf("mpt", "x"), 40));
        assertTrue(assertThrows(ModelFormatException.class, () -> LocalModel.inspect(cut))
                .getMessage()
                .contains("truncated"));
    }

    /** A GGUF v3 file with one [4 x 256] matrix of GGML type {@code type} ({@code dataBytes} zero bytes of blocks). */
    static byte[] oneMatrix(int type, int dataBytes) {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        b.put("GGUF".getBytes(StandardCharsets.US_ASCII)).putInt(3).putLong(1).putLong(1);
        str(b, "general.architecture");
        b.putInt(8);
        str(b, "mpt");
        str(b, "blk.0.ffn_up.weight");
        b.putInt(2).putLong(256).putLong(4).putInt(type).putLong(0);
        int data = (b.position() + 31) / 32 * 32;
        return Arrays.copyOf(b.array(), data + dataBytes);
    }

    @Test
    void aKQuantGgufSaysItIsRequantizedAndCountsWhatLoadingTakes() throws Exception {
        LocalModel k =
                LocalModel.inspect(Files.write(tmp.resolve("k.gguf"), oneMatrix(11, 4 * 110))); // Q3_K: 4 blocks of 256
        assertTrue(k.summary().contains("Q3_K, re-quantized to q8_0 at load"), k.summary());
        assertEquals(1024 / 32 * 34, k.weightBytes(), "counted as the q8_0 it becomes, not the 440 bytes stored");

        LocalModel k4 =
                LocalModel.inspect(Files.write(tmp.resolve("k4.gguf"), oneMatrix(12, 4 * 144))); // Q4_K: run as stored
        assertTrue(k4.summary().contains("Q4_K") && !k4.summary().contains("re-quantized"), k4.summary());
        assertEquals(4 * 144, k4.weightBytes());

        LocalModel q8 =
                LocalModel.inspect(Files.write(tmp.resolve("q8.gguf"), oneMatrix(8, 32 * 34))); // Q8_0: 32 blocks of 32
        assertTrue(q8.summary().contains("Q8_0") && !q8.summary().contains("re-quantized"), q8.summary());
        assertEquals(1024 / 32 * 34, q8.weightBytes());

        // a format the engine cannot run is refused here already, naming the tensor and the type
        Path iq = Files.write(tmp.resolve("iq.gguf"), oneMatrix(16, 4 * 66)); // IQ2_XXS
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> LocalModel.inspect(iq));
        assertTrue(
                e.getMessage().contains("blk.0.ffn_up.weight") && e.getMessage().contains("IQ2_XXS"), e.getMessage());
    }

    @Test
    void recentModelsKeepsTheNewestFirstWithoutDuplicates() throws Exception {
        RecentModels r = new RecentModels(tmp.resolve("cfg/recent-models.json"), 2);
        assertTrue(r.list().isEmpty());
        r.add(new RecentModels.Entry(
                tmp.resolve("a"), LocalModel.Kind.MPT_FOLDER, "a", Instant.parse("2025-01-01T00:00:00Z")));
        r.add(new RecentModels.Entry(
                tmp.resolve("b"), LocalModel.Kind.GGUF, "b", Instant.parse("2025-01-02T00:00:00Z")));
        r.add(new RecentModels.Entry(
                tmp.resolve("a"), LocalModel.Kind.MPT_FOLDER, "a", Instant.parse("2025-01-03T00:00:00Z")));
        r.add(LocalModel.inspect(Assets.demoModel()));
        List<RecentModels.Entry> l = new RecentModels(tmp.resolve("cfg/recent-models.json"), 2).list();
        assertEquals(
                List.of("mpt-demo", "a"),
                l.stream().map(RecentModels.Entry::name).toList());
        assertTrue(l.getFirst().exists());
        assertFalse(l.get(1).exists());
        r.remove(tmp.resolve("a"));
        assertEquals(1, r.list().size());
        Files.writeString(r.file(), "{not json");
        assertTrue(r.list().isEmpty(), "a damaged file reads as empty");
    }

    @Test
    void fileSelectionPrefersSafetensors() {
        List<RepoFile> files = List.of(
                new RepoFile("config.json", 1, null, "a"),
                new RepoFile("model.safetensors", 5, "s", null),
                new RepoFile("pytorch_model.bin", 5, "p", null),
                new RepoFile("pytorch_model.bin.index.json", 1, null, "b"),
                new RepoFile("onnx/model.onnx", 5, "o", null),
                new RepoFile(".gitattributes", 1, null, "c"));
        FileSelection.Result r = FileSelection.select(files, false);
        assertEquals(
                List.of("config.json", "model.safetensors"),
                r.selected().stream().map(RepoFile::path).toList());
        List<RepoFile> binOnly = List.of(
                new RepoFile("pytorch_model-00001-of-00002.bin", 5, "p", null),
                new RepoFile("config.json", 1, null, "a"));
        assertEquals(
                2, FileSelection.select(binOnly, false).selected().size(), "StoryWriter ships only .bin: keep them");
    }
}
