package org.longform.ui.tools;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class TextSearchTest {
    static final String TEXT = "The cat sat. The Cathedral's cat-flap! the CAT.";

    static List<String> found(String q, TextSearch.Options o) throws Exception {
        Pattern p = TextSearch.compile(q, o);
        return TextSearch.findAll(TEXT, p).stream()
                .map(m -> TEXT.substring(m.start(), m.end()))
                .toList();
    }

    @Test
    void matchCaseAndWholeWord() throws Exception {
        assertEquals(List.of("cat", "Cat", "cat", "CAT"), found("cat", TextSearch.Options.plain()));
        assertEquals(List.of("cat", "cat"), found("cat", new TextSearch.Options(true, false, false)));
        // "cat-flap" has the word cat before a hyphen: a whole word there; "Cathedral" is not.
        assertEquals(List.of("cat", "cat", "CAT"), found("cat", new TextSearch.Options(false, true, false)));
        assertEquals(List.of("Cathedral's"), found("cathedral's", new TextSearch.Options(false, true, false)));
        assertEquals(
                List.of(),
                found("Cathedral", new TextSearch.Options(false, true, false)),
                "the apostrophe continues the word");
    }

    @Test
    void literalQueriesAreNotPatterns() throws Exception {
        assertEquals(List.of(), found("c.t", TextSearch.Options.plain()));
        assertEquals(List.of("cat", "Cat", "cat", "CAT"), found("c.t", new TextSearch.Options(false, false, true)));
    }

    @Test
    void regexReplacementUsesGroupsLiteralDoesNot() throws Exception {
        TextSearch.Options re = new TextSearch.Options(true, false, true);
        TextSearch.Replaced r =
                TextSearch.replaceAll("Anna ran. Boris ran.", TextSearch.compile("(\\w+) ran", re), "$1 walked", re);
        assertEquals("Anna walked. Boris walked.", r.text());
        assertEquals(2, r.count());
        assertEquals(0, r.firstStart());
        assertEquals("Anna ran. Boris ran".length(), r.lastEnd());
        TextSearch.Options lit = TextSearch.Options.plain();
        assertEquals(
                "costs $1 now",
                TextSearch.replaceAll("costs X now", TextSearch.compile("x", lit), "$1", lit)
                        .text());
    }

    @Test
    void nextAndPreviousWrap() throws Exception {
        Pattern p = TextSearch.compile("the", TextSearch.Options.plain());
        assertEquals(new TextSearch.Match(0, 3), TextSearch.next(TEXT, p, 0));
        assertEquals(new TextSearch.Match(13, 16), TextSearch.next(TEXT, p, 1));
        assertEquals(new TextSearch.Match(0, 3), TextSearch.next(TEXT, p, TEXT.length() - 1), "wraps to the start");
        assertEquals(new TextSearch.Match(39, 42), TextSearch.previous(TEXT, p, 0), "wraps to the end");
        assertEquals(new TextSearch.Match(19, 22), TextSearch.previous(TEXT, p, 39), "inside \"Cathedral\"");
    }

    @Test
    void badRegexIsOneLineNotAnException() {
        TextSearch.BadQuery e = assertThrows(
                TextSearch.BadQuery.class,
                () -> TextSearch.compile("(unclosed", new TextSearch.Options(false, false, true)));
        assertTrue(e.getMessage().startsWith("Bad regular expression: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void replacementForTheSelectedMatchOnly() throws Exception {
        TextSearch.Options re = new TextSearch.Options(false, false, true);
        Pattern p = TextSearch.compile("(c)at", re);
        assertEquals("Cot", TextSearch.replacementFor(TEXT, p, new TextSearch.Match(17, 20), "$1ot", re));
        assertNull(
                TextSearch.replacementFor(TEXT, p, new TextSearch.Match(16, 20), "$1ot", re),
                "a selection that is not a match");
    }
}
