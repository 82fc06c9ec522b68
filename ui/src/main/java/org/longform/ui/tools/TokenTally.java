package org.longform.ui.tools;

import java.util.HashMap;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Counts a long text's tokens incrementally: the text is cut into pieces just before every line
 * break that is followed by a non-space character, each piece is counted once and remembered, so
 * after an edit only the changed pieces go through the tokenizer again (a whole novel takes
 * seconds to tokenize; a re-count after typing takes milliseconds).
 * <p>
 * The sum is exact for GPT-NeoX's byte-level pre-tokenizer (the tokenizer of every MPT model and
 * of the bundled one): its pattern never merges across such a cut, because there the whitespace
 * run before the next word ends in a line break of its own. Checked against whole-text counts on
 * all 37 novels of the corpus ({@code TokenTallyTest} keeps a few of them).
 */
public final class TokenTally {
    private final ToIntFunction<String> tokens;
    private Map<String, Integer> known = new HashMap<>();

    /** @param tokens counts the tokens of one piece (the model's tokenizer) */
    public TokenTally(ToIntFunction<String> tokens) {
        this.tokens = tokens;
    }

    /** The token count of {@code text}; pieces seen by the previous call are not tokenized again. */
    public synchronized int count(String text) {
        Map<String, Integer> now = new HashMap<>(Math.max(16, known.size() * 2));
        int total = 0, start = 0, n = text.length();
        for (int i = 1; i <= n; i++) {
            boolean cut =
                    i == n || i - 1 > start && text.charAt(i - 1) == '\n' && !Character.isWhitespace(text.charAt(i));
            if (!cut) continue;
            int end = i == n ? n : i - 1;
            String piece = text.substring(start, end);
            Integer c = now.get(piece);
            if (c == null) c = known.get(piece);
            if (c == null) c = tokens.applyAsInt(piece);
            now.put(piece, c);
            total += c;
            start = end;
        }
        known = now;
        return total;
    }
}
