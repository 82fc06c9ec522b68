package org.longform.engine.sample;

import java.util.List;

/**
 * Watches streamed text for stop sequences so that neither a stop sequence nor any part of it is ever shown.
 *
 * <p>Text arrives in arbitrary chunks (a stop like "\n\nChapter" may be split over several tokens), so the
 * tail of the text that could still grow into a stop sequence is held back until it either completes one
 * or stops matching. If several stops occur, the one that would have completed first wins (the longest
 * one among those ending at the same place). Not thread-safe: one matcher per generation.
 */
public final class StopMatcher {
    /**
     * What a {@link #push} releases.
     *
     * @param text         text that is now safe to show: everything before the stop, or before a possible stop
     * @param stopped      true once a stop sequence has completed; generation should end
     * @param stopSequence the stop sequence that matched, or null
     */
    public record Result(String text, boolean stopped, String stopSequence) {
        static final Result NOTHING = new Result("", false, null);
    }

    private final List<String> stops;
    /** Text received but not yet released; always shorter than the longest stop unless a stop is found. */
    private final StringBuilder pending = new StringBuilder();

    private String matched;

    /** @param stopSequences non-empty strings; an empty list makes the matcher pass everything through */
    public StopMatcher(List<String> stopSequences) {
        for (String s : stopSequences) {
            if (s == null || s.isEmpty()) {
                throw new IllegalArgumentException("stop sequences must be non-empty strings");
            }
        }
        this.stops = List.copyOf(stopSequences);
    }

    /** Feeds the next chunk of generated text. After a stop, further chunks are ignored. */
    public Result push(String chunk) {
        if (matched != null) {
            return new Result("", true, matched);
        }
        if (chunk.isEmpty()) {
            return Result.NOTHING;
        }
        pending.append(chunk);

        // The stop that ends earliest is the one a character-by-character reader would have hit first.
        int bestStart = -1;
        int bestEnd = Integer.MAX_VALUE;
        String best = null;
        for (String stop : stops) {
            int start = pending.indexOf(stop);
            if (start >= 0) {
                int end = start + stop.length();
                if (end < bestEnd || (end == bestEnd && start < bestStart)) {
                    bestStart = start;
                    bestEnd = end;
                    best = stop;
                }
            }
        }
        if (best != null) {
            String before = pending.substring(0, bestStart);
            pending.setLength(0);
            matched = best;
            return new Result(before, true, best);
        }

        int hold = heldBackLength();
        String safe = pending.substring(0, pending.length() - hold);
        pending.delete(0, pending.length() - hold);
        return safe.isEmpty() ? Result.NOTHING : new Result(safe, false, null);
    }

    /** Generation ended without a stop (EOS, token limit): release whatever was held back. */
    public String flush() {
        String rest = pending.toString();
        pending.setLength(0);
        return rest;
    }

    /** True once a stop sequence has completed. */
    public boolean stopped() {
        return matched != null;
    }

    /** The stop sequence that ended generation, or null. */
    public String matchedStop() {
        return matched;
    }

    /** Number of characters currently held back as a possible start of a stop sequence. */
    public int pendingLength() {
        return pending.length();
    }

    /** Length of the longest tail of the pending text that is a proper prefix of some stop sequence. */
    private int heldBackLength() {
        int hold = 0;
        int len = pending.length();
        for (String stop : stops) {
            for (int l = Math.min(stop.length() - 1, len); l > hold; l--) {
                if (pendingEndsWith(stop, l)) {
                    hold = l;
                    break;
                }
            }
        }
        return hold;
    }

    private boolean pendingEndsWith(String stop, int prefixLength) {
        int offset = pending.length() - prefixLength;
        for (int i = 0; i < prefixLength; i++) {
            if (pending.charAt(offset + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
