package org.longform.ui.gen;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.longform.engine.context.KvFile;
import org.longform.engine.context.KvStore;
import org.longform.engine.context.KvStores;
import org.longform.ui.prompt.StoryTokens;

/**
 * Where stories' KV caches live: the app's cache folder, one incremental {@link KvStore} per story,
 * model and KV dtype, within a size cap (the least recently used stores go first). Reopening a
 * story, or coming back to its tab, maps its cache back instead of recomputing the window. With the
 * cache each store keeps the story's view: where the model's view started and the story's token
 * segments from there (the ids the cache was assembled from, generated ones included), so that the
 * next prompt lines up with the cache token for token. Model worker only.
 */
public final class StoryCaches implements AutoCloseable {
    /** The editor's view file inside a store (KvStores keeps and deletes extra-NAME.bin files with it). */
    static final String VIEW = "extra-view.bin";

    private static final int VIEW_MAGIC = 0x4C465657; // "LFVW"

    private final KvStores stores;
    private final Map<String, KvStore> open = new HashMap<>(); // kept open: a store knows which pages it already wrote

    /** @param capBytes the most bytes all saved caches may take (0: no cap) */
    public StoryCaches(Path root, long capBytes) {
        this.stores = new KvStores(root, capBytes);
    }

    public Path root() {
        return stores.root();
    }

    public long totalBytes() {
        return stores.totalBytes();
    }

    private KvStore store(LocalCache c, String storyId) {
        String key = KvStores.key(storyId, c.modelIdentity(), c.kvDType());
        KvStore s = open.get(storyId);
        if (s != null && s.dir().getFileName().toString().equals(key)) return s;
        if (s != null) s.close();
        s = stores.open(storyId, c.modelIdentity(), c.kvDType());
        open.put(storyId, s);
        return s;
    }

    /**
     * Saves the cache the model holds for this story, with the view start and the story's token
     * segments from there; returns a line saying what was written, or why nothing was.
     */
    public String save(TextGenerator g, String storyId, int viewStart, List<StoryTokens.Segment> segments) {
        LocalCache c = g.localCache();
        if (c == null) return "no local cache";
        if (c.length() == 0) return "nothing cached";
        try {
            KvStore s = store(c, storyId);
            KvStore.Stats st = c.save(s);
            writeView(s.dir().resolve(VIEW), viewStart, segments);
            stores.trim(s);
            return String.format("%d pages written, %.1f MiB", st.pagesWritten(), st.bytesWritten() / 1048576.0);
        } catch (IOException | RuntimeException x) {
            return "not saved (" + x.getMessage() + ")";
        }
    }

    /** What a restore did: whether the cache was used, why (not), the view start and segments saved with it (-1 and none if none). */
    public record Restored(
            boolean used, String reason, int tokens, int viewStart, List<StoryTokens.Segment> segments) {}

    /** Maps a story's saved cache back into the model's cache; a missing, foreign or damaged one is simply not used. */
    public Restored restore(TextGenerator g, String storyId) {
        LocalCache c = g.localCache();
        if (c == null) return new Restored(false, "no local cache", 0, -1, List.of());
        KvFile.Restore r;
        KvStore s;
        try {
            s = store(c, storyId);
            r = s.exists() ? c.restore(s) : null;
        } catch (RuntimeException x) {
            return new Restored(false, "unreadable (" + x.getMessage() + ")", 0, -1, List.of());
        }
        if (r == null) return new Restored(false, "no saved cache", 0, -1, List.of());
        if (!r.used()) return new Restored(false, r.reason(), 0, -1, List.of());
        Restored view = readView(s.dir().resolve(VIEW), r.reason(), r.tokens());
        return view != null ? view : new Restored(true, r.reason(), r.tokens(), -1, List.of());
    }

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

    /** The saved view, or null when missing or damaged (the story is then simply tokenized afresh). */
    private static Restored readView(Path file, String reason, int tokens) {
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
            return new Restored(true, reason, tokens, view, segs);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public void close() {
        open.values().forEach(KvStore::close);
        open.clear();
    }
}
