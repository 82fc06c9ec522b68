package org.longform.engine.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.Fixtures;
import org.longform.engine.kernels.Parallel;
import org.longform.engine.model.Model;

class QuantCacheTest {
    @TempDir
    Path tmp;

    private Path copyOfFixture() throws IOException {
        Path dir = tmp.resolve("model");
        Files.createDirectories(dir);
        try (Stream<Path> s = Files.list(Fixtures.modelDir("tiny-mpt-6h"))) {
            for (Path p : s.toList()) Files.copy(p, dir.resolve(p.getFileName()));
        }
        return dir;
    }

    private static byte[] planes(Model m) {
        var out = new ByteArrayOutputStream();
        for (Matrix x : m.weights().matrices()) {
            QuantMatrix q = (QuantMatrix) x;
            out.writeBytes(q.quants().toArray(ValueLayout.JAVA_BYTE));
            out.writeBytes(q.scales().toArray(ValueLayout.JAVA_BYTE));
        }
        return out.toByteArray();
    }

    @Test
    void secondLoadMapsTheCachedFormAndAChangedSourceIsRequantized() throws IOException {
        Path dir = copyOfFixture();
        Path cache = QuantCache.fileFor(dir, WeightType.Q8_0);
        byte[] first;
        try (Model m = Model.load(dir, WeightType.Q8_0)) {
            first = planes(m);
            assertEquals("q8_0", m.weightForm());
        }
        assertTrue(Files.isRegularFile(cache), "cache written next to the model");
        List<Path> sources;
        try (Stream<Path> s = Files.list(dir)) {
            sources = s.filter(p -> !p.toString().endsWith(".lfq")).toList();
        }
        try (Arena a = Arena.ofConfined()) {
            Map<String, QuantMatrix> cached =
                    QuantCache.read(cache, WeightType.Q8_0, QuantCache.fingerprint(sources), a);
            assertNotNull(cached);
            assertEquals(1 + 3 * 4, cached.size());
        }
        try (Model m = Model.load(dir, WeightType.Q8_0)) {
            assertArrayEquals(first, planes(m), "the mapped cache holds the same blocks");
        }
        // a changed weight file invalidates the cache; the next load quantizes again and rewrites it
        Path weights = dir.resolve("model.safetensors");
        Files.setLastModifiedTime(
                weights, FileTime.fromMillis(Files.getLastModifiedTime(weights).toMillis() + 5000));
        try (Arena a = Arena.ofConfined()) {
            assertNull(QuantCache.read(cache, WeightType.Q8_0, QuantCache.fingerprint(sources), a));
        }
        try (Model m = Model.load(dir, WeightType.Q8_0)) {
            assertArrayEquals(first, planes(m));
        }
        try (Arena a = Arena.ofConfined()) {
            assertNotNull(QuantCache.read(cache, WeightType.Q8_0, QuantCache.fingerprint(sources), a));
        }
    }

    @Test
    void corruptOrForeignCacheFilesAreIgnored() throws IOException {
        Path dir = copyOfFixture();
        Path cache = QuantCache.fileFor(dir, WeightType.Q4_0);
        Files.write(cache, "not a cache".getBytes());
        byte[] want;
        try (Model m = Model.load(dir, WeightType.Q4_0, false)) {
            want = planes(m);
        }
        try (Model m = Model.load(dir, WeightType.Q4_0)) {
            assertArrayEquals(want, planes(m));
            assertEquals("q4_0 + q8_0", m.weightForm());
        }
        // rewritten properly; truncate it and it is ignored again
        byte[] good = Files.readAllBytes(cache);
        Files.write(cache, Arrays.copyOf(good, good.length / 2));
        try (Model m = Model.load(dir, WeightType.Q4_0)) {
            assertArrayEquals(want, planes(m));
        }
    }

    /**
     * The first load with a cache streams: each matrix is quantized a block of rows at a time into
     * the file and mapped back, giving the planes quantizing in memory gives, bit for bit; blocks
     * of a few rows (many blocks per matrix, a short last one) give the same file.
     */
    @Test
    void streamedQuantizationIsMappedAndEqualsTheInMemoryOne() throws IOException {
        Path dir = copyOfFixture();
        for (WeightType t : new WeightType[] {WeightType.Q8_0, WeightType.Q4_0}) {
            byte[] inMemory;
            try (Model m = Model.load(dir, t, false)) {
                inMemory = planes(m);
            }
            try (Model m = Model.load(dir, t)) {
                for (Matrix x : m.weights().matrices()) {
                    assertTrue(((QuantMatrix) x).quants().isMapped(), x.describe() + " is mapped from the cache file");
                }
                assertArrayEquals(inMemory, planes(m), t + ": streamed planes");
            }
            Path cache = QuantCache.fileFor(dir, t);
            try (Model src = Model.load(dir, null, false);
                    Arena a = Arena.ofShared();
                    Parallel par = new Parallel(2)) {
                List<Matrix> todo = src.weights().matrices();
                String fp = QuantCache.fingerprint(List.of(dir.resolve("model.safetensors")));
                Path small = tmp.resolve("small-blocks.lfq");
                // 1 byte per block: every block is the 16-row minimum
                Map<String, QuantMatrix> got = QuantCache.writeStreaming(
                        small,
                        t,
                        fp,
                        todo,
                        m -> t == WeightType.Q4_0 && (m == src.weights().wte || m == src.weights().lmHead)
                                ? WeightType.Q8_0
                                : t,
                        a,
                        par,
                        1);
                assertNotNull(got);
                assertEquals(todo.size(), got.size());
                var out = new ByteArrayOutputStream();
                for (Matrix x : todo) {
                    assertTrue(got.get(x.name()).quants().isMapped());
                    out.writeBytes(got.get(x.name()).quants().toArray(ValueLayout.JAVA_BYTE));
                    out.writeBytes(got.get(x.name()).scales().toArray(ValueLayout.JAVA_BYTE));
                }
                assertArrayEquals(inMemory, out.toByteArray(), t + ": streamed in 16-row blocks");
            }
            Files.delete(cache);
        }
    }

    @Test
    void withoutTheCacheNothingIsWritten() throws IOException {
        Path dir = copyOfFixture();
        try (Model m = Model.load(dir, WeightType.Q8_0, false)) {
            assertEquals("q8_0", m.weightForm());
        }
        assertFalse(Files.exists(QuantCache.fileFor(dir, WeightType.Q8_0)));
    }
}
