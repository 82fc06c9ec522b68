package org.longform.engine.gen;

import java.util.ArrayList;
import java.util.List;
import org.longform.engine.token.Tokenizer;

/**
 * Keeps banned phrases out of the text by forbidding the token that would complete one: each
 * phrase is tokenized with and without a leading space; when the generated ids end with all but
 * the last token of a form, that last token's logit is set to -infinity.
 */
final class BannedPhrases {
    private final List<int[]> forms = new ArrayList<>();

    BannedPhrases(Tokenizer tok, List<String> phrases) {
        for (String p : phrases) {
            if (p.isBlank()) continue;
            String t = p.strip();
            for (String form : new String[] {t, " " + t}) {
                int[] ids = tok.encode(form);
                if (ids.length > 0) forms.add(ids);
            }
        }
    }

    void apply(float[] logits, int[] generated, int n) {
        for (int[] f : forms) {
            int need = f.length - 1;
            if (need > n) continue;
            boolean match = true;
            for (int i = 0; i < need && match; i++) match = generated[n - need + i] == f[i];
            if (match) logits[f[f.length - 1]] = Float.NEGATIVE_INFINITY;
        }
    }
}
