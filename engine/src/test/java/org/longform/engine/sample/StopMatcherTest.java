package org.longform.engine.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopMatcherTest {
    /** Feeds chunks; returns everything shown, plus "|STOP:<seq>" if a stop fired, else the flushed tail. */
    private static String run(StopMatcher m, String... chunks) {
        StringBuilder shown = new StringBuilder();
        for (String c : chunks) {
            StopMatcher.Result r = m.push(c);
            shown.append(r.text());
            if (r.stopped()) {
                return shown.append("|STOP:").append(r.stopSequence()).toString();
            }
        }
        return shown.append(m.flush()).toString();
    }

    @Test
    void stopSplitAcrossChunksIsNeverShown() {
        StopMatcher m = new StopMatcher(List.of("THE END"));
        StopMatcher.Result r1 = m.push("and so it was. TH");
        assertEquals("and so it was. ", r1.text());
        assertFalse(r1.stopped());
        assertEquals(2, m.pendingLength());
        StopMatcher.Result r2 = m.push("E E");
        assertEquals("", r2.text());
        StopMatcher.Result r3 = m.push("ND\n\nEpilogue");
        assertTrue(r3.stopped());
        assertEquals("", r3.text());
        assertEquals("THE END", r3.stopSequence());
        assertTrue(m.stopped());
        assertEquals("THE END", m.matchedStop());
        // Later chunks are ignored.
        StopMatcher.Result after = m.push("more");
        assertTrue(after.stopped());
        assertEquals("", after.text());
    }

    @Test
    void heldTextIsReleasedWhenItStopsMatching() {
        StopMatcher m = new StopMatcher(List.of("\n\nChapter"));
        assertEquals("He slept.", m.push("He slept.\n").text());
        assertEquals("", m.push("\nChap").text());
        assertEquals("\n\nChapel bells rang.", m.push("el bells rang.").text());
        assertEquals(0, m.pendingLength());
    }

    @Test
    void textBeforeStopInSameChunkIsEmitted() {
        assertEquals("Dawn came.|STOP:###", run(new StopMatcher(List.of("###")), "Dawn came.###And then"));
        assertEquals("Dawn came.|STOP:###", run(new StopMatcher(List.of("###")), "Dawn", " came.#", "#", "#x"));
    }

    @Test
    void earliestCompletingStopWins() {
        // "END" completes before "THE END" could; "The" is not a stop.
        assertEquals("a|STOP:b", run(new StopMatcher(List.of("bc", "b")), "abc"));
        assertEquals("x |STOP:END", run(new StopMatcher(List.of("THE END.", "END")), "x END. THE END."));
        // Same end: the longer stop hides more.
        assertEquals("x |STOP:the end", run(new StopMatcher(List.of("end", "the end")), "x the end"));
    }

    @Test
    void overlappingPrefixesAreHandled() {
        assertEquals("a|STOP:aab", run(new StopMatcher(List.of("aab")), "a", "a", "a", "b"));
        assertEquals("aaaa", run(new StopMatcher(List.of("aab")), "a", "a", "a", "a"));
    }

    @Test
    void flushReleasesAPartialStopAtTheEnd() {
        StopMatcher m = new StopMatcher(List.of("</story>"));
        assertEquals("The end", m.push("The end</st").text());
        assertEquals("</st", m.flush());
        assertFalse(m.stopped());
        assertNull(m.matchedStop());
    }

    @Test
    void noStopsPassesEverythingThrough() {
        StopMatcher m = new StopMatcher(List.of());
        assertEquals("abc", m.push("abc").text());
        assertEquals("", m.flush());
        assertThrows(IllegalArgumentException.class, () -> new StopMatcher(List.of("")));
    }

    @Test
    void characterByCharacterFeedingMatchesWholeFeeding() {
        String text = "She said \"###\" twice, then wrote THE END and closed the ledger.";
        List<String> stops = List.of("THE END", "\n\n\n");
        StopMatcher whole = new StopMatcher(stops);
        String expected = run(whole, text);
        String[] chars = text.split("");
        assertEquals(expected, run(new StopMatcher(stops), chars));
        assertEquals("She said \"###\" twice, then wrote |STOP:THE END", expected);
    }
}
