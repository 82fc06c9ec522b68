package org.longform.ui.gen;

import org.longform.ui.prompt.StoryTokens;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Where stories' KV caches live: the app's cache folder, one entry per story and model, so that
 * reopening a story (or switching back to its tab) maps its cache back instead of recomputing the
 * window. Each entry also keeps the story's view start (the first character in the model's view),
 * which the cache's tokens were assembled from. Model worker only.
 */
public final class StoryCaches {
    private final Path root;
    private final long capBytes;

    public StoryCaches(Path root, long capBytes) {
        this.root = root;
        this.capBytes = capBytes;
    }

    public Path root() { return root; }

    /** The folder of one story's cache under the model {@code g} runs. */
    Path entry(TextGenerator g, String storyId) {
        String model = g.info().name() + "-" + Integer.toHexString(g.info().dir() == null ? 0 : g.info().dir().hashCode());
        return root.resolve(safe(storyId) + "--" + safe(model));
    }

    /**
     * Saves the cache the model holds for this story, with the view start and the story's token
     * segments from there (the ids the cache was assembled from, generated ones included); returns
     * a line saying what, or why not.
     */
    public String save(TextGenerator g, String storyId, int viewStart, List<StoryTokens.Segment> segments) {
        try {
            Path e = entry(g, storyId);
            String what = g.saveCache(e);
            if (what == null) return "no local cache";
            writeView(e.resolve(VIEW), viewStart, segments);
            return what;
        } catch (IOException | RuntimeException x) {
            return "not saved (" + x.getMessage() + ")";
        }
    }

    /** What a restore did: whether the cache was used, why (not), the view start and segments saved with it (-1 and none if none). */
    public record Restored(boolean used, String reason, int viewStart, List<StoryTokens.Segment> segments) {}

    static final String VIEW = "view.bin";
    private static final int VIEW_MAGIC = 0x4C465657;   // "LFVW"

    private static void writeView(Path file, int viewStart, List<StoryTokens.Segment> segments) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
            out.writeInt(VIEW_MAGIC);
            out.writeInt(viewStart);
            out.writeInt(segments.size());
            for (StoryTokens.Segment g : segments) {
                out.writeInt(g.start());
                out.writeInt(g.length());
                out.writeInt(g.ids().length);
                for (int id : g.ids()) out.writeInt(id);
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The saved view, or null when missing or damaged (then the story is simply tokenized afresh). */
    private static Restored readView(Path file, String reason) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            long size = Files.size(file);
            if (in.readInt() != VIEW_MAGIC) return null;
            int view = in.readInt(), n = in.readInt();
            if (n < 0 || (long) n * 12 > size) return null;
            List<StoryTokens.Segment> segs = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                int start = in.readInt(), length = in.readInt(), m = in.readInt();
                if (m < 0 || (long) m * 4 > size) return null;
                int[] ids = new int[m];
                for (int j = 0; j < m; j++) ids[j] = in.readInt();
                segs.add(new StoryTokens.Segment(start, length, ids));
            }
            return new Restored(true, reason, view, segs);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Maps a story's saved cache back into the model's cache; a missing, foreign or damaged one is simply not used. */
    public Restored restore(TextGenerator g, String storyId) {
        Path e = entry(g, storyId);
        String[] why = {""};
        boolean used;
        try {
            used = Files.isDirectory(e) && g.restoreCache(e, r -> why[0] = r);
        } catch (RuntimeException x) {
            return new Restored(false, "unreadable (" + x.getMessage() + ")", -1, List.of());
        }
        if (!Files.isDirectory(e)) why[0] = "no saved cache";
        Restored view = used ? readView(e.resolve(VIEW), why[0]) : null;
        return view != null ? view : new Restored(used, why[0], -1, List.of());
    }

    static String safe(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) b.append(Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.' ? c : '_');
        String out = b.length() > 80 ? b.substring(0, 60) + HexFormat.of().toHexDigits(s.hashCode()) : b.toString();
        return out.isEmpty() || out.startsWith(".") ? "_" + out : out;
    }

    long capBytes() { return capBytes; }
}
