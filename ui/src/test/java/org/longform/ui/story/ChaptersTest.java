package org.longform.ui.story;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChaptersTest {
    @Test
    void headingsOfTheCommonShapes() {
        for (String h : List.of(
                "CHAPTER I",
                "Chapter 12. The Ball",
                "CHAPTER 1. Loomings.",
                "Chapter Two",
                "Chapter 1 PETER BREAKS THROUGH",
                "Chapter XLII: In which",
                "STAVE ONE.",
                "Prologue",
                "EPILOGUE: Moscow",
                "# Title",
                "### A scene",
                "I. The Period",
                "IV",
                "XII.")) {
            assertTrue(Chapters.levelOf(h) >= 1 && (h.startsWith("#") || Chapters.levelOf(h) == 2), h);
        }
        for (String h : List.of(
                "BOOK ONE: 1805",
                "PART ONE",
                "Part Two",
                "Book the First--Recalled to Life",
                "VOLUME I.",
                "FIRST EPILOGUE: 1813 - 20",
                "SECOND EPILOGUE")) {
            assertEquals(1, Chapters.levelOf(h), h);
        }
        assertEquals(3, Chapters.levelOf("### A scene"));
    }

    @Test
    void sentencesAreNotHeadings() {
        for (String s : List.of(
                "Part of me wanted to stay.",
                "Chapter and verse, he said.",
                "Book it now",
                "I HAVE endeavoured in this book,",
                "C. D.",
                "I went home.",
                "#hashtag",
                "The chapter ended.",
                "Part one of the plan was simple, she thought, and walked on.")) {
            assertEquals(0, Chapters.levelOf(s), s);
        }
    }

    @Test
    void chaptersSpanToTheNextHeading() {
        String t = "Title page\n\nCHAPTER I\nIt was cold.\n\nCHAPTER II\nIt was warm.\n";
        List<Chapters.Chapter> c = Chapters.of(t);
        assertEquals(2, c.size());
        assertEquals(new Chapters.Chapter("CHAPTER I", t.indexOf("CHAPTER I"), t.indexOf("CHAPTER II"), 2), c.get(0));
        assertEquals(new Chapters.Chapter("CHAPTER II", t.indexOf("CHAPTER II"), t.length(), 2), c.get(1));
        assertEquals(List.of(), Chapters.of("No headings here.\nNone at all."));
    }
}
