package org.longform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Options are values: the engine reads JVM system properties in one class only. */
class SystemOptionsTest {
    private static final Pattern READS = Pattern.compile(
            "System\\.(getProperty|getProperties|getenv|setProperty|clearProperty)\\b|Integer\\.getInteger\\b"
                    + "|Long\\.getLong\\b|Boolean\\.getBoolean\\b");

    @Test
    void noSystemPropertyIsReadOutsideTheOneReader() throws IOException {
        Path main = Path.of("src/main/java");
        assertTrue(Files.isDirectory(main), "run from the engine module: " + main.toAbsolutePath());
        List<String> found = new ArrayList<>();
        int files = 0;
        try (Stream<Path> s = Files.walk(main)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".java")).toList()) {
                files++;
                if (f.getFileName().toString().equals("SystemOptions.java")) continue;
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    if (READS.matcher(lines.get(i)).find())
                        found.add(main.relativize(f) + ":" + (i + 1) + ": "
                                + lines.get(i).strip());
                }
            }
        }
        assertTrue(files > 50, "the sources were found (" + files + " files)");
        assertEquals(List.of(), found, "read through SystemOptions, or pass the value in EngineOptions");
    }
}
