package org.longform.ui.app;

import java.util.Objects;
import javafx.scene.Scene;

/** Light and dark themes: a base stylesheet plus a colour sheet. */
public final class Themes {
    private Themes() {}

    public static void apply(Scene scene, String theme) {
        String base = css("longform.css");
        String colours = css("dark".equals(theme) ? "dark.css" : "light.css");
        scene.getStylesheets().setAll(base, colours);
    }

    private static String css(String name) {
        return Objects.requireNonNull(Themes.class.getResource("/org/longform/ui/" + name), name)
                .toExternalForm();
    }
}
