package org.longform.ui.story;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.ui.prompt.WorldInfoScanner;
import org.longform.ui.prompt.WorldInfoStatus;

/**
 * KoboldAI saves in each layout, written as each program writes them (test resources kobold/):
 * the original client's saveRequest (actions list, worldinfo with folder uids and wifolders_d),
 * KoboldAI Lite / KoboldCpp (keyanti, widisabled), and KoboldAI United's story_settings.to_json
 * (the actions register, worldinfo_v2 with folders, authornote, story_name).
 */
class KoboldImportTest {
    @TempDir
    Path dir;

    static Path resource(String name) throws Exception {
        return Path.of(KoboldImportTest.class.getResource("/kobold/" + name).toURI());
    }

    @Test
    void originalClientLayout() throws Exception {
        StoryData d = StoryFile.open(resource("client-1.19.json"));
        assertEquals(
                "The lighthouse keeper had not spoken to anyone in a year. Then the boat came. It carried a woman in a grey coat.",
                d.text());
        assertEquals("Elias keeps the lighthouse on Skerry Rock.", d.memory());
        assertEquals("Melancholy, slow.", d.authorsNote().text());
        assertEquals("client-1.19", d.title());
        assertEquals(3, d.worldInfo().size(), "the trailing empty entry is dropped");
        WorldInfoEntry elias = d.worldInfo().get(0),
                skerry = d.worldInfo().get(1),
                year = d.worldInfo().get(2);
        assertEquals(List.of("Elias", "keeper"), elias.keys());
        assertEquals(List.of("storm", "winter"), skerry.secondaryKeys());
        assertTrue(skerry.selective());
        assertEquals("place", skerry.comment());
        assertEquals("Places", skerry.folder(), "the folder's name, from wifolders_d");
        assertEquals("", elias.folder());
        assertEquals("Places", year.folder());
        assertTrue(year.constant());
        assertTrue(d.worldInfo().stream().allMatch(WorldInfoEntry::enabled));
    }

    @Test
    void liteLayoutKeepsDisabledEntriesDisabledAndReadsAntiKeysAndGroups() throws Exception {
        StoryData d = StoryFile.open(resource("lite.json"));
        assertEquals("Mira opened the letter. It was blank. Then words appeared, one by one.", d.text());
        assertEquals("Keep it tense.", d.authorsNote().text());
        assertEquals(
                List.of(true, true, true, false),
                d.worldInfo().stream().map(WorldInfoEntry::enabled).toList());
        WorldInfoEntry letters = d.worldInfo().get(1),
                couriers = d.worldInfo().get(2),
                guild = d.worldInfo().get(3);
        assertEquals(List.of("letter", "letters"), letters.keys());
        assertEquals("magic", letters.comment(), "anti-keys have their own field now, not the comment");
        assertEquals(List.of("envelope"), letters.antiKeys(), "kept, and inactive as in Lite: not selective");
        assertFalse(letters.selective());
        assertEquals(List.of("courier", "couriers"), couriers.keys());
        assertEquals(List.of("city"), couriers.secondaryKeys());
        assertEquals(List.of("desert"), couriers.antiKeys());
        assertTrue(couriers.selective());
        assertEquals("Guilds", couriers.folder(), "Lite's wigroup is the folder");
        assertEquals("Guilds", guild.folder());
        assertEquals("", letters.folder(), "Lite's General group is no folder");
    }

    @Test
    void importedLiteEntriesAreScannedAsLiteScansThem() throws Exception {
        StoryData d = StoryFile.open(resource("lite.json"));
        WorldInfoEntry letters = d.worldInfo().get(1), couriers = d.worldInfo().get(2);
        assertEquals(
                WorldInfoStatus.State.ACTIVE,
                scan(couriers, d, "A courier crossed the city.").state());
        assertEquals(
                WorldInfoStatus.State.NO_SECONDARY,
                scan(couriers, d, "A courier crossed the dunes.").state());
        assertEquals(
                new WorldInfoScanner.Match(WorldInfoStatus.State.EXCLUDED, "desert"),
                scan(couriers, d, "A courier left the city for the desert."));
        assertEquals(
                WorldInfoStatus.State.ACTIVE,
                scan(letters, d, "The letter was in an envelope.").state(),
                "a non-selective entry's anti-keys stay inactive, as in Lite");
        WorldInfoRules off = d.worldInfoRules().withFolder("Guilds", false);
        assertEquals(
                new WorldInfoScanner.Match(WorldInfoStatus.State.FOLDER_OFF, "Guilds"),
                WorldInfoScanner.match(couriers, off, "a courier in the city"));
    }

    private static WorldInfoScanner.Match scan(WorldInfoEntry e, StoryData d, String text) {
        return WorldInfoScanner.match(e, d.worldInfoRules(), text.toLowerCase(Locale.ROOT));
    }

    @Test
    void unitedRegisterAndWorldInfoV2() throws Exception {
        StoryData d = StoryFile.open(resource("united.json"));
        assertEquals(
                "The caravan left at dawn. By noon the camels were restless. Oren blamed the wind. The wind, as usual, said nothing.",
                d.text(),
                "prompt + each action's selected text (not its original or its options)");
        assertEquals("The Salt Road", d.title(), "story_name");
        assertEquals("A salt caravan crosses the desert; Oren leads it.", d.memory());
        assertEquals("Dry humour.", d.authorsNote().text(), "United's \"authornote\"");
        assertEquals(
                List.of(
                        "The Salt Road runs from Qadir to the sea.",
                        "The narrator is one of the camels.",
                        "Oren, caravan master, hates camels."),
                d.worldInfo().stream().map(WorldInfoEntry::content).toList(),
                "worldinfo_v2 in folder order (root, then Characters as listed), not the stale v1 copy");
        WorldInfoEntry road = d.worldInfo().get(0),
                narrator = d.worldInfo().get(1),
                oren = d.worldInfo().get(2);
        assertEquals(List.of("salt road", "road"), road.keys());
        assertEquals("The Salt Road", road.comment());
        assertEquals("", road.folder(), "United's root folder is no folder");
        assertTrue(narrator.constant());
        assertEquals("Narrator", narrator.comment());
        assertEquals("Characters", narrator.folder());
        assertEquals(List.of("Oren"), oren.keys());
        assertEquals(List.of("camel", "camels"), oren.secondaryKeys());
        assertTrue(oren.selective());
        assertEquals("Oren lead", oren.comment(), "United's title, then its comment");
        assertEquals("Characters", oren.folder());
        assertEquals(List.of(), oren.antiKeys());
    }

    @Test
    void unitedRegisterWithoutWorldInfoAndBrokenActions() throws Exception {
        Path f = dir.resolve("u.json");
        Files.writeString(
                f,
                "{\"prompt\": \"A\", \"actions\": {\"action_count\": 10, \"actions\": {\"10\": {\"Selected Text\": \"C\"}, \"2\": {\"Selected Text\": \"B\"}}},"
                        + " \"worldinfo_v2\": {\"folders\": {\"root\": []}, \"entries\": {}}}");
        StoryData d = StoryFile.open(f);
        assertEquals("ABC", d.text(), "numeric order, not text order");
        assertEquals(List.of(), d.worldInfo());
        Files.writeString(f, "{\"prompt\": \"A\", \"actions\": {\"action_count\": 0, \"actions\": {\"0\": 5}}}");
        StoryFileException e = assertThrows(StoryFileException.class, () -> StoryFile.open(f));
        assertEquals(f + ": action 0 is neither text nor an object with \"Selected Text\"", e.getMessage());
    }
}
