package org.longform.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.longform.ui.TestSupport;

/**
 * bin/longform rebuilds when any module's sources or any pom changed since the jar was built. Run
 * on a copy of the launcher in a scratch tree whose {@code mvn} only says it ran.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class LauncherStalenessTest {
    @TempDir
    Path tree;

    private final FileTime old = FileTime.from(Instant.parse("2026-01-01T00:00:00Z"));
    private final FileTime built = FileTime.from(Instant.parse("2026-01-02T00:00:00Z"));
    private final FileTime later = FileTime.from(Instant.parse("2026-01-03T00:00:00Z"));

    @BeforeEach
    void scratchTree() throws IOException {
        Files.createDirectories(tree.resolve("bin"));
        Files.copy(TestSupport.home().resolve("bin/longform"), tree.resolve("bin/longform"));
        Files.writeString(
                tree.resolve("pom.xml"),
                "<project><modules><module>engine</module><module>server</module><module>ui</module></modules></project>\n");
        for (String m : new String[] {"engine", "server", "ui", "bench"}) {
            write(m + "/pom.xml", old);
            write(m + "/src/main/java/A.java", old);
        }
        setTime("pom.xml", old);
        write("ui/target/longform-ui.jar", built);
        Path mvn = write("fakebin/mvn", old);
        Files.writeString(mvn, "#!/bin/sh\necho fake-mvn-ran >&2\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        // folders count too (a deleted source changes its folder): all as old as the sources
        try (Stream<Path> all = Files.walk(tree)) {
            for (Path d : all.filter(Files::isDirectory).toList()) Files.setLastModifiedTime(d, old);
        }
    }

    @Test
    void aDeletedSourceRebuilds() throws Exception {
        Files.delete(tree.resolve("ui/src/main/java/A.java"));
        assertTrue(launch().contains("fake-mvn-ran"));
    }

    @Test
    void aFreshJarIsNotRebuilt() throws Exception {
        assertFalse(launch().contains("fake-mvn-ran"));
    }

    @Test
    void aChangeUnderServerRebuilds() throws Exception {
        setTime("server/src/main/java/A.java", later);
        assertTrue(launch().contains("fake-mvn-ran"));
    }

    @Test
    void aChangedModulePomOrTheRootPomRebuilds() throws Exception {
        setTime("engine/pom.xml", later);
        assertTrue(launch().contains("fake-mvn-ran"));
        setTime("engine/pom.xml", old);
        setTime("pom.xml", later);
        assertTrue(launch().contains("fake-mvn-ran"));
    }

    @Test
    void aFolderOutsideTheBuildDoesNot() throws Exception {
        setTime("bench/src/main/java/A.java", later);
        assertFalse(launch().contains("fake-mvn-ran"));
    }

    /** Runs the launcher's "--version"; the scratch jar is empty, so Java fails after the staleness check: only stderr matters. */
    private String launch() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(
                        "bash", tree.resolve("bin/longform").toString(), "--version")
                .redirectErrorStream(true);
        pb.environment().put("PATH", tree.resolve("fakebin") + ":" + System.getenv("PATH"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher finished");
        return out;
    }

    private Path write(String rel, FileTime t) throws IOException {
        Path f = tree.resolve(rel);
        Files.createDirectories(f.getParent());
        Files.writeString(f, "x");
        Files.setLastModifiedTime(f, t);
        return f;
    }

    private void setTime(String rel, FileTime t) throws IOException {
        Files.setLastModifiedTime(tree.resolve(rel), t);
    }
}
