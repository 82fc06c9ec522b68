package org.longform.ui.prompt;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.longform.ui.TestSupport;
import org.longform.ui.gen.TokenCounter;
import org.longform.ui.story.AuthorsNote;
import org.longform.ui.story.WorldInfoEntry;
import org.longform.ui.story.WorldInfoRules;

class PromptAssemblerTest {
    private final TokenCounter tok = TestSupport.tokenizer();
    private final PromptAssembler assembler = new PromptAssembler(tok);

    private static String story(int paragraphs) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < paragraphs; i++)
            b.append("Paragraph ")
                    .append(i)
                    .append(". The wind rose over the steppe, and Natasha watched the road.\n\n");
        return b.toString();
    }

    @Test
    void layoutIsMemoryThenStoryWithWorldInfoAndTheNoteAtDepth() {
        String story = "Pierre walked into the ballroom. The music was loud and everyone was laughing at once.";
        var wi = List.of(
                WorldInfoEntry.of("Pierre", "Pierre is clumsy and kind."),
                WorldInfoEntry.of("Moscow", "Moscow is burning."));
        AssembledPrompt p = assembler.assemble(new PromptInput(
                story,
                story.length(),
                "A story set in 1812.",
                new AuthorsNote("Keep it light.", AuthorsNote.DEFAULT_TEMPLATE, 5),
                wi,
                WorldInfoRules.defaults(),
                2048,
                100,
                -1));

        int[] mem = tok.encode("A story set in 1812.\n");
        int[] wiIds = tok.encode("\nPierre is clumsy and kind.\n");
        int[] note = tok.encode("\n[Author's note: Keep it light.]\n");
        int[] storyIds = tok.encode(story);
        assertEquals(mem.length, p.memoryTokens());
        assertEquals(wiIds.length, p.worldInfoTokens(), "only the entry whose key appears is inserted");
        assertEquals(note.length, p.noteTokens());
        assertEquals(storyIds.length, p.storyTokens());
        assertEquals(mem.length + wiIds.length + note.length + storyIds.length, p.total());
        assertArrayEquals(mem, Arrays.copyOfRange(p.ids(), 0, mem.length), "memory first");
        // World info, then the note, sit at depth: at most 5 story tokens (moved back to a word start) before the end.
        assertArrayEquals(
                wiIds,
                Arrays.copyOfRange(p.ids(), p.depthStart(), p.depthStart() + wiIds.length),
                "world info at depth");
        assertArrayEquals(
                note,
                Arrays.copyOfRange(p.ids(), p.depthStart() + wiIds.length, p.depthStart() + wiIds.length + note.length),
                "the note right after it");
        assertTrue(p.total() - p.depthStart() - wiIds.length - note.length <= 5 + 2, "near the end");
        String decoded = tok.decode(p.ids());
        int at = decoded.indexOf("[Author's note");
        assertTrue(at > decoded.indexOf("Pierre walked"), "note after the story start");
        assertTrue(
                decoded.indexOf("Pierre is clumsy") > decoded.indexOf("Pierre walked"),
                "world info after the story start");
        assertTrue(decoded.endsWith("laughing at once."), "story ends the prompt");
        assertEquals(WorldInfoStatus.State.ACTIVE, p.worldInfo().get(0).state());
        assertEquals("Pierre", p.worldInfo().get(0).key());
        assertEquals(WorldInfoStatus.State.NOT_TRIGGERED, p.worldInfo().get(1).state());
        assertEquals(0, p.storyCut());
    }

    @Test
    void longStoryIsCutAtAWordToFitAndTheCutIsStable() {
        String story = story(400);
        int ctx = 512, reserve = 64;
        AssembledPrompt p = assembler.assemble(new PromptInput(
                story,
                story.length(),
                "",
                AuthorsNote.empty(),
                List.of(),
                WorldInfoRules.defaults(),
                ctx,
                reserve,
                -1));
        assertTrue(p.storyCut() > 0);
        assertTrue(p.total() <= ctx - reserve, "fits the budget: " + p.total());
        assertTrue(
                story.charAt(p.storyCut()) == ' ' && Character.isLetter(story.charAt(p.storyCut() + 1)),
                "view starts at a word (with the space before it, where StoryTokens splits)");
        assertArrayEquals(
                tok.encode(story.substring(p.storyCut())), p.ids(), "the story part is exactly the text after the cut");
        assertEquals(tok.encode(story.substring(p.storyCut())).length, p.storyTokens());

        // After a short continuation the previous cut still fits: it is reused, so the cached prefix stays valid.
        String longer = story + "She turned away.";
        AssembledPrompt q = assembler.assemble(new PromptInput(
                longer,
                longer.length(),
                "",
                AuthorsNote.empty(),
                List.of(),
                WorldInfoRules.defaults(),
                ctx,
                reserve,
                p.storyCut()));
        assertEquals(p.storyCut(), q.storyCut());
        assertArrayEquals(
                Arrays.copyOf(p.ids(), p.ids().length - 1),
                Arrays.copyOf(q.ids(), p.ids().length - 1),
                "old prompt (minus its last token) is a prefix of the new one");
    }

    /** The story so far: right after memory, pinned with it, before the story view and the parts at depth. */
    @Test
    void theSummarySitsAfterMemoryAndItsTokensComeOutOfTheStoryView() {
        String story = story(400);
        String memory = "A story set on the steppe.";
        String summary = "CHAPTER I: Natasha waits for news.\nCHAPTER II: The road stays empty. ".repeat(16);
        int ctx = 512, reserve = 64;
        AuthorsNote note = new AuthorsNote("Keep it quiet.", AuthorsNote.DEFAULT_TEMPLATE, 20);
        PromptInput without = new PromptInput(
                story, story.length(), memory, note, List.of(), WorldInfoRules.defaults(), ctx, reserve, -1);
        AssembledPrompt p = new PromptAssembler(tok).assemble(without);
        AssembledPrompt q = new PromptAssembler(tok).assemble(without.withSummary(summary));

        int[] mem = tok.encode(memory + "\n"), sum = tok.encode(summary + "\n");
        assertEquals(mem.length, q.memoryTokens(), "memory keeps all its tokens");
        assertEquals(sum.length, q.summaryTokens());
        assertEquals(summary + "\n", q.summaryText());
        assertArrayEquals(mem, Arrays.copyOfRange(q.ids(), 0, mem.length), "memory first");
        assertArrayEquals(
                sum, Arrays.copyOfRange(q.ids(), mem.length, mem.length + sum.length), "the summary right after it");
        assertEquals(mem.length + sum.length, q.keep(), "both pinned when the window moves");
        assertTrue(q.depthStart() > q.keep(), "the note stays at depth, after the pinned parts");
        assertTrue(tok.decode(q.ids()).contains("[Author's note: Keep it quiet.]"));

        // The budget: the summary's tokens come out of the story's view, never out of memory.
        assertTrue(q.total() <= ctx - reserve, "fits: " + q.total());
        assertEquals(p.memoryTokens(), q.memoryTokens());
        int budget = ctx - reserve - q.memoryTokens() - q.summaryTokens() - q.noteTokens();
        assertTrue(q.storyTokens() <= budget, q.storyTokens() + " story tokens, budget " + budget);
        assertTrue(p.storyTokens() > budget, "without the summary the view was larger: " + p.storyTokens());
        assertTrue(q.storyCut() > p.storyCut(), "the view starts later to make room");
        assertArrayEquals(
                tok.encode(story.substring(q.storyCut())),
                concat(
                        Arrays.copyOfRange(q.ids(), q.keep(), q.depthStart()),
                        Arrays.copyOfRange(q.ids(), q.depthStart() + q.noteTokens(), q.total())),
                "after the pinned parts and around the note: exactly the story after the cut");

        // No summary: nothing is added, not even a newline.
        assertEquals(0, p.summaryTokens());
        assertEquals(p.memoryTokens(), p.keep());
        AssembledPrompt blank = new PromptAssembler(tok).assemble(without.withSummary("  \n"));
        assertArrayEquals(p.ids(), blank.ids());
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void worldInfoBudgetSelectiveAndConstantRules() {
        String story = "Anna met Vronsky at the station.";
        var big = WorldInfoEntry.of("Anna", "Anna Karenina is the wife of a senior official. ".repeat(8));
        var selective = new WorldInfoEntry(
                List.of("Vronsky"), List.of("horse"), "Vronsky loves racing.", "", false, true, true);
        var constant = new WorldInfoEntry(List.of(), List.of(), "The year is 1874.", "", true, false, true);
        var disabled = WorldInfoEntry.of("station", "A cold station.").withEnabled(false);
        var rules = new WorldInfoRules(1000, 40);
        AssembledPrompt p = assembler.assemble(new PromptInput(
                story,
                story.length(),
                "",
                AuthorsNote.empty(),
                List.of(big, selective, constant, disabled),
                rules,
                1024,
                10,
                -1));
        assertEquals(WorldInfoStatus.State.OVER_BUDGET, p.worldInfo().get(0).state());
        assertEquals(
                WorldInfoStatus.State.NO_SECONDARY, p.worldInfo().get(1).state(), "selective needs a secondary key");
        assertEquals(WorldInfoStatus.State.ACTIVE, p.worldInfo().get(2).state());
        assertEquals(WorldInfoStatus.State.DISABLED, p.worldInfo().get(3).state());
        assertEquals(tok.encode("\nThe year is 1874.\n").length, p.worldInfoTokens());
        assertTrue(p.worldInfoTokens() <= 40);
    }

    @Test
    void scanRangeLimitsKeyMatching() {
        String story = "Dolokhov appeared. " + "Nothing happened for a long while. ".repeat(50);
        var e = WorldInfoEntry.of("Dolokhov", "Dolokhov is a duelist.");
        AssembledPrompt near = assembler.assemble(new PromptInput(
                story,
                story.length(),
                "",
                AuthorsNote.empty(),
                List.of(e),
                new WorldInfoRules(100, 500),
                4096,
                10,
                -1));
        AssembledPrompt far = assembler.assemble(new PromptInput(
                story,
                story.length(),
                "",
                AuthorsNote.empty(),
                List.of(e),
                new WorldInfoRules(100_000, 500),
                4096,
                10,
                -1));
        assertEquals(0, near.worldInfoTokens());
        assertTrue(far.worldInfoTokens() > 0);
    }

    @Test
    void generatingAtTheCursorUsesOnlyTheTextBeforeIt() {
        String story = "First part. Second part.";
        AssembledPrompt p = assembler.assemble(
                new PromptInput(story, 11, "", AuthorsNote.empty(), List.of(), WorldInfoRules.defaults(), 512, 10, -1));
        assertEquals("First part.", tok.decode(p.ids()));
    }

    @Test
    void theViewMovesByWholeKvBlocksAndKeepsTheCachedIds() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 300; i++)
            b.append("Sentence ").append(i).append(" tells of the whale, the sea and the ship's long voyage. ");
        String story = b.toString();
        StoryTokens st = new StoryTokens(tok);
        PromptAssembler a = new PromptAssembler(st);
        int ctx = 1024, reserve = 64, align = 64;
        AssembledPrompt p = a.assemble(new PromptInput(
                story,
                story.length(),
                "",
                AuthorsNote.empty(),
                List.of(),
                WorldInfoRules.defaults(),
                ctx,
                reserve,
                -1,
                align));
        int moves = 0;
        for (int step = 0; step < 40; step++) {
            story = story + " And then the " + step + "th wave rolled under the keel, lifting the Pequod high.";
            AssembledPrompt q = a.assemble(new PromptInput(
                    story,
                    story.length(),
                    "",
                    AuthorsNote.empty(),
                    List.of(),
                    WorldInfoRules.defaults(),
                    ctx,
                    reserve,
                    p.storyCut(),
                    align));
            if (q.storyCut() != p.storyCut()) {
                moves++;
                int gap = st.ids(p.storyCut(), q.storyCut()).length;
                assertEquals(0, gap % align, "the view moved by " + gap + " tokens");
                // The ids after the new start are the ones the old prompt held at that place.
                assertArrayEquals(
                        Arrays.copyOfRange(p.ids(), gap, p.ids().length), Arrays.copyOf(q.ids(), p.ids().length - gap));
            }
            assertTrue(q.total() <= ctx - reserve);
            p = q;
        }
        assertTrue(moves >= 2, moves + " moves");
    }
}
