package org.longform.ui.story;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.ui.gen.Sampling;
import org.longform.ui.history.EditTree;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class StoryFileTest {
    @TempDir Path dir;

    @Test
    void roundTripsEverything() throws Exception {
        EditTree t = new EditTree();
        t.recordEdit(0, "", "It was night.", 1);
        t.recordGeneration(13, " Rain fell.", 2);
        StoryData s = new StoryData(null, "Night", "It was night. Rain fell.", List.of(new Span(13, 24)), "Noir, 1940s.",
                new AuthorsNote("Tense.", "[Style: <|>]", 42),
                List.of(new WorldInfoEntry(List.of("Sam", "Spade"), List.of("office"), "Sam is a detective.", "hero", false, true, true)),
                new WorldInfoRules(1234, 321), Sampling.defaults().withTemperature(0.5).withSeed(7L).withStopSequences(List.of("\n\n")),
                "/models/mpt", true, t.toData(), 10, 20);
        Path f = dir.resolve("night.longform");
        StoryFile.write(f, s);
        StoryData back = StoryFile.read(f);
        assertEquals(s.id(), back.id());
        assertEquals(s.text(), back.text());
        assertEquals(s.generated(), back.generated());
        assertEquals(s.memory(), back.memory());
        assertEquals(s.authorsNote(), back.authorsNote());
        assertEquals(s.worldInfo(), back.worldInfo());
        assertEquals(s.worldInfoRules(), back.worldInfoRules());
        assertEquals(s.sampling(), back.sampling());
        assertEquals(s.model(), back.model());
        assertTrue(back.generateAtCursor());
        assertEquals(s.history(), back.history());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList(), "no temp files left behind");
        }
    }

    @Test
    void brokenFilesGiveAMessageNamingTheFileAndTheProblem() throws Exception {
        Path bad = dir.resolve("bad.longform");
        Files.writeString(bad, "{\"format\": \"longform-story\", \"version\": 1, \"text\": \"abc\"");
        var e = assertThrows(StoryFileException.class, () -> StoryFile.read(bad));
        assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());

        Path newer = dir.resolve("newer.longform");
        Files.writeString(newer, "{\"format\": \"longform-story\", \"version\": 99, \"text\": \"abc\"}");
        assertTrue(assertThrows(StoryFileException.class, () -> StoryFile.read(newer)).getMessage().contains("newer Longform"));

        Path noText = dir.resolve("notext.longform");
        Files.writeString(noText, "{\"format\": \"longform-story\", \"version\": 1}");
        assertTrue(assertThrows(StoryFileException.class, () -> StoryFile.read(noText)).getMessage().contains("\"text\""));

        Path badSpan = dir.resolve("span.longform");
        Files.writeString(badSpan, "{\"format\": \"longform-story\", \"version\": 1, \"text\": \"abc\", \"generated\": [[1, 9]]}");
        assertTrue(assertThrows(StoryFileException.class, () -> StoryFile.read(badSpan)).getMessage().contains("outside the text"));

        Path badSampler = dir.resolve("sampler.longform");
        Files.writeString(badSampler, "{\"format\": \"longform-story\", \"version\": 1, \"text\": \"abc\", \"sampler\": {\"topP\": 7}}");
        assertTrue(assertThrows(StoryFileException.class, () -> StoryFile.read(badSampler)).getMessage().contains("top-p"));

        Path binary = dir.resolve("latin1.txt");
        Files.write(binary, new byte[]{'a', (byte) 0xE9, 'b'});
        assertTrue(assertThrows(StoryFileException.class, () -> StoryFile.open(binary)).getMessage().contains("not UTF-8"));

        assertTrue(assertThrows(StoryFileException.class, () -> StoryFile.read(dir.resolve("missing.longform"))).getMessage().contains("not found"));
    }

    @Test
    void importsAKoboldAiStory() throws Exception {
        Path f = dir.resolve("lighthouse.json");
        try (var in = getClass().getResourceAsStream("/kobold-story.json")) {
            Files.copy(in, f);
        }
        StoryData s = StoryFile.open(f);
        assertEquals("The lighthouse keeper had not spoken to anyone in three years. One night a boat washed ashore. Inside it lay a girl, barely breathing.", s.text());
        assertEquals("Setting: a storm-battered island off the coast of Maine, 1890s.", s.memory());
        assertEquals("Mood: lonely, eerie.", s.authorsNote().text());
        assertEquals("[Author's note: <|>]", s.authorsNote().template());
        assertEquals(2, s.worldInfo().size(), "the empty trailing entry is dropped");
        assertEquals(List.of("keeper", "Elias"), s.worldInfo().get(0).keys());
        assertEquals("the keeper", s.worldInfo().get(0).comment());
        assertTrue(s.worldInfo().get(1).selective());
        assertEquals(List.of("boat"), s.worldInfo().get(1).secondaryKeys());
        assertEquals("lighthouse", s.title());
    }

    @Test
    void importsKoboldUnitedActionMaps() throws Exception {
        Path f = dir.resolve("united.json");
        Files.writeString(f, "{\"prompt\": \"A\", \"actions\": {\"1\": {\"Selected Text\": \" C\"}, \"0\": {\"Selected Text\": \" B\"}}}");
        assertEquals("A B C", StoryFile.open(f).text());
        Path notKobold = dir.resolve("other.json");
        Files.writeString(notKobold, "[1, 2]");
        assertTrue(assertThrows(StoryFileException.class, () -> StoryFile.open(notKobold)).getMessage().contains("not a KoboldAI story"));
    }

    @Test
    void importsPlainTextAndExportsMarkdownWithChapterHeadings() throws Exception {
        Path txt = dir.resolve("tale.txt");
        Files.writeString(txt, "\uFEFFCHAPTER I\r\nIt began.\r\n\r\nChapter 2. The Storm\r\nIt rained.");
        StoryData s = StoryFile.open(txt);
        assertEquals("CHAPTER I\nIt began.\n\nChapter 2. The Storm\nIt rained.", s.text());
        Path md = dir.resolve("tale.md");
        Export.markdown(md, s);
        assertEquals("# tale\n\n## CHAPTER I\nIt began.\n\n## Chapter 2. The Storm\nIt rained.", Files.readString(md, StandardCharsets.UTF_8));
        Path out = dir.resolve("out.txt");
        Export.txt(out, s);
        assertEquals(s.text(), Files.readString(out));
    }
}
