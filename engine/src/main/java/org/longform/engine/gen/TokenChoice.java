package org.longform.engine.gen;

import java.util.List;
import org.longform.engine.sample.Alternative;

/**
 * A generated token with the alternatives the model weighed for it (see {@link Alternative} for which
 * probabilities these are).
 *
 * @param index  the token's place in the generation (0 = the first generated token)
 * @param offset the char in the generation's text where the token's text begins, -1 when it begins inside a
 *               character (a byte token continuing an unfinished UTF-8 character)
 * @param chosen the token drawn
 * @param top    the most likely tokens, best first (the chosen one among them when it was likely enough)
 */
public record TokenChoice(int index, int offset, Alternative chosen, List<Alternative> top) {
    public TokenChoice {
        top = List.copyOf(top);
    }
}
