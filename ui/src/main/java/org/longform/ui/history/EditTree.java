package org.longform.ui.history;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.longform.ui.story.HistoryData;

/**
 * Undo history as a tree (NovelAI-style): every edit or generation is a node holding one change
 * relative to its parent. Undo walks to the parent, redo to the child last visited, and retrying a
 * generation adds a sibling, so alternatives stay reachable instead of being overwritten. The tree
 * only records; the editor applies the {@link Change}s it returns.
 */
public final class EditTree {
    public enum Kind {
        ROOT,
        TYPING,
        EDIT,
        GENERATION
    }

    /** A change to apply to the document: at {@code pos} replace {@code removed} by {@code inserted}. */
    public record Change(int pos, String removed, String inserted, boolean generated) {}

    public static final class Node {
        final int id;
        final Node parent;
        final Kind kind;
        int pos;
        String removed;
        String inserted;
        long time;
        final List<Node> children = new ArrayList<>();
        int activeChild = -1;

        Node(int id, Node parent, Kind kind, int pos, String removed, String inserted, long time) {
            this.id = id;
            this.parent = parent;
            this.kind = kind;
            this.pos = pos;
            this.removed = removed;
            this.inserted = inserted;
            this.time = time;
        }

        public int id() {
            return id;
        }

        public Kind kind() {
            return kind;
        }

        public String inserted() {
            return inserted;
        }

        /** What the change replaced ("" for typing and for a generation that only inserted). */
        public String removed() {
            return removed;
        }

        public int pos() {
            return pos;
        }
    }

    /** Typing within this many ms of the last keystroke joins the same undo step. */
    static final long COALESCE_MS = 1500;

    private final Node root = new Node(0, null, Kind.ROOT, 0, "", "", 0);
    private Node current = root;
    private int nextId = 1;

    public Node current() {
        return current;
    }

    public boolean canUndo() {
        return current != root;
    }

    public boolean canRedo() {
        return current.activeChild >= 0;
    }

    /** Records a user edit, merging it into the previous typing step when it continues it. */
    public void recordEdit(int pos, String removed, String inserted, long now) {
        Node c = current;
        boolean typing = removed.isEmpty() && inserted.length() <= 2 || inserted.isEmpty() && removed.length() <= 2;
        if (typing && c.kind == Kind.TYPING && c.children.isEmpty() && now - c.time < COALESCE_MS) {
            if (removed.isEmpty()
                    && c.removed.isEmpty()
                    && pos == c.pos + c.inserted.length()
                    && !inserted.contains("\n")) {
                c.inserted += inserted;
                c.time = now;
                return;
            }
            if (inserted.isEmpty() && c.inserted.isEmpty() && pos + removed.length() == c.pos) { // backspace run
                c.pos = pos;
                c.removed = removed + c.removed;
                c.time = now;
                return;
            }
            if (inserted.isEmpty() && c.inserted.isEmpty() && pos == c.pos) { // delete-key run
                c.removed += removed;
                c.time = now;
                return;
            }
        }
        add(typing ? Kind.TYPING : Kind.EDIT, pos, removed, inserted, now);
    }

    public Node recordGeneration(int pos, String inserted, long now) {
        return add(Kind.GENERATION, pos, "", inserted, now);
    }

    /** A generation that replaced generated text (regenerate from here, retry a span): one undo step. */
    public Node recordGeneration(int pos, String removed, String inserted, long now) {
        return add(Kind.GENERATION, pos, removed, inserted, now);
    }

    private Node add(Kind kind, int pos, String removed, String inserted, long now) {
        Node n = new Node(nextId++, current, kind, pos, removed, inserted, now);
        current.children.add(n);
        current.activeChild = current.children.size() - 1;
        current = n;
        return n;
    }

    /** Moves to the parent; returns the change that turns the document back, or null at the root. */
    public Change undo() {
        if (current == root) return null;
        Node n = current;
        current = n.parent;
        current.activeChild = current.children.indexOf(n);
        // What a generation replaced was generated text too: it comes back in the generated style.
        return new Change(n.pos, n.inserted, n.removed, n.kind == Kind.GENERATION);
    }

    /** Moves to the child last visited; returns the change to apply, or null if there is none. */
    public Change redo() {
        if (current.activeChild < 0) return null;
        Node n = current.children.get(current.activeChild);
        current = n;
        return new Change(n.pos, n.removed, n.inserted, n.kind == Kind.GENERATION);
    }

    /** Generations that are alternatives to the current one (itself included), oldest first; empty unless the current node is a generation. */
    public List<Node> alternatives() {
        if (current.kind != Kind.GENERATION) return List.of();
        return current.parent.children.stream()
                .filter(n -> n.kind == Kind.GENERATION)
                .toList();
    }

    /** Switches the current generation to the sibling {@code target}; returns the changes to apply, in order. */
    public List<Change> switchTo(Node target) {
        if (current.kind != Kind.GENERATION || target.parent != current.parent || target == current) return List.of();
        Change back = undo();
        current.activeChild = current.children.indexOf(target);
        return List.of(back, redo());
    }

    // ---- persistence ----

    public HistoryData toData() {
        List<HistoryData.Node> out = new ArrayList<>();
        collect(root, out);
        out.sort((a, b) -> Integer.compare(a.id(), b.id()));
        return new HistoryData(out, current.id);
    }

    private void collect(Node n, List<HistoryData.Node> out) {
        if (n != root)
            out.add(new HistoryData.Node(
                    n.id,
                    n.parent.id,
                    n.kind.name().toLowerCase(),
                    n.pos,
                    n.removed,
                    n.inserted,
                    n.time,
                    n.activeChild));
        for (Node c : n.children) collect(c, out);
        if (n == root && root.activeChild >= 0)
            out.add(new HistoryData.Node(0, -1, "root", 0, "", "", 0, root.activeChild));
    }

    /** Rebuilds a saved tree; a damaged one (dangling parents, bad current) yields an empty history rather than a wrong one. */
    public static EditTree fromData(HistoryData data) {
        EditTree t = new EditTree();
        Map<Integer, Node> byId = new HashMap<>();
        byId.put(0, t.root);
        List<HistoryData.Node> nodes = new ArrayList<>(data.nodes());
        Collections.sort(nodes, (a, b) -> Integer.compare(a.id(), b.id()));
        for (HistoryData.Node d : nodes) {
            if (d.id() == 0) {
                t.root.activeChild = d.activeChild();
                continue;
            }
            Node parent = byId.get(d.parent());
            if (parent == null || byId.containsKey(d.id())) return new EditTree();
            Kind kind;
            try {
                kind = Kind.valueOf(d.kind().toUpperCase());
            } catch (IllegalArgumentException e) {
                kind = Kind.EDIT;
            }
            Node n = new Node(d.id(), parent, kind, d.pos(), d.removed(), d.inserted(), d.time());
            n.activeChild = d.activeChild();
            parent.children.add(n);
            byId.put(n.id, n);
            t.nextId = Math.max(t.nextId, n.id + 1);
        }
        Node cur = byId.get(data.current());
        if (cur == null) return new EditTree();
        for (Node n : byId.values())
            if (n.activeChild >= n.children.size()) n.activeChild = n.children.isEmpty() ? -1 : 0;
        t.current = cur;
        return t;
    }
}
