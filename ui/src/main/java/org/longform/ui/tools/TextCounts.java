package org.longform.ui.tools;

/**
 * Word and character counts as writers count them: a word is a run of letters or digits, with
 * apostrophes and hyphens inside it ("don't", "well-known" are one word each); characters are
 * Unicode code points, line breaks included.
 */
public final class TextCounts {
    private TextCounts() {}

    public static int words(CharSequence s) {
        int n = 0;
        boolean in = false;
        for (int i = 0; i < s.length(); ) {
            int c = Character.codePointAt(s, i);
            int next = i + Character.charCount(c);
            boolean joiner = c == '\'' || c == '’' || c == '-';
            boolean word = Character.isLetterOrDigit(c)
                    || in && joiner && next < s.length() && Character.isLetterOrDigit(Character.codePointAt(s, next));
            if (word && !in) n++;
            in = word;
            i = next;
        }
        return n;
    }

    public static int characters(CharSequence s) {
        return Character.codePointCount(s, 0, s.length());
    }
}
