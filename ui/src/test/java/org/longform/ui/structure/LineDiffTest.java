package org.longform.ui.structure;

import static org.junit.jupiter.api.Assertions.*;
import static org.longform.ui.structure.LineDiff.Kind.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class LineDiffTest {
    static List<String> render(List<LineDiff.Line> d) {
        return d.stream()
                .map(l -> switch (l.kind()) {
                    case SAME -> "  " + l.text();
                    case ADDED -> "+ " + l.text();
                    case REMOVED -> "- " + l.text();
                    case FOLDED -> l.text();
                })
                .toList();
    }

    @Test
    void changedLineBetweenUnchangedOnes() {
        var d = LineDiff.diff("a\nb\nc\nd", "a\nB\nc\nd\ne", 1);
        assertEquals(List.of("  a", "- b", "+ B", "  c", "  d", "+ e"), render(d));
        assertFalse(LineDiff.same(d));
        assertTrue(LineDiff.same(LineDiff.diff("x\ny", "x\ny", 2)));
    }

    @Test
    void longUnchangedRunsFold() {
        StringBuilder a = new StringBuilder();
        for (int i = 0; i < 100; i++) a.append("line ").append(i).append('\n');
        String b = a.toString().replace("line 50\n", "line fifty\n");
        var d = LineDiff.diff(a.toString(), b, 2);
        assertEquals(
                List.of(
                        "… 48 unchanged lines …",
                        "  line 48",
                        "  line 49",
                        "- line 50",
                        "+ line fifty",
                        "  line 51",
                        "  line 52",
                        "… 48 unchanged lines …"),
                render(d),
                "the last fold counts lines 53-99 and the empty line after the final newline");
    }

    @Test
    void movedBlockIsAnLcsNotAWholesaleReplace() {
        var d = LineDiff.diff("a\nb\nc\nd", "b\nc\nd\na", 5);
        assertEquals(List.of("- a", "  b", "  c", "  d", "+ a"), render(d));
        assertEquals(2, d.stream().filter(l -> l.kind() != SAME).count());
    }
}
