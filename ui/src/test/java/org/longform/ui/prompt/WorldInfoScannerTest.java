package org.longform.ui.prompt;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.longform.ui.TestSupport;
import org.longform.ui.prompt.WorldInfoScanner.Match;
import org.longform.ui.prompt.WorldInfoStatus.State;
import org.longform.ui.story.AuthorsNote;
import org.longform.ui.story.WorldInfoEntry;
import org.longform.ui.story.WorldInfoRules;

/** Secondary keys, anti-keys and folders, case by case (KoboldAI Lite's rules), then through the assembler. */
class WorldInfoScannerTest {
    private static final WorldInfoRules ALL_ON = WorldInfoRules.defaults();

    private static WorldInfoEntry entry(
            List<String> keys, List<String> secondary, List<String> anti, String folder, boolean selective) {
        return new WorldInfoEntry(keys, secondary, anti, "content", "", folder, false, selective, true);
    }

    private static Match scan(WorldInfoEntry e, WorldInfoRules rules, String text) {
        return WorldInfoScanner.match(e, rules, text.toLowerCase(Locale.ROOT));
    }

    @Test
    void selectiveNeedsAPrimaryAndASecondaryKey() {
        var oren = entry(List.of("Oren"), List.of("camel", "camels"), List.of(), "", true);
        assertEquals(new Match(State.ACTIVE, "Oren"), scan(oren, ALL_ON, "Oren fed the CAMEL."));
        assertEquals(new Match(State.NO_SECONDARY, "Oren"), scan(oren, ALL_ON, "Oren slept."));
        assertEquals(new Match(State.NOT_TRIGGERED, null), scan(oren, ALL_ON, "The camels slept."));
        var noSecondary = entry(List.of("Oren"), List.of(), List.of(), "", true);
        assertEquals(
                new Match(State.ACTIVE, "Oren"),
                scan(noSecondary, ALL_ON, "Oren slept."),
                "selective without secondary keys: the primary key alone, as in Lite");
    }

    @Test
    void anAntiKeyInTheTextExcludesASelectiveEntry() {
        var letters = entry(List.of("letter"), List.of(), List.of("envelope", "stamp"), "", true);
        assertEquals(new Match(State.ACTIVE, "letter"), scan(letters, ALL_ON, "She read the letter."));
        assertEquals(new Match(State.EXCLUDED, "stamp"), scan(letters, ALL_ON, "The letter had a Stamp on it."));
        var both = entry(List.of("letter"), List.of("night"), List.of("envelope"), "", true);
        assertEquals(new Match(State.ACTIVE, "letter"), scan(both, ALL_ON, "A letter at night."));
        assertEquals(new Match(State.EXCLUDED, "envelope"), scan(both, ALL_ON, "A letter at night, an envelope."));
        assertEquals(
                new Match(State.NO_SECONDARY, "letter"),
                scan(both, ALL_ON, "A letter, an envelope."),
                "the secondary key is checked first");
    }

    @Test
    void aNonSelectiveEntryIgnoresItsOtherListsAsLiteDoes() {
        var plain = entry(List.of("letter"), List.of("night"), List.of("envelope"), "", false);
        assertEquals(new Match(State.ACTIVE, "letter"), scan(plain, ALL_ON, "A letter in an envelope."));
    }

    @Test
    void aFolderSwitchedOffSwitchesItsEntriesOffConstantOnesToo() {
        var place = entry(List.of("Skerry"), List.of(), List.of(), "Places", false);
        var year = new WorldInfoEntry(List.of(), List.of(), List.of(), "1911", "", "Places", true, false, true);
        var loose = entry(List.of("Skerry"), List.of(), List.of(), "", false);
        WorldInfoRules off = ALL_ON.withFolder("Places", false);
        assertEquals(List.of("Places"), off.disabledFolders());
        assertEquals(new Match(State.FOLDER_OFF, "Places"), scan(place, off, "On Skerry Rock."));
        assertEquals(new Match(State.FOLDER_OFF, "Places"), scan(year, off, "anything"));
        assertEquals(new Match(State.ACTIVE, "Skerry"), scan(loose, off, "On Skerry Rock."));
        assertEquals(new Match(State.ACTIVE, "Skerry"), scan(place, off.withFolder("Places", true), "On Skerry."));
        assertEquals(
                new Match(State.DISABLED, null),
                scan(place.withEnabled(false), ALL_ON, "On Skerry Rock."),
                "the entry's own switch is kept apart from its folder's");
        assertEquals(new Match(State.ACTIVE, WorldInfoScanner.CONSTANT), scan(year, ALL_ON, "anything"));
    }

    @Test
    void excludedAndFolderOffEntriesStayOutOfThePromptAndSayWhy() {
        var assembler = new PromptAssembler(TestSupport.tokenizer());
        String story = "The letter came in a grey envelope. Skerry Rock was dark.";
        var letters = new WorldInfoEntry(
                List.of("letter"),
                List.of(),
                List.of("envelope"),
                "Letters write themselves.",
                "",
                "",
                false,
                true,
                true);
        var skerry =
                WorldInfoEntry.of("Skerry", "Skerry Rock floods in winter.").withFolder("Places");
        var rock = WorldInfoEntry.of("Rock", "The rock is granite.");
        AssembledPrompt p = assembler.assemble(new PromptInput(
                story,
                story.length(),
                "",
                AuthorsNote.empty(),
                List.of(letters, skerry, rock),
                ALL_ON.withFolder("Places", false),
                1024,
                10,
                -1));
        assertEquals(State.EXCLUDED, p.worldInfo().get(0).state());
        assertEquals(
                "excluded: anti-key \"envelope\" is in the recent text",
                p.worldInfo().get(0).describe());
        assertEquals(State.FOLDER_OFF, p.worldInfo().get(1).state());
        assertEquals(
                "off: its folder \"Places\" is switched off",
                p.worldInfo().get(1).describe());
        assertEquals(State.ACTIVE, p.worldInfo().get(2).state());
        assertEquals("\nThe rock is granite.\n", p.worldInfoText());
    }
}
