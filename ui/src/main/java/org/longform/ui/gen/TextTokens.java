package org.longform.ui.gen;

import org.longform.engine.gen.TokenChoice;
import org.longform.engine.gen.TokenListener;

/**
 * Hands the editor's listener what a generator reports, except tokens that add no text (a byte of a
 * character still incomplete, a stop token): the editor counts and stores only text it can show.
 * Local and remote generators both pass their listener through one.
 */
class TextTokens implements TokenListener {
    private final TokenListener to;

    TextTokens(TokenListener to) {
        this.to = to;
    }

    @Override
    public void onPrefill(int done, int total) {
        to.onPrefill(done, total);
    }

    @Override
    public void onToken(int id, String text) {
        if (!text.isEmpty()) to.onToken(id, text);
    }

    @Override
    public int alternatives() {
        return to.alternatives();
    }

    @Override
    public void onChoice(TokenChoice choice) {
        to.onChoice(choice);
    }
}
