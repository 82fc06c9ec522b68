package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.longform.ui.TestSupport;

/** A whole novel (War and Peace, 3.2 MB) opens, scrolls, and takes typing without lag. */
class WarAndPeaceFxTest extends FxTestBase {
    static Path novel() {
        return TestSupport.home()
                .resolve("../shared/corpus/war-and-peace.tolstoy.txt")
                .normalize();
    }

    @Test
    void opensScrollsAndTypes() throws Exception {
        Path f = novel();
        Assumptions.assumeTrue(Files.isRegularFile(f), "corpus not available: " + f);
        int expectedLength =
                Files.readString(f).replace("\r\n", "\n").replace("\uFEFF", "").length();
        waitForModel();
        long t0 = System.nanoTime();
        interact(() -> window.files().open(f));
        waitFor(
                "novel open",
                () -> window.active() != null && window.active().editor().length() == expectedLength);
        long openMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("War and Peace: open " + openMs + " ms, " + expectedLength + " chars");

        waitFor(
                "context map",
                () -> story().promptProperty().get() != null && story().editor().shadedUpTo() > 0);
        assertTrue(
                fx(() -> story().promptProperty().get().storyCut()) > 3_000_000,
                "most of the novel is out of view (shaded)");

        long s0 = System.nanoTime();
        interact(() -> {
            var area = story().editor().area();
            area.showParagraphAtTop(area.getParagraphs().size() / 2);
            area.moveTo(area.getParagraphs().size() / 2, 0);
        });
        interact(() -> story().editor().area().showParagraphAtTop(10));
        long scrollMs = (System.nanoTime() - s0) / 1_000_000;
        System.out.println("War and Peace: two jumps " + scrollMs + " ms");

        interact(() -> {
            var a = story().editor().area();
            a.moveTo(a.getLength());
            a.requestFollowCaret();
        });
        clickOn(".story-editor");
        interact(() -> {
            var a = story().editor().area();
            a.moveTo(a.getLength());
        });
        String typed = "And the snow kept falling";
        // Keys a busy machine delivers seconds apart must still form one typing step: the editor's
        // history groups keys by its clock, so give it one that moves 10 ms a key.
        long[] now = {System.currentTimeMillis()};
        interact(() -> story().editor().setClock(() -> now[0] += 10));
        long k0 = System.nanoTime();
        write(typed);
        long perKey = (System.nanoTime() - k0) / 1_000_000 / typed.length();
        System.out.println("War and Peace: " + perKey + " ms per typed key (robot + layout)");
        assertTrue(text().endsWith(typed));
        push(KeyCode.CONTROL, KeyCode.Z);
        assertFalse(text().endsWith(typed), "typing is undone");
        assertTrue(text().strip().endsWith("of which we are not\nconscious."), "back to the novel's last words");
        // FX-thread cost of one inserted character at the end of the novel (no robot pacing).
        long direct = fx(() -> {
            var a = story().editor().area();
            long d0 = System.nanoTime();
            for (int i = 0; i < 20; i++) a.insertText(a.getLength(), "x");
            a.layout();
            return (System.nanoTime() - d0) / 20_000;
        });
        System.out.println("War and Peace: " + direct + " us per inserted char on the FX thread");
        // Timings are printed, not asserted: speed is measured by benchmarks, never by unit tests
        // (a busy CI box would make such bounds flaky); see docs/PERFORMANCE.md.
    }
}
