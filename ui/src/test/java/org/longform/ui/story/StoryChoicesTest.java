package org.longform.ui.story;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.gen.TokenChoice;
import org.longform.engine.sample.Alternative;

/** The compact encoding of the model's choices and their place in the story file. */
class StoryChoicesTest {
    /** Half a quantization step: 1 / (2 * 32767). */
    static final double STEP = 1.0 / 65534;

    /** {@code n} tokens from {@code start}, about 4 chars each, 8 alternatives, some byte tokens and outsiders. */
    static StoryChoices.Run run(Random rnd, int start, int n) {
        List<StoryChoices.Token> tokens = new ArrayList<>();
        int at = start;
        for (int i = 0; i < n; i++) {
            boolean inside = i > 0 && rnd.nextInt(10) == 0;
            List<Alternative> top = new ArrayList<>();
            double left = 1;
            for (int k = 0; k < 8; k++) {
                double p = left * (0.2 + 0.6 * rnd.nextDouble());
                left -= p;
                top.add(new Alternative(rnd.nextInt(50_277), p, rnd.nextInt(4) != 0));
            }
            Alternative chosen = rnd.nextInt(6) == 0
                    ? new Alternative(rnd.nextInt(50_277), left * rnd.nextDouble(), true)
                    : top.get(rnd.nextInt(3));
            int s = inside ? -1 : at;
            tokens.add(new StoryChoices.Token(s, new TokenChoice(i, inside ? -1 : at - start, chosen, top)));
            if (!inside) at += 1 + rnd.nextInt(7);
        }
        return new StoryChoices.Run(start, at + 3, tokens);
    }

    static void assertSame(StoryChoices.Run want, StoryChoices.Run got) {
        assertEquals(want.start(), got.start());
        assertEquals(want.end(), got.end());
        assertEquals(want.tokens().size(), got.tokens().size());
        for (int i = 0; i < want.tokens().size(); i++) {
            StoryChoices.Token a = want.tokens().get(i), b = got.tokens().get(i);
            assertEquals(a.start(), b.start(), "token " + i);
            assertSame(a.choice().chosen(), b.choice().chosen());
            assertEquals(a.choice().top().size(), b.choice().top().size());
            for (int k = 0; k < a.choice().top().size(); k++)
                assertSame(a.choice().top().get(k), b.choice().top().get(k));
        }
    }

    static void assertSame(Alternative a, Alternative b) {
        assertEquals(a.id(), b.id());
        assertEquals(a.kept(), b.kept());
        assertEquals(a.probability(), b.probability(), STEP);
        assertEquals(StoryChoices.quantized(a.probability()), b.probability(), 0.0);
    }

    @Test
    void aRunSurvivesEncodingWithProbabilitiesWithinHalfAStep() {
        Random rnd = new Random(16);
        StoryChoices.Run r = run(rnd, 120, 500);
        String data = StoryChoices.encode(r);
        StoryChoices.Run back = StoryChoices.decode(r.start(), r.end(), data);
        assertSame(r, back);
        // Offsets from the run's start, as a recording gives them.
        assertEquals(0, back.tokens().getFirst().choice().offset());
        assertEquals(data.length(), StoryChoices.encode(back).length(), "decoding then encoding gives the same size");
    }

    @Test
    void damagedDataIsRefusedWithAMessage() {
        StoryChoices.Run r = run(new Random(1), 0, 20);
        String data = StoryChoices.encode(r);
        assertThrows(IllegalArgumentException.class, () -> StoryChoices.decode(0, r.end(), "not base64!"));
        assertThrows(IllegalArgumentException.class, () -> StoryChoices.decode(0, r.end(), data.substring(0, 12)));
        var e = assertThrows(IllegalArgumentException.class, () -> StoryChoices.decode(0, 5, data));
        assertTrue(e.getMessage().contains("outside its run"), e.getMessage());
    }

    @Test
    void theFileKeepsTheNewestTokensSplittingTheOldestRunKept() {
        Random rnd = new Random(3);
        StoryChoices.Run a = run(rnd, 0, 30), b = run(rnd, a.end() + 10, 40), c = run(rnd, b.end() + 10, 50);
        StoryChoices all = new StoryChoices(List.of(a, b, c));
        assertEquals(120, all.tokenCount());
        assertEquals(all, all.newest(120));
        StoryChoices kept = all.newest(70);
        assertEquals(2, kept.runs().size(), "a goes whole, b is cut");
        assertEquals(c, kept.runs().get(1));
        StoryChoices.Run cut = kept.runs().getFirst();
        assertTrue(
                cut.tokens().size() <= 20 && cut.tokens().size() >= 15,
                "b's newest tokens: " + cut.tokens().size());
        assertEquals(b.tokens().getLast(), cut.tokens().getLast());
        assertEquals(cut.tokens().getFirst().start(), cut.start(), "the cut run begins at its first token");
        assertTrue(cut.start() >= 0);
    }

    static void assertSame(StoryChoices want, StoryChoices got) {
        assertEquals(want.runs().size(), got.runs().size());
        for (int i = 0; i < want.runs().size(); i++)
            assertSame(want.runs().get(i), got.runs().get(i));
    }

    @Test
    void aStoryFileKeepsItsChoicesAndAnOlderFileOrADamagedOneStillOpens(@TempDir Path dir) throws Exception {
        Random rnd = new Random(7);
        StoryChoices.Run a = run(rnd, 10, 60), b = run(rnd, a.end() + 5, 80);
        String text = "x".repeat(b.end() + 20);
        StoryData story = StoryData.blank("t").withText(text).withChoices(new StoryChoices(List.of(a, b)));
        Path f = dir.resolve("t.longform");
        StoryFile.write(f, story);
        StoryData back = StoryFile.read(f);
        assertEquals(text, back.text());
        assertSame(story.choices(), back.choices());

        // Without choices nothing is written: the file is what an older version wrote, and reads as none.
        Path plain = dir.resolve("plain.longform");
        StoryFile.write(plain, story.withChoices(StoryChoices.empty()));
        assertFalse(Files.readString(plain).contains("\"choices\""));
        assertTrue(StoryFile.read(plain).choices().isEmpty());

        // A damaged run is dropped, never the story; a run outside the text too.
        String json = Files.readString(f, StandardCharsets.UTF_8);
        String damaged = json.replaceFirst("\"data\" : \"[A-Za-z0-9+/]{8}", "\"data\" : \"!!!!!!!!");
        assertNotEquals(json, damaged);
        Files.writeString(f, damaged);
        StoryData d = StoryFile.read(f);
        assertEquals(text, d.text());
        assertEquals(1, d.choices().runs().size());
        assertSame(b, d.choices().runs().getFirst());
        Files.writeString(f, json.replace("\"x", "\"").replace(text.substring(1), text.substring(1, 40)));
        assertTrue(StoryFile.read(f).choices().runs().size() <= 1, "runs past the text's end are dropped");
    }
}
