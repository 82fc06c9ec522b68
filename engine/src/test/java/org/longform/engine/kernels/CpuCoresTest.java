package org.longform.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuCoresTest {
    @TempDir
    Path sys;

    private void cpu(int n, String siblings) throws IOException {
        Path t = sys.resolve("cpu" + n).resolve("topology");
        Files.createDirectories(t);
        Files.writeString(t.resolve("thread_siblings_list"), siblings + "\n");
    }

    @Test
    void twoHardwareThreadsPerCoreCountOnce() throws IOException {
        // 4 cores x 2 threads, Linux's usual numbering: cpu n and n + 4 share a core
        for (int n = 0; n < 8; n++) cpu(n, (n % 4) + "," + (n % 4 + 4));
        Files.createDirectories(sys.resolve("cpufreq")); // not a cpuN folder
        assertEquals(4, CpuCores.linux(sys));
    }

    @Test
    void oneThreadPerCore() throws IOException {
        for (int n = 0; n < 3; n++) cpu(n, Integer.toString(n));
        assertEquals(3, CpuCores.linux(sys));
    }

    @Test
    void unreadableTopologyMeansUnknown() {
        assertEquals(0, CpuCores.linux(sys.resolve("missing")));
    }

    @Test
    void physicalIsWithinTheLogicalCount() {
        int p = CpuCores.physical();
        assertTrue(p >= 1 && p <= Runtime.getRuntime().availableProcessors(), "physical " + p);
        assertEquals(3, CpuCores.resolve(3));
        assertEquals(p, CpuCores.resolve(0));
    }
}
