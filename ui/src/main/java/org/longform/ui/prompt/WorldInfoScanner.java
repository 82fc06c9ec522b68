package org.longform.ui.prompt;

import java.util.List;
import java.util.Locale;
import org.longform.ui.story.WorldInfoEntry;

/** Decides which world-info entries the recent text triggers (case-insensitive substring match on keys). */
public final class WorldInfoScanner {
    private WorldInfoScanner() {}

    /** The matched key, "(constant)", or null when the entry is not triggered. */
    public static String trigger(WorldInfoEntry e, String recentLower) {
        if (!e.enabled()) return null;
        if (e.constant()) return "(constant)";
        String primary = firstFound(e.keys(), recentLower);
        if (primary == null) return null;
        if (e.selective() && !e.secondaryKeys().isEmpty() && firstFound(e.secondaryKeys(), recentLower) == null)
            return null;
        return primary;
    }

    private static String firstFound(List<String> keys, String hayLower) {
        for (String k : keys) {
            String key = k.strip().toLowerCase(Locale.ROOT);
            if (!key.isEmpty() && hayLower.contains(key)) return k.strip();
        }
        return null;
    }
}
