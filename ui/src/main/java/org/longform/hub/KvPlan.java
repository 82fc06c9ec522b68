package org.longform.hub;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.longform.engine.kv.KvDType;
import org.longform.engine.kv.KvPool;
import org.longform.engine.model.Config;

/**
 * How much of a story fits in memory: the room left for the KV cache once the weights are loaded
 * and the rest of the app is accounted for, the window each KV dtype allows in that room, and a
 * recommendation. A token's cache is priced as the engine's pages hold it
 * ({@link KvPool#bytesPerToken}: int8 values plus one f32 scale per row).
 *
 * <p>Rule: the most precise dtype whose window reaches {@link #TARGET_WINDOW} (StoryWriter's
 * training length) wins; when none does, the most compact one, because for a novel more context
 * beats the last bit of precision. Windows are whole multiples of 1,024 tokens, capped at
 * {@link #MAX_WINDOW} (how far StoryWriter has been shown to extrapolate).
 *
 * @param config    the model's shape
 * @param roomBytes memory the KV cache may use
 * @param windows   tokens each candidate dtype fits in that room
 * @param dtype     the recommended dtype
 * @param window    its window in tokens (0 = does not fit at all)
 */
public record KvPlan(
        Config config, long roomBytes, Map<KvDType, Integer> windows, KvDType dtype, int window, String reason) {
    public static final int TARGET_WINDOW = 65_536;
    public static final int MAX_WINDOW = 86_016;
    public static final int MIN_WINDOW = 2_048;
    static final long GIB = 1L << 30;

    /**
     * The dtypes weighed, most precise first. bf16 is left out: it costs what f16 costs and keeps
     * fewer mantissa bits, so it is never the better pick for a story's cache.
     */
    public static final List<KvDType> CANDIDATES = List.of(KvDType.F32, KvDType.F16, KvDType.INT8);

    public boolean fits() {
        return window >= MIN_WINDOW;
    }

    /** Bytes one token's K and V take in {@code d}, as the engine allocates them. */
    public long bytesPerToken(KvDType d) {
        return KvPool.bytesPerToken(config, d);
    }

    /** Bytes the recommended window takes in the recommended dtype: the budget the engine needs for it. */
    public long budgetBytes() {
        return (long) window * bytesPerToken(dtype);
    }

    /** What a KV dtype means for the writer, for the report and the first-run screen. */
    public static String description(KvDType d) {
        return switch (d) {
            case F32 -> "full precision";
            case F16 -> "half precision, no visible quality loss";
            case BF16 -> "half precision with f32's range";
            case INT8 -> "8-bit with a scale per row, slight quality loss";
        };
    }

    /**
     * @param weightBytes bytes of the weights as they will be loaded (quantized at their real size):
     *                    they must stay resident, mapped or off-heap, not on the Java heap
     * @param totalRam    physical memory (or the container's limit)
     */
    public static KvPlan recommend(Config c, long weightBytes, long totalRam) {
        long reserve = Math.max(GIB, totalRam / 10); // the OS, the desktop, the Java heap, the documents
        long roomRam = totalRam - weightBytes - reserve; // the weights must stay resident or every token pages
        // the KV pages are off-heap (FFM arenas, not bounded by -Xmx): the heap does not limit them
        long room = Math.max(0, roomRam);
        Map<KvDType, Integer> windows = new EnumMap<>(KvDType.class);
        for (KvDType d : CANDIDATES) {
            long tokens = room / KvPool.bytesPerToken(c, d);
            windows.put(d, (int) Math.min(MAX_WINDOW, tokens / 1024 * 1024));
        }
        KvDType compact = CANDIDATES.getLast();
        KvDType pick = compact;
        for (KvDType d : CANDIDATES) {
            if (windows.get(d) >= TARGET_WINDOW) {
                pick = d;
                break;
            }
        }
        int window = windows.get(pick);
        String reason;
        if (window < MIN_WINDOW) {
            long short_ = MIN_WINDOW * KvPool.bytesPerToken(c, compact) - room;
            reason = "the weights (" + Sizes.human(weightBytes) + ") leave " + Sizes.gib(room)
                    + " for the KV cache, not even "
                    + MIN_WINDOW + " tokens in " + compact.label() + "; about "
                    + Sizes.gib(Math.max(short_, 0) + (1L << 27))
                    + " more memory (or a smaller model) is needed";
            window = 0;
        } else if (pick == KvDType.F32) {
            reason = "f32 already fits " + String.format("%,d", window) + " tokens, a whole novel";
        } else if (windows.get(pick) >= TARGET_WINDOW) {
            reason = pick.label() + " is the most precise type that fits " + String.format("%,d", TARGET_WINDOW)
                    + " tokens";
        } else {
            reason = "no type fits " + String.format("%,d", TARGET_WINDOW) + " tokens; " + compact.label()
                    + " gives the longest window";
        }
        return new KvPlan(c, room, windows, pick, window, reason);
    }
}
