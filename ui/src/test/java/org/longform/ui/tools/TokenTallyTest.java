package org.longform.ui.tools;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.longform.ui.TestSupport;

class TokenTallyTest {
    static final ToIntFunction<String> COUNT = s -> TestSupport.tokenizer().encode(s).length;

    @Test
    void sumOfPiecesIsTheWholeTextsCount() {
        for (String t : List.of(
                "",
                "One line",
                "a\nb",
                "a\n\nb",
                "a \n \nb\n",
                "End.\n\n\n  Indented\n\tTabbed\n\"Quoted\"\n— Dash\n\n",
                "Chapter 1\n\nIt was winter.\r\nThe wolves came.\n\n\nCHAPTER II\n\n12 men, 3 dogs.\n")) {
            assertEquals(COUNT.applyAsInt(t), new TokenTally(COUNT).count(t), t);
        }
    }

    @Test
    void novelsCountExactly() throws Exception {
        for (String name :
                List.of("war-and-peace.tolstoy.txt", "moby-dick.melville.txt", "the-time-machine.wells.txt")) {
            Path f = TestSupport.home().resolve("../shared/corpus/" + name).normalize();
            Assumptions.assumeTrue(Files.isRegularFile(f), "corpus not present");
            String t = Files.readString(f);
            t = t.substring(0, Math.min(t.length(), 300_000));
            assertEquals(COUNT.applyAsInt(t), new TokenTally(COUNT).count(t), name);
        }
    }

    @Test
    void anEditRetokenizesOnlyTheChangedPieces() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 200; i++) b.append("Line number ").append(i).append(" of the story.\n");
        String before = b.toString();
        List<String> asked = new ArrayList<>();
        TokenTally tally = new TokenTally(s -> {
            asked.add(s);
            return COUNT.applyAsInt(s);
        });
        assertEquals(COUNT.applyAsInt(before), tally.count(before));
        asked.clear();
        String after = before.replace("Line number 100 of", "Line number one hundred of");
        assertEquals(COUNT.applyAsInt(after), tally.count(after));
        assertEquals(List.of("\nLine number one hundred of the story."), asked, "only the edited line");
    }
}
