package org.longform.ui.structure;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChapterNavigatorTest {
    @Test
    void rowsMarkWhatTheModelSees() {
        String t = "CHAPTER I\nOne two three.\nCHAPTER II\nFour five.\nCHAPTER III\nSix.";
        int cut = t.indexOf("Four");
        var rows = ChapterNavigator.rows(t, cut);
        assertEquals(
                List.of(ChapterNavigator.View.OUT, ChapterNavigator.View.PARTLY, ChapterNavigator.View.IN),
                rows.stream().map(ChapterNavigator.Row::view).toList());
        assertEquals(
                List.of(5, 4, 3), rows.stream().map(ChapterNavigator.Row::words).toList());
        assertTrue(ChapterNavigator.rows(t, -1).stream().allMatch(r -> r.view() == ChapterNavigator.View.UNKNOWN));
    }
}
