package org.longform.ui.app;

import java.util.List;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;

/**
 * A non-modal message strip above the editor (errors, crash recovery): it never blocks writing and
 * is easy to read in a screenshot or a test. Extra buttons carry the choices.
 */
public final class NoticeBar extends HBox {
    private final Label text = new Label();
    private final HBox buttons = new HBox(6);

    public NoticeBar() {
        setId("notice");
        text.setId("notice-text");
        text.setWrapText(true);
        text.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(text, Priority.ALWAYS);
        setSpacing(8);
        setPadding(new Insets(6, 10, 6, 10));
        setAlignment(Pos.CENTER_LEFT);
        getStyleClass().add("notice");
        Button close = new Button("✕");
        close.setId("notice-close");
        close.setMinWidth(Region.USE_PREF_SIZE);
        // The message wraps; the buttons never shrink (they were drawn as "…" at 1280-1600 px).
        buttons.setMinWidth(Region.USE_PREF_SIZE);
        close.setOnAction(e -> hide());
        getChildren().addAll(text, buttons, close);
        hide();
    }

    public void error(String message) {
        show(message, "notice-error");
    }

    public void info(String message) {
        show(message, "notice-info");
    }

    /**
     * Shows the message; what is already shown is left alone (an offer re-made on every recount must
     * not restyle or rebuild the bar: that re-runs its CSS and repaints it each time).
     */
    public void show(String message, String styleClass, Button... choices) {
        text.setText(message);
        if (!getStyleClass().contains(styleClass)) {
            getStyleClass().removeAll("notice-error", "notice-info");
            getStyleClass().add(styleClass);
        }
        for (Button b : choices) b.setMinWidth(Region.USE_PREF_SIZE);
        if (!buttons.getChildren().equals(List.of(choices)))
            buttons.getChildren().setAll(choices);
        setVisible(true);
        setManaged(true);
    }

    public void hide() {
        setVisible(false);
        setManaged(false);
        buttons.getChildren().clear();
    }

    public String message() {
        return isVisible() ? text.getText() : "";
    }
}
