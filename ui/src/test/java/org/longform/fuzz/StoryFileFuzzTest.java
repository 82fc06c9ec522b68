package org.longform.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.fuzz.FuzzRunner;
import org.longform.ui.story.KoboldImport;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.StoryFile;
import org.longform.ui.story.StoryFileException;

/**
 * A writer's files and imports, mutated: every case opens or is refused with a one-line
 * {@link StoryFileException} naming the file. A story that opens must also save and open again
 * to the same text (nothing it accepted is lost on the next save).
 */
class StoryFileFuzzTest {
    static void assertClean(FuzzRunner.Report r) {
        assertTrue(r.failures().isEmpty(), r + "\n" + String.join("\n", r.failures()));
        assertEquals(r.cases(), r.accepted() + r.refused());
    }

    static byte[] koboldSeed() throws IOException {
        try (InputStream in = StoryFileFuzzTest.class.getResourceAsStream("/kobold-story.json")) {
            return in.readAllBytes();
        }
    }

    @Test
    void longformStory(@TempDir Path tmp) throws Exception {
        Path kobold = tmp.resolve("seed.json");
        Files.write(kobold, koboldSeed());
        StoryData rich = KoboldImport.read(kobold);
        Path seed = tmp.resolve("seed.longform");
        StoryFile.write(seed, rich);
        Path again = tmp.resolve("again.longform");
        List<byte[]> seeds = List.of(Files.readAllBytes(seed));
        assertClean(FuzzRunner.run(
                "longform-story",
                seeds,
                4096,
                FuzzRunner.cases(600),
                tmp,
                "story.longform",
                StoryFileException.class,
                f -> {
                    StoryData d = StoryFile.read(f);
                    StoryFile.write(again, d);
                    assertEquals(d.text(), StoryFile.read(again).text(), "saved and opened again");
                }));
    }

    @Test
    void koboldImport(@TempDir Path tmp) throws Exception {
        assertClean(FuzzRunner.run(
                "kobold-import",
                List.of(koboldSeed()),
                4096,
                FuzzRunner.cases(600),
                tmp,
                "kobold.json",
                StoryFileException.class,
                KoboldImport::read));
    }

    @Test
    void textImport(@TempDir Path tmp) throws Exception {
        byte[] chapter = Files.readAllBytes(
                Path.of(System.getProperty("longform.home"), "assets/stories", "the-time-machine-chapter-1.txt"));
        byte[] seed = Arrays.copyOf(chapter, Math.min(chapter.length, 8192));
        assertClean(FuzzRunner.run(
                "text-import",
                List.of(seed),
                1024,
                FuzzRunner.cases(300),
                tmp,
                "chapter.txt",
                StoryFileException.class,
                StoryFile::openWithNotice));
    }
}
