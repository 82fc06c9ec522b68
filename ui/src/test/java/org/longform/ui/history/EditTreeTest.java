package org.longform.ui.history;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class EditTreeTest {
    /** Applies changes to a StringBuilder the way the editor applies them to the area. */
    private static void apply(StringBuilder doc, EditTree.Change c) {
        assertEquals(c.removed(), doc.substring(c.pos(), c.pos() + c.removed().length()), "tree and document disagree");
        doc.replace(c.pos(), c.pos() + c.removed().length(), c.inserted());
    }

    @Test
    void typingCoalescesAndUndoRedoRestoreText() {
        EditTree t = new EditTree();
        StringBuilder doc = new StringBuilder();
        long now = 1000;
        for (char ch : "Hello".toCharArray()) {
            t.recordEdit(doc.length(), "", String.valueOf(ch), now += 100);
            doc.append(ch);
        }
        t.recordEdit(doc.length(), "", " world", now += 100); // a paste: its own step
        doc.append(" world");
        apply(doc, t.undo());
        assertEquals("Hello", doc.toString());
        apply(doc, t.undo());
        assertEquals("", doc.toString(), "five keystrokes within the coalescing window are one undo step");
        assertFalse(t.canUndo());
        apply(doc, t.redo());
        apply(doc, t.redo());
        assertEquals("Hello world", doc.toString());
        assertFalse(t.canRedo());
    }

    @Test
    void pauseStartsANewUndoStepAndBackspaceRunsCoalesce() {
        EditTree t = new EditTree();
        StringBuilder doc = new StringBuilder("abc");
        t.recordEdit(3, "", "d", 0);
        doc.append('d');
        t.recordEdit(4, "", "e", 10_000); // long pause
        doc.append('e');
        t.recordEdit(4, "e", "", 10_100); // backspace
        doc.setLength(4);
        t.recordEdit(3, "d", "", 10_200); // backspace
        doc.setLength(3);
        apply(doc, t.undo());
        assertEquals("abcde", doc.toString(), "the two backspaces are one step");
        apply(doc, t.undo());
        assertEquals("abcd", doc.toString(), "'e' was typed after a pause: its own step");
        apply(doc, t.undo());
        assertEquals("abc", doc.toString());
        assertFalse(t.canUndo());
    }

    @Test
    void retriedGenerationsAreSiblingsYouCanFlipBetween() {
        EditTree t = new EditTree();
        StringBuilder doc = new StringBuilder("Once");
        t.recordGeneration(4, " upon a time", 0);
        doc.append(" upon a time");
        apply(doc, t.undo()); // retry = undo + generate again
        t.recordGeneration(4, " there was", 1);
        doc.append(" there was");
        assertEquals(2, t.alternatives().size());
        assertEquals(1, t.alternatives().indexOf(t.current()));
        for (EditTree.Change c : t.switchTo(t.alternatives().get(0))) apply(doc, c);
        assertEquals("Once upon a time", doc.toString());
        for (EditTree.Change c : t.switchTo(t.alternatives().get(1))) apply(doc, c);
        assertEquals("Once there was", doc.toString());
        // Undo then redo returns to the alternative last shown, not the first one.
        apply(doc, t.undo());
        apply(doc, t.redo());
        assertEquals("Once there was", doc.toString());
    }

    @Test
    void survivesASaveAndLoad() {
        EditTree t = new EditTree();
        StringBuilder doc = new StringBuilder();
        t.recordEdit(0, "", "The end.", 0);
        doc.append("The end.");
        t.recordGeneration(8, " A", 5000);
        doc.append(" A");
        apply(doc, t.undo());
        t.recordGeneration(8, " B", 6000);
        doc.append(" B");
        EditTree back = EditTree.fromData(t.toData());
        assertEquals(2, back.alternatives().size());
        apply(doc, back.undo());
        apply(doc, back.undo());
        assertEquals("", doc.toString());
        apply(doc, back.redo());
        apply(doc, back.redo());
        assertEquals("The end. B", doc.toString(), "redo follows the branch that was current when saved");
    }
}
