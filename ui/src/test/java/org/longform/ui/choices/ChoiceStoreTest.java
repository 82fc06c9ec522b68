package org.longform.ui.choices;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.longform.engine.gen.TokenChoice;
import org.longform.engine.sample.Alternative;
import org.longform.ui.story.StoryChoices;

/** Offsets that follow the text, edits that drop choices from the edit on, generations that join. */
class ChoiceStoreTest {
    static TokenChoice choice(int index, int offset, int id) {
        Alternative a = new Alternative(id, 0.5, true);
        return new TokenChoice(index, offset, a, List.of(a, new Alternative(id + 1, 0.25, false)));
    }

    /** "The cat sat." generated at 10 as " The"(0) " cat"(4) " sat"(8) "."(12), the last cut off by a stop. */
    static ChoiceStore generated() {
        ChoiceStore st = new ChoiceStore();
        ChoiceStore.Recording r = st.record(10, "", null, true);
        r.add(choice(0, 0, 100));
        r.add(choice(1, 4, 101));
        r.add(choice(2, 8, 102));
        r.add(choice(3, 12, 103));
        r.finish(" The cat sat");
        return st;
    }

    @Test
    void tokensAreFoundByCharAndTextCutOffHasNone() {
        ChoiceStore st = generated();
        ChoiceStore.Run run = st.runs().getFirst();
        assertEquals(10, run.start());
        assertEquals(22, run.end());
        assertEquals(3, run.tokens().size(), "the stop's token is not in the text");
        assertNull(st.at(9));
        assertEquals(0, st.at(10).index());
        assertEquals(1, st.at(14).index());
        assertEquals(2, st.at(21).index());
        assertEquals(22, st.at(21).end());
        assertNull(st.at(22));
        assertArrayEquals(new int[] {100, 101}, run.idsBefore(2));
    }

    @Test
    void editsBeforeShiftAndEditsInsideCut() {
        ChoiceStore st = generated();
        st.changed(0, 0, 5); // typed before the generation
        assertEquals(15, st.runs().getFirst().start());
        assertEquals(1, st.at(19).index());
        st.changed(27, 0, 0); // an empty change right after it: nothing
        st.changed(27, 0, 3); // typing right after it leaves it whole
        assertEquals(3, st.runs().getFirst().tokens().size());
        st.changed(21, 1, 0); // deleting inside " cat": drops " cat" and " sat"
        ChoiceStore.Run run = st.runs().getFirst();
        assertEquals(1, run.tokens().size());
        assertEquals(19, run.end());
        st.changed(14, 3, 0); // reaching over its start: gone
        assertTrue(st.runs().isEmpty());
    }

    @Test
    void aRegenerationJoinsTheRunItContinues() {
        ChoiceStore st = generated();
        // Regenerate from " sat" (char 18): the tail is replaced by the lead " ran" and what follows.
        st.changed(18, 4, 4);
        ChoiceStore.Recording r = st.record(18, " ran", choice(2, 0, 200), true);
        r.add(choice(0, 0, 201));
        r.finish(" ran away");
        ChoiceStore.Run run = st.runs().getFirst();
        assertEquals(1, st.runs().size());
        assertEquals(27, run.end());
        assertArrayEquals(new int[] {100, 101, 200}, run.idsBefore(3));
        assertEquals(22, run.tokens().get(3).start());
    }

    @Test
    void aGeneratorWithoutAlternativesLeavesAnEmptyRun() {
        ChoiceStore st = new ChoiceStore();
        st.record(0, "", null, false).finish("Snow fell.");
        assertNull(st.at(3));
        assertFalse(st.runAt(3).reported());
    }

    @Test
    void savedFollowsTheTextAndRestoresAsItWas() {
        ChoiceStore st = generated();
        StoryChoices a = st.saved();
        assertEquals(1, a.runs().size());
        assertEquals(
                List.of(10, 14, 18),
                a.runs().getFirst().tokens().stream()
                        .map(StoryChoices.Token::start)
                        .toList());
        st.changed(22, 0, 4); // typing after the generation: the same snapshot, not a new copy
        assertSame(a, st.saved());
        st.changed(0, 0, 2); // typing before it: the offsets move
        StoryChoices b = st.saved();
        assertNotSame(a, b);
        assertEquals(12, b.runs().getFirst().start());
        assertEquals(16, b.runs().getFirst().tokens().get(1).start());

        ChoiceStore reopened = new ChoiceStore();
        reopened.restore(b);
        assertEquals(1, reopened.at(17).index());
        assertEquals(24, reopened.at(22).end());
        assertArrayEquals(new int[] {100, 101}, reopened.runs().getFirst().idsBefore(2));
        assertEquals(b, reopened.saved());
    }

    @Test
    void aGeneratorThatSentNoChoicesLeavesItsTextUnreported() {
        ChoiceStore st = new ChoiceStore();
        st.record(0, "", null, true).finish("Text from a server without logprobs.");
        assertFalse(st.runs().getFirst().reported());
        assertTrue(st.saved().isEmpty(), "nothing to keep in the file");
    }
}
