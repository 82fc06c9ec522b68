package org.longform.engine.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.Fixtures;
import org.longform.engine.context.KvFile;
import org.longform.engine.context.KvStore;
import org.longform.engine.io.Checkpoint;
import org.longform.engine.io.DType;
import org.longform.engine.io.ModelFormatException;
import org.longform.engine.io.SafeTensors;
import org.longform.engine.io.SafeTensorsWriter;
import org.longform.engine.io.TorchCheckpoint;
import org.longform.engine.io.gguf.GgufFile;
import org.longform.engine.io.gguf.GgufWriter;
import org.longform.engine.kv.KvDType;
import org.longform.engine.model.Model;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.runtime.Session;
import org.longform.engine.token.Tokenizer;

/**
 * Every parser of a file that comes from outside (a downloaded model, a cache beside a story) is fed
 * thousands of mutations of real files. Each case must be accepted or refused with a one-line
 * {@link ModelFormatException} naming the file; KV caches are never an error, only "not used".
 * Bounded here; {@code -Dfuzz.cases=200000} for a long run (see docs/RELIABILITY.md).
 */
class ModelFileFuzzTest {
    static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(Fixtures.modelDir("tiny-mpt-4h"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static void assertClean(FuzzRunner.Report r) {
        assertTrue(r.failures().isEmpty(), r + "\n" + String.join("\n", r.failures()));
        assertEquals(r.cases(), r.accepted() + r.refused());
    }

    static byte[] safetensorsHeadOf(Path file, int extra) throws IOException {
        byte[] all = Files.readAllBytes(file);
        long hl = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return Arrays.copyOf(all, (int) Math.min(all.length, 8 + hl + extra));
    }

    @Test
    void safetensors(@TempDir Path tmp) throws IOException {
        Path small = tmp.resolve("seed.safetensors");
        new SafeTensorsWriter()
                .add("a", DType.F32, new long[] {4, 3}, (c, s, n) -> Arrays.fill(c, 0, n, 1f))
                .add("b", DType.F16, new long[] {5}, (c, s, n) -> Arrays.fill(c, 0, n, 2f))
                .add("c", DType.BF16, new long[] {2, 2, 2}, (c, s, n) -> Arrays.fill(c, 0, n, 3f))
                .write(small);
        List<byte[]> seeds = List.of(
                Files.readAllBytes(small),
                safetensorsHeadOf(Fixtures.modelDir("tiny-mpt-6h").resolve("model.safetensors"), 4096));
        assertClean(FuzzRunner.run(
                "safetensors",
                seeds,
                2048,
                FuzzRunner.cases(600),
                tmp,
                "model.safetensors",
                ModelFormatException.class,
                f -> {
                    try (Arena a = Arena.ofConfined()) {
                        SafeTensors.open(f, a);
                    }
                }));
    }

    @Test
    void pickleZip(@TempDir Path tmp) throws IOException {
        byte[] shard = Files.readAllBytes(Fixtures.modelDir("tiny-mpt-4h").resolve("pytorch_model-00002-of-00002.bin"));
        assertClean(FuzzRunner.run(
                "pickle-zip",
                List.of(shard),
                4096,
                FuzzRunner.cases(600),
                tmp,
                "pytorch_model.bin",
                ModelFormatException.class,
                f -> {
                    try (Arena a = Arena.ofConfined()) {
                        TorchCheckpoint.open(f, a);
                    }
                }));
    }

    @Test
    void shardIndex(@TempDir Path tmp) throws IOException {
        Path src = Fixtures.modelDir("tiny-mpt-4h");
        for (String shard : List.of("pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin")) {
            Files.createSymbolicLink(tmp.resolve(shard), src.resolve(shard).toAbsolutePath());
        }
        byte[] index = Files.readAllBytes(src.resolve("pytorch_model.bin.index.json"));
        assertClean(FuzzRunner.run(
                "shard-index",
                List.of(index),
                index.length,
                FuzzRunner.cases(300),
                tmp,
                "pytorch_model.bin.index.json",
                ModelFormatException.class,
                f -> {
                    try (Arena a = Arena.ofConfined()) {
                        Checkpoint.load(tmp, a);
                    }
                }));
    }

    @Test
    void configJson(@TempDir Path tmp) throws IOException {
        Path src = Fixtures.modelDir("tiny-mpt-6h");
        Files.createSymbolicLink(
                tmp.resolve("model.safetensors"),
                src.resolve("model.safetensors").toAbsolutePath());
        byte[] cfg = Files.readAllBytes(src.resolve("config.json"));
        assertClean(FuzzRunner.run(
                "config.json",
                List.of(cfg),
                cfg.length,
                FuzzRunner.cases(300),
                tmp,
                "config.json",
                ModelFormatException.class,
                f -> Model.load(tmp).close()));
    }

    @Test
    void ggufHeader(@TempDir Path tmp) throws IOException {
        Path small = tmp.resolve("seed.gguf");
        new GgufWriter()
                .meta("general.architecture", "mpt")
                .meta("general.alignment", 32)
                .meta("a.long", 1L << 33)
                .meta("a.float", 0.5f)
                .meta("a.bool", true)
                .vector("v", new float[] {1, 2, 3, 4})
                .tensor("q", new long[] {32, 2}, GgufFile.Q8_0, new byte[2 * 34])
                .write(small);
        assertClean(FuzzRunner.run(
                "gguf",
                List.of(Files.readAllBytes(small)),
                512,
                FuzzRunner.cases(600),
                tmp,
                "model.gguf",
                ModelFormatException.class,
                f -> {
                    try (Arena a = Arena.ofConfined()) {
                        GgufFile g = GgufFile.open(f, a);
                        for (GgufFile.TensorInfo t : g.tensors().values()) g.data(t);
                    }
                }));
    }

    @Test
    void ggufModel(@TempDir Path tmp) throws IOException {
        Path seed = tmp.resolve("seed.gguf");
        GgufWriter.mpt(model.config(), model.weights(), GgufFile.F16).write(seed);
        assertClean(FuzzRunner.run(
                "gguf-model",
                List.of(Files.readAllBytes(seed)),
                4096,
                FuzzRunner.cases(120),
                tmp,
                "model.gguf",
                ModelFormatException.class,
                f -> Model.load(f).close()));
    }

    /** The tokenizer goes to a native library (DJL's Rust tokenizers): a crash there would kill the JVM. */
    @Test
    void tokenizerJson(@TempDir Path tmp) throws IOException {
        byte[] seed = Files.readAllBytes(Path.of("../assets/tokenizer/tokenizer.json"));
        assertClean(FuzzRunner.run(
                "tokenizer.json",
                List.of(seed),
                65536,
                FuzzRunner.cases(30),
                tmp,
                "tokenizer.json",
                ModelFormatException.class,
                f -> Tokenizer.load(f).close()));
    }

    static Session session() {
        EngineOptions o = EngineOptions.defaults()
                .withBlockSize(16)
                .withChunkSize(32)
                .withKvDType(KvDType.INT8)
                .withBackend("scalar");
        return Session.open(model, o);
    }

    static final int[] PROMPT = {11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30};

    /** A cache that is restored must hold a prefix of the prompt; anything else is "not used", never thrown. */
    static void restoreChecked(KvFile.Restore r) {
        if (!r.used()) return;
        int[] ids = r.ids();
        assertTrue(ids.length <= PROMPT.length, "restored more tokens than the prompt");
        assertTrue(Arrays.equals(ids, Arrays.copyOf(PROMPT, ids.length)), "restored tokens the prompt lacks");
    }

    @Test
    void kvFile(@TempDir Path tmp) throws IOException {
        Path seed = tmp.resolve("seed.longform-kv");
        try (Session s = session()) {
            s.feed(PROMPT);
            s.saveKv(seed);
        }
        try (Session back = session()) {
            assertClean(FuzzRunner.run(
                    "kv-file",
                    List.of(Files.readAllBytes(seed)),
                    256,
                    FuzzRunner.cases(300),
                    tmp,
                    "story.longform-kv",
                    ModelFormatException.class,
                    f -> restoreChecked(back.loadKv(f, PROMPT))));
        }
    }

    @Test
    void kvStore(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("seed-store");
        try (Session s = session();
                KvStore store = new KvStore(dir)) {
            s.feed(PROMPT);
            s.saveKv(store);
        }
        Path work = tmp.resolve("store");
        Files.createDirectories(work);
        String pages = null;
        try (var l = Files.list(dir)) {
            for (Path p : l.toList()) {
                Files.copy(p, work.resolve(p.getFileName()));
                if (p.getFileName().toString().startsWith("pages"))
                    pages = p.getFileName().toString();
            }
        }
        assertTrue(pages != null, "the store wrote a pages file");
        byte[] manifest = Files.readAllBytes(dir.resolve("manifest"));
        byte[] pageBytes = Files.readAllBytes(dir.resolve(pages));
        try (Session back = session()) {
            FuzzRunner.Target restore = f -> {
                try (KvStore s = new KvStore(work)) {
                    restoreChecked(back.loadKv(s, PROMPT));
                }
            };
            assertClean(FuzzRunner.run(
                    "kv-store-manifest",
                    List.of(manifest),
                    256,
                    FuzzRunner.cases(300),
                    work,
                    "manifest",
                    ModelFormatException.class,
                    restore));
            Files.write(work.resolve("manifest"), manifest);
            assertClean(FuzzRunner.run(
                    "kv-store-pages",
                    List.of(pageBytes),
                    4096,
                    FuzzRunner.cases(200),
                    work,
                    pages,
                    ModelFormatException.class,
                    restore));
        }
    }
}
