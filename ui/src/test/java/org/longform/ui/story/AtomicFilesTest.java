package org.longform.ui.story;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    /** Found by DiskFaultTest's manual runs: every save turned a writer's rw-r--r-- story into rw-------. */
    @Test
    void aSaveMadeTheStoryPrivate(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("shared.longform");
        Files.writeString(f, "old");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-r--"));
        AtomicFiles.write(f, "new".getBytes());
        assertArrayEquals("new".getBytes(), Files.readAllBytes(f));
        assertEquals("rw-rw-r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }
}
