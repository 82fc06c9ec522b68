package org.longform.ui.prompt;

import java.util.List;
import java.util.Locale;
import org.longform.ui.prompt.WorldInfoStatus.State;
import org.longform.ui.story.WorldInfoEntry;
import org.longform.ui.story.WorldInfoRules;

/**
 * Decides which world-info entries the recent text triggers (case-insensitive substring match on
 * keys), with KoboldAI Lite's rules: a selective entry needs a secondary key as well (when it has
 * any) and is excluded when any of its anti-keys appears; a non-selective entry uses its primary
 * keys alone (Lite hides and ignores the other two lists then). A constant entry needs no key. An
 * entry whose folder is switched off stays out, constant or not.
 */
public final class WorldInfoScanner {
    /** The "key" of an entry that is in because it is constant. */
    public static final String CONSTANT = "(constant)";

    private WorldInfoScanner() {}

    /** What the scan decided for one entry: ACTIVE (triggered) or why not, with the deciding word. */
    public record Match(State state, String key) {
        public boolean triggered() {
            return state == State.ACTIVE;
        }
    }

    /** {@code recentLower}: the scanned text, lower-cased with {@link Locale#ROOT}. */
    public static Match match(WorldInfoEntry e, WorldInfoRules rules, String recentLower) {
        if (!e.enabled()) return new Match(State.DISABLED, null);
        if (!rules.folderEnabled(e.folder())) return new Match(State.FOLDER_OFF, e.folder());
        if (e.constant()) return new Match(State.ACTIVE, CONSTANT);
        String primary = firstFound(e.keys(), recentLower);
        if (primary == null) return new Match(State.NOT_TRIGGERED, null);
        if (e.selective()) {
            if (!e.secondaryKeys().isEmpty() && firstFound(e.secondaryKeys(), recentLower) == null)
                return new Match(State.NO_SECONDARY, primary);
            String anti = firstFound(e.antiKeys(), recentLower);
            if (anti != null) return new Match(State.EXCLUDED, anti);
        }
        return new Match(State.ACTIVE, primary);
    }

    private static String firstFound(List<String> keys, String hayLower) {
        for (String k : keys) {
            String key = k.strip().toLowerCase(Locale.ROOT);
            if (!key.isEmpty() && hayLower.contains(key)) return k.strip();
        }
        return null;
    }
}
