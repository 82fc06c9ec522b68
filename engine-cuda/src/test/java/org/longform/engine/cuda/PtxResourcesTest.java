package org.longform.engine.cuda;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The committed PTX, checked without a GPU: both targets exist, the ISA version is the one a CUDA
 * 12.0 driver can JIT, every kernel the host launches is an entry with exactly the parameter types
 * {@link Kernel} passes, and the PTX was built from the current sources (ptx.manifest).
 */
class PtxResourcesTest {
    private static final Pattern ENTRY = Pattern.compile("\\.visible \\.entry (\\w+)\\(([^)]*)\\)", Pattern.DOTALL);
    private static final Pattern PARAM = Pattern.compile("\\.param (\\.\\w+) ");

    @ParameterizedTest
    @ValueSource(ints = {80, 90})
    void everyKernelIsAnEntryWithTheHostsSignature(int arch) {
        for (Kernel k : Kernel.values()) {
            String ptx = PtxResources.text(k.module, arch);
            assertTrue(ptx.contains("\n.version 8.0\n"), k.module + ".sm_" + arch + ": .version 8.0");
            assertTrue(ptx.contains("\n.target sm_" + arch + "\n"), k.module + ": .target sm_" + arch);
            List<String> params = entries(ptx).get(k.entry);
            assertNotNull(params, k.entry + " missing from " + PtxResources.name(k.module, arch));
            List<String> want = new ArrayList<>();
            for (char ch : k.params.toCharArray()) want.add(Kernel.ptxType(ch));
            assertEquals(want, params, k.entry + " parameters (sm_" + arch + ")");
        }
    }

    @Test
    void noEntryIsLeftUnused() {
        for (String module : Kernel.MODULES) {
            for (String entry : entries(PtxResources.text(module, 80)).keySet()) {
                assertTrue(
                        Stream.of(Kernel.values()).anyMatch(k -> k.entry.equals(entry) && k.module.equals(module)),
                        entry + " in " + module + " has no Kernel constant");
            }
        }
    }

    @Test
    void archChoice() {
        assertEquals(80, PtxResources.archFor(8, 0));
        assertEquals(80, PtxResources.archFor(8, 9));
        assertEquals(90, PtxResources.archFor(9, 0));
        assertEquals(90, PtxResources.archFor(10, 0));
        assertThrows(CudaUnavailableException.class, () -> PtxResources.archFor(7, 5));
    }

    @Test
    void ptxIsNulTerminatedForTheDriver() {
        byte[] img = PtxResources.image("gemv", 80);
        assertEquals(0, img[img.length - 1]);
    }

    @Test
    void ptxWasBuiltFromTheCurrentSources() throws Exception {
        String home = System.getProperty("longform.home");
        assumeTrue(home != null, "longform.home not set (not running from the source tree)");
        Path src = Path.of(home, "engine-cuda/src/main/cuda");
        assumeTrue(Files.isDirectory(src), "no CUDA sources at " + src);
        String manifest = new String(PtxResources.read("ptx.manifest"), StandardCharsets.UTF_8);
        List<String> lines = manifest.lines().toList();
        List<String> files;
        try (Stream<Path> s = Files.list(src)) {
            files = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".cu") || n.endsWith(".cuh"))
                    .sorted()
                    .toList();
        }
        assertEquals(files.size(), lines.size(), "ptx.manifest lists every source; run tools/build-ptx.sh");
        for (String line : lines) {
            String[] hf = line.split("\\s+");
            byte[] data = Files.readAllBytes(src.resolve(hf[1]));
            String sha = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(data));
            assertEquals(hf[0], sha, hf[1] + " changed since the PTX was built: run tools/build-ptx.sh");
        }
    }

    static Map<String, List<String>> entries(String ptx) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) {
            List<String> types = new ArrayList<>();
            Matcher p = PARAM.matcher(m.group(2));
            while (p.find()) types.add(p.group(1));
            out.put(m.group(1), types);
        }
        return out;
    }
}
