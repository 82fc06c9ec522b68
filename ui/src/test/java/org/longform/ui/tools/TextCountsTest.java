package org.longform.ui.tools;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class TextCountsTest {
    @Test
    void wordsAsWritersCountThem() {
        assertEquals(0, TextCounts.words(""));
        assertEquals(0, TextCounts.words("  — ... \n"));
        assertEquals(4, TextCounts.words("It was winter, again."));
        assertEquals(3, TextCounts.words("Don't well-known it’s"), "apostrophes and hyphens inside a word");
        assertEquals(3, TextCounts.words("one - two -- three"), "dashes between words are not words");
        assertEquals(2, TextCounts.words("Chapter 12"));
        assertEquals(3, TextCounts.words("Наташа вошла 𝔸𝔹"), "letters beyond the BMP count as a word");
    }

    @Test
    void charactersAreCodePoints() {
        assertEquals(5, TextCounts.characters("a\nb c"));
        assertEquals(2, TextCounts.characters("𝔸𝔹"));
    }
}
