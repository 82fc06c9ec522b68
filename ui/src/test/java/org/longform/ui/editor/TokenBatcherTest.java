package org.longform.ui.editor;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenBatcherTest {
    @Test
    void tokensBetweenTwoPulsesBecomeOneUpdate() {
        List<Runnable> pulses = new ArrayList<>(); // stands in for Platform.runLater
        List<String> updates = new ArrayList<>();
        TokenBatcher b = new TokenBatcher(pulses::add, updates::add);
        for (String t : List.of(" The", " wolf", " ran", ".")) b.add(t);
        assertEquals(1, pulses.size(), "one scheduled update for four tokens");
        pulses.removeFirst().run();
        assertEquals(List.of(" The wolf ran."), updates);
        b.add(" Then");
        b.add(" silence.");
        assertEquals(1, pulses.size());
        b.close(); // Stop: flushes what arrived...
        assertEquals(List.of(" The wolf ran.", " Then silence."), updates);
        b.add(" late"); // ...and drops what comes after
        pulses.forEach(Runnable::run);
        assertEquals(2, updates.size());
        assertEquals(2, b.flushes());
    }
}
