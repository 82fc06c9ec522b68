package org.longform.ui.tools;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import org.fxmisc.richtext.StyleClassedTextArea;

/**
 * Applies {@link EditorPrefs} to a story editor: font and size as an inline style (it beats the
 * theme's), the text column as side padding that follows the window's width, and line spacing as
 * a tiny per-editor stylesheet (the spacing belongs to RichTextFX's paragraph TextFlows, which an
 * inline style on the area cannot reach).
 */
public final class EditorLook {
    private static final String PREFS = "longform.editor-prefs";
    private static final double MIN_SIDE = 28;

    private EditorLook() {}

    public static void apply(StyleClassedTextArea area, EditorPrefs p) {
        boolean first = !area.getProperties().containsKey(PREFS);
        area.getProperties().put(PREFS, p);
        if (first) area.widthProperty().addListener((o, a, w) -> restyle(area));
        restyle(area);
        double extra = (p.lineSpacing() - 1.0) * p.fontSize() * 1.2; // 1.2: a line is about 1.2 em high
        String css = ".paragraph-text { -fx-line-spacing: " + fmt(extra) + "px; }";
        area.getStylesheets()
                .setAll("data:text/css;base64,"
                        + Base64.getEncoder().encodeToString(css.getBytes(StandardCharsets.UTF_8)));
    }

    /** The side padding that centres a column of {@code textWidth} px (or the default margins). */
    static double sidePadding(double areaWidth, int textWidth) {
        if (textWidth <= 0 || areaWidth <= 0) return MIN_SIDE;
        return Math.max(MIN_SIDE, (areaWidth - textWidth) / 2);
    }

    private static void restyle(StyleClassedTextArea area) {
        EditorPrefs p = (EditorPrefs) area.getProperties().get(PREFS);
        StringBuilder s = new StringBuilder();
        if (p.fontFamily() != null) {
            s.append("-fx-font-family: \"")
                    .append(p.fontFamily().replace("\"", ""))
                    .append("\"; ");
        }
        s.append("-fx-font-size: ").append(fmt(p.fontSize())).append("px; ");
        double side = sidePadding(area.getWidth(), p.textWidth());
        s.append("-fx-padding: 16 ")
                .append(fmt(side))
                .append(" 16 ")
                .append(fmt(side))
                .append(';');
        String style = s.toString();
        if (!style.equals(area.getStyle())) area.setStyle(style);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
