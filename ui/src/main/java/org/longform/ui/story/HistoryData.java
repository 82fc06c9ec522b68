package org.longform.ui.story;

import java.util.List;

/**
 * The edit/generation tree as stored in a story file. Node 0 is the root (no edit). Each other node
 * is one change relative to its parent: at {@code pos}, {@code removed} was replaced by
 * {@code inserted}. {@code current} is the node whose text is the story's text.
 */
public record HistoryData(List<Node> nodes, int current) {
    public record Node(
            int id, int parent, String kind, int pos, String removed, String inserted, long time, int activeChild) {}

    public HistoryData {
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
    }

    public static HistoryData empty() {
        return new HistoryData(List.of(), 0);
    }
}
