package org.longform.ui.story;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class MarkdownExportTest {
    @Test
    void headingsAsTheChaptersPanelFindsThem() {
        String text =
                "BOOK ONE: 1805\n\nCHAPTER I\nPart of me wanted to stay.\nChapter and verse, he said.\n\n# Already a heading\nI. The Period";
        assertEquals(
                "# Title\n\n## BOOK ONE: 1805\n\n## CHAPTER I\nPart of me wanted to stay.\nChapter and verse, he said.\n\n# Already a heading\n## I. The Period",
                Export.toMarkdown("Title", text));
    }
}
