package org.longform.hub;

import org.longform.engine.model.Config;

import java.util.EnumMap;
import java.util.Map;

/**
 * How much of a story fits in memory: the room left for the KV cache once the weights are mapped
 * and the rest of the app is accounted for, the window each KV dtype allows in that room, and a
 * recommendation.
 *
 * <p>Rule: the most precise dtype whose window reaches {@link #TARGET_WINDOW} (StoryWriter's
 * training length) wins; when none does, the most compact one, because for a novel more context
 * beats the last bit of precision. Windows are whole multiples of 1,024 tokens, capped at
 * {@link #MAX_WINDOW} (how far StoryWriter has been shown to extrapolate).
 *
 * @param roomBytes      memory the KV cache may use
 * @param windows        tokens each dtype fits in that room
 * @param dtype          the recommended dtype
 * @param window         its window in tokens (0 = does not fit at all)
 */
public record KvPlan(long roomBytes, long bytesPerTokenF32, Map<KvDtype, Integer> windows, KvDtype dtype, int window,
                     String reason) {
    public static final int TARGET_WINDOW = 65_536;
    public static final int MAX_WINDOW = 86_016;
    public static final int MIN_WINDOW = 2_048;
    static final long GIB = 1L << 30;

    public boolean fits() { return window >= MIN_WINDOW; }

    /** The recommended dtype as the engine and the commands name it (q8 is the engine's int8 pages). */
    public String engineDtype() { return dtype == KvDtype.Q8 ? "int8" : dtype.label(); }

    /** Bytes the recommended window takes in the recommended dtype (as planned: q8 at 1.125 bytes a value, at least the engine's int8 pages). */
    public long budgetBytes() { return (long) Math.ceil(window * (bytesPerTokenF32 * dtype.bytesPerValue / Float.BYTES)); }

    /**
     * @param weightBytes bytes of weights, memory-mapped: they need page cache, not heap
     * @param totalRam    physical memory (or the container's limit)
     */
    public static KvPlan recommend(Config c, long weightBytes, long totalRam) {
        long reserve = Math.max(GIB, totalRam / 10);               // the OS, the desktop, the Java heap, the documents
        long roomRam = totalRam - weightBytes - reserve;            // the weights must stay resident or every token pages
        // the KV pages are off-heap (FFM arenas, not bounded by -Xmx): the heap does not limit them
        long room = Math.max(0, roomRam);
        long perToken = 2L * c.nLayers() * c.dModel() * Float.BYTES;
        Map<KvDtype, Integer> windows = new EnumMap<>(KvDtype.class);
        for (KvDtype d : KvDtype.values()) {
            double bytes = perToken * d.bytesPerValue / Float.BYTES;
            long tokens = (long) (room / bytes);
            windows.put(d, (int) Math.min(MAX_WINDOW, tokens / 1024 * 1024));
        }
        KvDtype pick = KvDtype.Q8;
        for (KvDtype d : KvDtype.values()) {
            if (windows.get(d) >= TARGET_WINDOW) { pick = d; break; }
        }
        int window = windows.get(pick);
        String reason;
        if (window < MIN_WINDOW) {
            long short_ = (long) (MIN_WINDOW * perToken * KvDtype.Q8.bytesPerValue / Float.BYTES) - room;
            reason = "the weights (" + Sizes.human(weightBytes) + ") leave " + Sizes.gib(room) + " for the KV cache, not even "
                    + MIN_WINDOW + " tokens in q8; about " + Sizes.gib(Math.max(short_, 0) + (1L << 27)) + " more memory (or a smaller model) is needed";
            window = 0;
        } else if (pick == KvDtype.F32) {
            reason = "f32 already fits " + String.format("%,d", window) + " tokens, a whole novel";
        } else if (windows.get(pick) >= TARGET_WINDOW) {
            reason = pick.label() + " is the most precise type that fits " + String.format("%,d", TARGET_WINDOW) + " tokens";
        } else {
            reason = "no type fits " + String.format("%,d", TARGET_WINDOW) + " tokens; q8 gives the longest window";
        }
        return new KvPlan(room, perToken, windows, pick, window, reason);
    }
}
