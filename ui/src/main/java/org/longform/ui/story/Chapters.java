package org.longform.ui.story;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The manuscript's headings: Markdown {@code #} lines, and lines that name a chapter, part, book
 * or volume with a number ("CHAPTER I", "Chapter 12. The Ball", "BOOK ONE: 1805", "Book the
 * First--Recalled to Life", "Part Two"), or a prologue / epilogue. A sentence that only starts with
 * such a word ("Part of me wanted…") is not a heading: the number is required. A Roman numeral
 * alone on its line, or with a short capitalised title ("I. The Period"), heads a chapter too.
 */
public final class Chapters {
    /** One heading and the text it heads: [start, end) in the manuscript; level 1 = part/book, 2 = chapter. */
    public record Chapter(String title, int start, int end, int level) {}

    private static final String NUMBER = "(?:[0-9]+|[IVXLCDM]+|(?i:(?:the\\s+)?(?:"
            + "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
            + "seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|first|second|third|fourth|fifth|sixth|seventh|"
            + "eighth|ninth|tenth|eleventh|twelfth|last|final)(?:[- ][a-z]+)?))";
    private static final Pattern NUMBERED = Pattern.compile("(?i:(chapter|stave|part|book|volume))\\s+" + NUMBER
            + "(?![\\p{L}\\p{N}])([.:,\\-—–]+.{0,80}|\\s+[^a-z].{0,80})?");
    private static final Pattern NAMED = Pattern.compile(
            "(prologue|epilogue|preface|introduction|afterword)(?:[.:\\-—–]+.{0,80})?", Pattern.CASE_INSENSITIVE);
    // "FIRST EPILOGUE: 1813 - 20", "Second Epilogue": a part of the book, like a BOOK line.
    private static final Pattern NUMBERED_EPILOGUE = Pattern.compile(
            "(first|second|third|final)\\s+(prologue|epilogue)(?:[.:\\-—–]+.{0,80})?", Pattern.CASE_INSENSITIVE);
    // "IV", "IV.", "I. The Period" (Dickens): a Roman numeral alone on its line, or with a short capitalised title.
    private static final Pattern ROMAN = Pattern.compile("[IVXLC]{1,7}\\.?(?:\\s+[A-Z][^.!?;,]{1,60}\\.?)?");
    private static final Pattern MARKDOWN = Pattern.compile("(#{1,6})\\s+(\\S.{0,120})");

    private Chapters() {}

    /** The headings in order; empty when the manuscript has none. */
    public static List<Chapter> of(String text) {
        List<Chapter> out = new ArrayList<>();
        int lineStart = 0, n = text.length();
        List<int[]> starts = new ArrayList<>(); // {start, level}
        List<String> titles = new ArrayList<>();
        while (lineStart <= n) {
            int nl = text.indexOf('\n', lineStart);
            int lineEnd = nl < 0 ? n : nl;
            if (lineEnd - lineStart <= 130) {
                String line = text.substring(lineStart, lineEnd).strip();
                int level = levelOf(line);
                if (level > 0) {
                    starts.add(new int[] {lineStart, level});
                    titles.add(
                            line.startsWith("#")
                                    ? line.replaceFirst("^#+\\s+", "").strip()
                                    : line);
                }
            }
            if (nl < 0) break;
            lineStart = nl + 1;
        }
        for (int i = 0; i < starts.size(); i++) {
            int end = i + 1 < starts.size() ? starts.get(i + 1)[0] : n;
            out.add(new Chapter(titles.get(i), starts.get(i)[0], end, starts.get(i)[1]));
        }
        return out;
    }

    /** 0 when {@code line} (stripped) is not a heading. */
    public static int levelOf(String line) {
        if (line.isEmpty()) return 0;
        Matcher md = MARKDOWN.matcher(line);
        if (md.matches()) return md.group(1).length();
        Matcher m = NUMBERED.matcher(line);
        if (m.matches())
            return m.group(1).equalsIgnoreCase("chapter") || m.group(1).equalsIgnoreCase("stave") ? 2 : 1;
        if (NUMBERED_EPILOGUE.matcher(line).matches()) return 1;
        if (NAMED.matcher(line).matches() || ROMAN.matcher(line).matches()) return 2;
        return 0;
    }
}
