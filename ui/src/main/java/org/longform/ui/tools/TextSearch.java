package org.longform.ui.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Find and replace over plain text: match case, whole word and regular expressions. Pure
 * functions, so the bar, the tests and any panel share one definition of what matches.
 */
public final class TextSearch {
    /** How a query matches. */
    public record Options(boolean matchCase, boolean wholeWord, boolean regex) {
        public static Options plain() {
            return new Options(false, false, false);
        }
    }

    /** One match: text[start, end). */
    public record Match(int start, int end) {}

    /** A query that cannot be compiled; {@code message} is one line for the writer. */
    public static final class BadQuery extends Exception {
        public BadQuery(String message) {
            super(message);
        }
    }

    // A word boundary that also works for queries starting or ending with punctuation ("Mr." or "—").
    private static final String WORD_CHAR = "[\\p{L}\\p{N}_'’]";

    private TextSearch() {}

    /** The pattern for {@code query}, or null when the query is empty. */
    public static Pattern compile(String query, Options o) throws BadQuery {
        if (query == null || query.isEmpty()) return null;
        String body = o.regex() ? query : Pattern.quote(query);
        if (o.wholeWord()) body = "(?<!" + WORD_CHAR + ")(?:" + body + ")(?!" + WORD_CHAR + ")";
        int flags = Pattern.MULTILINE | (o.matchCase() ? 0 : Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
        try {
            return Pattern.compile(body, flags);
        } catch (PatternSyntaxException e) {
            throw new BadQuery(
                    "Bad regular expression: " + e.getDescription() + (e.getIndex() >= 0 ? " at " + e.getIndex() : ""));
        }
    }

    /** Every non-empty match, in order. */
    public static List<Match> findAll(CharSequence text, Pattern p) {
        List<Match> out = new ArrayList<>();
        if (p == null) return out;
        Matcher m = p.matcher(text);
        while (m.find()) {
            if (m.end() > m.start()) out.add(new Match(m.start(), m.end()));
        }
        return out;
    }

    /** The first match at or after {@code from}, wrapping to the start; null if none. */
    public static Match next(CharSequence text, Pattern p, int from) {
        if (p == null) return null;
        Matcher m = p.matcher(text);
        int start = Math.max(0, Math.min(from, text.length()));
        while (start <= text.length() && m.find(start)) {
            if (m.end() > m.start()) return new Match(m.start(), m.end());
            start = m.end() + 1;
        }
        return from > 0 ? next(text, p, 0) : null;
    }

    /** The last match ending at or before {@code before}, wrapping to the end; null if none. */
    public static Match previous(CharSequence text, Pattern p, int before) {
        List<Match> all = findAll(text, p);
        if (all.isEmpty()) return null;
        for (int i = all.size() - 1; i >= 0; i--) if (all.get(i).end() <= before) return all.get(i);
        return all.getLast();
    }

    /**
     * What {@code match} is replaced by: with a regular expression, $1 and \ escapes work as in
     * {@link Matcher#appendReplacement}; otherwise the replacement is literal.
     */
    public static String replacementFor(CharSequence text, Pattern p, Match match, String replacement, Options o)
            throws BadQuery {
        Matcher m = p.matcher(text);
        m.region(match.start(), text.length());
        m.useTransparentBounds(true).useAnchoringBounds(false);
        if (!m.lookingAt() || m.end() != match.end()) return null;
        StringBuilder sb = new StringBuilder();
        try {
            m.appendReplacement(sb, o.regex() ? replacement : Matcher.quoteReplacement(replacement));
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new BadQuery("Bad replacement: " + e.getMessage());
        }
        return sb.substring(match.start());
    }

    /** One replacement: text[start, end) became {@code length} characters. */
    public record Edit(int start, int end, int length) {}

    /** The result of replacing every match in {@code text}: the new text and each replacement, in order. */
    public record Replaced(String text, List<Edit> edits) {
        public int count() {
            return edits.size();
        }

        public int firstStart() {
            return edits.isEmpty() ? -1 : edits.getFirst().start();
        }

        public int lastEnd() {
            return edits.isEmpty() ? -1 : edits.getLast().end();
        }
    }

    public static Replaced replaceAll(String text, Pattern p, String replacement, Options o) throws BadQuery {
        if (p == null) return new Replaced(text, List.of());
        Matcher m = p.matcher(text);
        StringBuilder sb = new StringBuilder(text.length());
        List<Edit> edits = new ArrayList<>();
        int appended = 0; // text[0, appended) is in sb
        String r = o.regex() ? replacement : Matcher.quoteReplacement(replacement);
        try {
            while (m.find()) {
                if (m.end() == m.start()) continue;
                int before = sb.length();
                m.appendReplacement(sb, r);
                edits.add(new Edit(m.start(), m.end(), sb.length() - before - (m.start() - appended)));
                appended = m.end();
            }
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new BadQuery("Bad replacement: " + e.getMessage());
        }
        m.appendTail(sb);
        return new Replaced(sb.toString(), edits);
    }
}
