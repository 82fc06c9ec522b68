package org.longform.ui.story;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.sample.SamplerSettings;
import org.longform.ui.history.EditTree;

class StoryFileTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsEverything() throws Exception {
        EditTree t = new EditTree();
        t.recordEdit(0, "", "It was night.", 1);
        t.recordGeneration(13, " Rain fell.", 2);
        StoryData s = new StoryData(
                null,
                "Night",
                "It was night. Rain fell.",
                List.of(new Span(13, 24)),
                "Noir, 1940s.",
                new AuthorsNote("Tense.", "[Style: <|>]", 42),
                List.of(new WorldInfoEntry(
                        List.of("Sam", "Spade"), List.of("office"), "Sam is a detective.", "hero", false, true, true)),
                new WorldInfoRules(1234, 321),
                StoryData.EDITOR_SAMPLER.withTemperature(0.5).withSeed(7L).withStopSequences(List.of("\n\n")),
                "/models/mpt",
                true,
                t.toData(),
                10,
                20,
                StorySummary.empty(),
                StoryChoices.empty());
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
    void antiKeysFoldersAndSwitchedOffFoldersRoundTripAndStayOutOfFilesThatDoNotUseThem() throws Exception {
        var letters = new WorldInfoEntry(
                List.of("letter"),
                List.of("night"),
                List.of("envelope", "stamp"),
                "Letters write themselves.",
                "magic",
                "Objects",
                false,
                true,
                true);
        var plain = WorldInfoEntry.of("Mira", "Mira is a courier.");
        StoryData s = StoryData.blank("Letters").withText("A letter.");
        StoryData with = new StoryData(
                s.id(),
                s.title(),
                s.text(),
                s.generated(),
                s.memory(),
                s.authorsNote(),
                List.of(letters, plain),
                new WorldInfoRules(2000, 256, List.of("Objects", "Places")),
                s.sampling(),
                s.model(),
                s.generateAtCursor(),
                s.history(),
                s.created(),
                s.modified(),
                s.summary(),
                s.choices());
        Path f = dir.resolve("letters.longform");
        StoryFile.write(f, with);
        StoryData back = StoryFile.read(f);
        assertEquals(with.worldInfo(), back.worldInfo());
        assertEquals(List.of("Objects", "Places"), back.worldInfoRules().disabledFolders());
        assertEquals(with.worldInfoRules(), back.worldInfoRules());

        StoryData without = new StoryData(
                s.id(),
                s.title(),
                s.text(),
                s.generated(),
                s.memory(),
                s.authorsNote(),
                List.of(plain),
                WorldInfoRules.defaults(),
                s.sampling(),
                s.model(),
                s.generateAtCursor(),
                s.history(),
                s.created(),
                s.modified(),
                s.summary(),
                s.choices());
        String json = new String(StoryFile.toJson(without), StandardCharsets.UTF_8);
        for (String field : List.of("antiKeys", "\"folder\"", "disabledFolders"))
            assertFalse(json.contains(field), field + " is written only when used: " + json);
    }

    @Test
    void worldInfoWrittenBeforeAntiKeysAndFoldersReadsUnchanged() throws Exception {
        Path f = dir.resolve("old.longform");
        Files.writeString(f, """
                {"format": "longform-story", "version": 1, "title": "Old", "text": "Sam sat.",
                 "worldInfo": {"scanChars": 1500, "budgetTokens": 200, "entries": [
                   {"keys": ["Sam"], "secondaryKeys": ["office"], "content": "Sam is a detective.",
                    "comment": "hero", "constant": false, "selective": true, "enabled": false}]}}
                """);
        StoryData d = StoryFile.read(f);
        assertEquals(
                List.of(new WorldInfoEntry(
                        List.of("Sam"),
                        List.of("office"),
                        List.of(),
                        "Sam is a detective.",
                        "hero",
                        "",
                        false,
                        true,
                        false)),
                d.worldInfo());
        assertEquals(new WorldInfoRules(1500, 200, List.of()), d.worldInfoRules());
    }

    @Test
    void aBrokenAntiKeyListNamesTheFileAndTheField() throws Exception {
        Path f = dir.resolve("bad.longform");
        Files.writeString(
                f,
                "{\"format\": \"longform-story\", \"version\": 1, \"text\": \"x\", \"worldInfo\": {\"entries\": "
                        + "[{\"keys\": [\"a\"], \"antiKeys\": {\"b\": 1}}]}}");
        StoryFileException e = assertThrows(StoryFileException.class, () -> StoryFile.read(f));
        assertEquals(f + ": \"world info antiKeys\" must be a list", e.getMessage());
    }

    /** Sampler blocks as stories written before the engine's SamplerSettings replaced the UI's copy hold them. */
    @Test
    void existingStoryFilesLoadTheirSamplerSettingsUnchanged() throws Exception {
        Path full = dir.resolve("full.longform");
        Files.writeString(full, """
                {"format": "longform-story", "version": 1, "text": "It was night.",
                 "sampler": {"temperature": 0.7, "topK": 30, "topP": 0.9, "minP": 0.02, "typicalP": 0.95,
                             "repetitionPenalty": 1.15, "repetitionRange": 128, "seed": 99, "maxTokens": 120,
                             "stopSequences": ["\\n\\n", "THE END"], "bannedPhrases": ["suddenly"]}}""");
        assertEquals(
                new SamplerSettings(
                        0.7, 30, 0.9, 0.02, 0.95, 1.15, 128, 99L, 120, List.of("\n\n", "THE END"), List.of("suddenly")),
                StoryFile.read(full).sampling());

        // Missing fields (and a story without a sampler block) read as the editor's preset, as they always did:
        // 80 tokens and min-p off, not the engine type's 256 tokens and min-p 0.05.
        SamplerSettings editor = new SamplerSettings(0.8, 40, 0.95, 0.0, 1.0, 1.1, 256, null, 80, List.of(), List.of());
        Path none = dir.resolve("none.longform");
        Files.writeString(none, "{\"format\": \"longform-story\", \"version\": 1, \"text\": \"abc\"}");
        assertEquals(editor, StoryFile.read(none).sampling());
        Path partial = dir.resolve("partial.longform");
        Files.writeString(partial, """
                {"format": "longform-story", "version": 1, "text": "abc", "sampler": {"temperature": 0.3, "seed": null}}""");
        assertEquals(editor.withTemperature(0.3), StoryFile.read(partial).sampling());

        // An empty stop string never worked (the engine refuses it at generation): it is dropped, the story opens.
        Path empty = dir.resolve("empty-stop.longform");
        Files.writeString(empty, """
                {"format": "longform-story", "version": 1, "text": "abc", "sampler": {"stopSequences": ["", "END"]}}""");
        assertEquals(List.of("END"), StoryFile.read(empty).sampling().stopSequences());
    }

    @Test
    void drySamplerXtcAndLogitBiasRoundTripAndStayOutOfFilesThatDoNotUseThem() throws Exception {
        SamplerSettings plain = StoryData.EDITOR_SAMPLER;
        var json = StoryFile.samplingJson(plain);
        for (String key : List.of("dry", "xtc", "logitBias", "phraseBias")) {
            assertFalse(json.has(key), key + " is written only when used");
        }
        SamplerSettings used = plain.withDry(new SamplerSettings.Dry(0.8, 1.75, 2, 1024, List.of("\n", "Chapter")))
                .withXtc(new SamplerSettings.Xtc(0.1, 0.5))
                .withLogitBias(Map.of(50256, -100.0, 13, 1.5))
                .withPhraseBias(Map.of("suddenly", -4.0));
        assertEquals(used, StoryFile.samplingFrom(StoryFile.samplingJson(used), "sampler"));

        Path f = dir.resolve("extras.longform");
        Files.writeString(f, """
                {"format": "longform-story", "version": 1, "text": "abc",
                 "sampler": {"dry": {"multiplier": 0.8}, "xtc": {"probability": 0.5},
                             "logitBias": {"198": -2}, "phraseBias": {"the dragon": 3}}}""");
        SamplerSettings read = StoryFile.read(f).sampling();
        assertEquals(new SamplerSettings.Dry(0.8, 1.75, 2, 0, SamplerSettings.Dry.DEFAULT_BREAKERS), read.dry());
        assertEquals(new SamplerSettings.Xtc(0.2, 0.5), read.xtc());
        assertEquals(Map.of(198, -2.0), read.logitBias());
        assertEquals(Map.of("the dragon", 3.0), read.phraseBias());

        Path bad = dir.resolve("bad-bias.longform");
        Files.writeString(bad, """
                {"format": "longform-story", "version": 1, "text": "abc", "sampler": {"logitBias": {"dragon": 1}}}""");
        StoryFileException e = assertThrows(StoryFileException.class, () -> StoryFile.read(bad));
        assertTrue(
                e.getMessage().contains("bad-bias.longform") && e.getMessage().contains("\"dragon\" is not a token id"),
                e.getMessage());
    }

    @Test
    void theStorySoFarRoundTripsAndOldFilesReadWithoutIt() throws Exception {
        StorySummary summary = new StorySummary(
                "CHAPTER I: Night falls.\nCHAPTER II: Rain.",
                List.of(new StorySummary.Covered("CHAPTER I", 120), new StorySummary.Covered("CHAPTER II", 480)),
                new StorySummary.Draft(
                        "CHAPTER I: Night falls.\nCHAPTER II: Rain.\nCHAPTER III: ",
                        List.of(
                                new StorySummary.Covered("CHAPTER I", 120),
                                new StorySummary.Covered("CHAPTER II", 480),
                                new StorySummary.Covered("CHAPTER III", 900))),
                false);
        StoryData s = StoryData.blank("Night").withText("It was night.").withSummary(summary);
        Path f = dir.resolve("summary.longform");
        StoryFile.write(f, s);
        assertEquals(summary, StoryFile.read(f).summary());
        StoryData applied = s.withSummary(summary.applied().withOffer(true));
        StoryFile.write(f, applied);
        assertEquals(applied.summary(), StoryFile.read(f).summary());
        assertNull(StoryFile.read(f).summary().draft());

        // A story without one writes no "summary" key (older versions read the file unchanged) ...
        assertFalse(new String(StoryFile.toJson(StoryData.blank("x")), StandardCharsets.UTF_8).contains("summary"));
        // ... and a file written before it existed reads as an empty summary, with the offer on.
        Path old = dir.resolve("old.longform");
        Files.writeString(
                old, "{\"format\": \"longform-story\", \"version\": 1, \"text\": \"abc\", \"memory\": \"m\"}");
        StoryData read = StoryFile.read(old);
        assertEquals(StorySummary.empty(), read.summary());
        assertTrue(read.summary().offer());
        assertEquals("abc", read.text());
        assertEquals("m", read.memory());

        Path bad = dir.resolve("bad-summary.longform");
        Files.writeString(
                bad, "{\"format\": \"longform-story\", \"version\": 1, \"text\": \"abc\", \"summary\": {\"text\": 5}}");
        var e = assertThrows(StoryFileException.class, () -> StoryFile.read(bad));
        assertTrue(
                e.getMessage().contains("bad-summary.longform")
                        && e.getMessage().contains("\"summary.text\" must be a string"),
                e.getMessage());
    }

    @Test
    void pendingChaptersAreThoseWhollyOutOfViewAndNotYetCovered() {
        String text = "CHAPTER I\nOne.\n\nCHAPTER II\nTwo.\n\nCHAPTER III\nThree and more.\n";
        int second = text.indexOf("CHAPTER II\n"), third = text.indexOf("CHAPTER III");
        assertEquals(List.of(), StorySummary.pending(text, 0, List.of()), "all in view");
        assertEquals(
                List.of("CHAPTER I"),
                StorySummary.pending(text, third - 1, List.of()).stream()
                        .map(Chapters.Chapter::title)
                        .toList(),
                "chapter II is still partly in view");
        assertEquals(
                List.of("CHAPTER I", "CHAPTER II"),
                StorySummary.pending(text, third, List.of()).stream()
                        .map(Chapters.Chapter::title)
                        .toList());
        var covered = List.of(new StorySummary.Covered("CHAPTER I", second));
        assertEquals(
                List.of("CHAPTER II"),
                StorySummary.pending(text, third, covered).stream()
                        .map(Chapters.Chapter::title)
                        .toList(),
                "the covered chapter is not offered again");
        // Without headings: the text before the view, once a couple of pages have left it.
        String plain = "word ".repeat(1000);
        assertEquals(List.of(), StorySummary.pending(plain, 1000, List.of()));
        var opening = StorySummary.pending(plain, 2500, List.of());
        assertEquals(List.of(new Chapters.Chapter("The opening", 0, 2500, 2)), opening);
        assertEquals(List.of(), StorySummary.pending(plain, 4000, StorySummary.plus(List.of(), opening)));
        assertEquals(
                2500,
                StorySummary.pending(plain, 4500, StorySummary.plus(List.of(), opening))
                        .getFirst()
                        .start());
        assertEquals("a: b", StorySummary.append("", "a", " b "));
        assertEquals("x\na: b", StorySummary.append("x", "a", "b"));
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
        assertTrue(assertThrows(StoryFileException.class, () -> StoryFile.read(newer))
                .getMessage()
                .contains("newer Longform"));

        Path noText = dir.resolve("notext.longform");
        Files.writeString(noText, "{\"format\": \"longform-story\", \"version\": 1}");
        assertTrue(assertThrows(StoryFileException.class, () -> StoryFile.read(noText))
                .getMessage()
                .contains("\"text\""));

        Path badSpan = dir.resolve("span.longform");
        Files.writeString(
                badSpan,
                "{\"format\": \"longform-story\", \"version\": 1, \"text\": \"abc\", \"generated\": [[1, 9]]}");
        assertTrue(assertThrows(StoryFileException.class, () -> StoryFile.read(badSpan))
                .getMessage()
                .contains("outside the text"));

        Path badSampler = dir.resolve("sampler.longform");
        Files.writeString(
                badSampler,
                "{\"format\": \"longform-story\", \"version\": 1, \"text\": \"abc\", \"sampler\": {\"topP\": 7}}");
        assertTrue(assertThrows(StoryFileException.class, () -> StoryFile.read(badSampler))
                .getMessage()
                .contains("top-p"));

        Path binary = dir.resolve("latin1.txt");
        Files.write(binary, new byte[] {'a', (byte) 0xE9, 'b'});
        // once refused whole ("not UTF-8 text"); now read as Latin-1 with a notice (TextEncodingTest)
        assertEquals("a\u00E9b", StoryFile.open(binary).text());
        assertTrue(StoryFile.openWithNotice(binary).notice().contains("Latin-1"));

        assertTrue(assertThrows(StoryFileException.class, () -> StoryFile.read(dir.resolve("missing.longform")))
                .getMessage()
                .contains("not found"));
    }

    @Test
    void importsAKoboldAiStory() throws Exception {
        Path f = dir.resolve("lighthouse.json");
        try (var in = getClass().getResourceAsStream("/kobold-story.json")) {
            Files.copy(in, f);
        }
        StoryData s = StoryFile.open(f);
        assertEquals(
                "The lighthouse keeper had not spoken to anyone in three years. One night a boat washed ashore. Inside it lay a girl, barely breathing.",
                s.text());
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
        Files.writeString(
                f,
                "{\"prompt\": \"A\", \"actions\": {\"1\": {\"Selected Text\": \" C\"}, \"0\": {\"Selected Text\": \" B\"}}}");
        assertEquals("A B C", StoryFile.open(f).text());
        Path notKobold = dir.resolve("other.json");
        Files.writeString(notKobold, "[1, 2]");
        assertTrue(assertThrows(StoryFileException.class, () -> StoryFile.open(notKobold))
                .getMessage()
                .contains("not a KoboldAI story"));
    }

    @Test
    void importsPlainTextAndExportsMarkdownWithChapterHeadings() throws Exception {
        Path txt = dir.resolve("tale.txt");
        Files.writeString(txt, "\uFEFFCHAPTER I\r\nIt began.\r\n\r\nChapter 2. The Storm\r\nIt rained.");
        StoryData s = StoryFile.open(txt);
        assertEquals("CHAPTER I\nIt began.\n\nChapter 2. The Storm\nIt rained.", s.text());
        Path md = dir.resolve("tale.md");
        Export.markdown(md, s);
        assertEquals(
                "# tale\n\n## CHAPTER I\nIt began.\n\n## Chapter 2. The Storm\nIt rained.",
                Files.readString(md, StandardCharsets.UTF_8));
        Path out = dir.resolve("out.txt");
        Export.txt(out, s);
        assertEquals(s.text(), Files.readString(out));
    }
}
