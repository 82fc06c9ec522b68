package org.longform.engine.kernels;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * How many compute threads "all cores" means: the physical cores this process may run on. A second
 * hardware thread on a core shares its FMA units and caches, so matrix kernels gain nothing from it
 * and decode loses to the extra synchronisation (llama.cpp defaults to physical cores for the same
 * reason). Linux: distinct {@code thread_siblings_list} among the CPUs, capped by what the JVM may
 * use (affinity, container limits); macOS: {@code sysctl hw.physicalcpu}; elsewhere, or when
 * unreadable, the logical count.
 */
public final class CpuCores {
    private CpuCores() {}

    private static final int PHYSICAL = detect();

    /** Physical cores available to this process (at least 1). */
    public static int physical() {
        return PHYSICAL;
    }

    /** Threads for a request: {@code threads} when positive, else {@link #physical()}. */
    public static int resolve(int threads) {
        return threads > 0 ? threads : PHYSICAL;
    }

    private static int detect() {
        int logical = Runtime.getRuntime().availableProcessors();
        // what the system offers decides, not the OS name: sysfs on Linux, hw.physicalcpu on macOS
        Path sys = Path.of("/sys/devices/system/cpu");
        int physical = Files.isDirectory(sys) ? linux(sys) : 0;
        if (physical == 0 && Files.isExecutable(Path.of("/usr/sbin/sysctl"))) physical = sysctl();
        return physical > 0 ? Math.min(physical, logical) : logical;
    }

    /** Distinct sibling sets of the online CPUs under {@code cpuDir} (0 when unreadable). */
    static int linux(Path cpuDir) {
        Set<String> cores = new HashSet<>();
        try (var dirs = Files.newDirectoryStream(cpuDir, "cpu[0-9]*")) {
            for (Path cpu : dirs) {
                Path siblings = cpu.resolve("topology/thread_siblings_list");
                if (Files.isReadable(siblings))
                    cores.add(Files.readString(siblings).trim());
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return cores.size();
    }

    private static int sysctl() {
        try {
            Process p = new ProcessBuilder("/usr/sbin/sysctl", "-n", "hw.physicalcpu")
                    .redirectErrorStream(true)
                    .start();
            if (!p.waitFor(2, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return 0;
            }
            return Integer.parseInt(new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
