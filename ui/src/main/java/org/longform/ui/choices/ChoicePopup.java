package org.longform.ui.choices;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.Popup;
import org.longform.engine.sample.Alternative;

/**
 * The pop-up over a generated token: the token, its probability, and the alternatives the model weighed,
 * each with a bar; a click (or Enter) on another one regenerates from there. Built fresh for each token;
 * a text-only message where there are no alternatives to show.
 */
public final class ChoicePopup {
    static final String ID = "alternatives-popup";
    /** Style class of the row of the token the model drew. */
    public static final String CHOSEN = "alternative-chosen";

    private final Popup popup = new Popup();
    private final VBox box = new VBox(4);

    ChoicePopup() {
        box.setId(ID);
        box.getStyleClass().add("alternatives-popup");
        // Inline so that it reads in both themes without touching the shared style sheets.
        box.setStyle("-fx-background-color: -fx-control-inner-background; -fx-border-color: -fx-box-border;"
                + " -fx-padding: 8; -fx-background-radius: 4; -fx-border-radius: 4;"
                + " -fx-effect: dropshadow(gaussian, rgba(0,0,0,0.25), 8, 0, 0, 2);");
        box.setMinWidth(300);
        popup.getContent().add(box);
        popup.setAutoHide(true);
        popup.setHideOnEscape(true);
    }

    Popup popup() {
        return popup;
    }

    VBox content() {
        return box;
    }

    /**
     * Fills the pop-up for a token: {@code chosen} with the {@code top} alternatives; {@code text} names a
     * token id's text; {@code onChoose} gets the alternative picked (never the chosen one).
     */
    void showToken(
            Alternative chosen,
            List<Alternative> top,
            IntFunction<String> text,
            Consumer<Alternative> onChoose,
            Runnable onRetrySpan) {
        box.getChildren().clear();
        Label head = new Label(String.format("%s  ·  %s", visible(text.apply(chosen.id())), percent(chosen)));
        head.setId("alternatives-token");
        head.setStyle("-fx-font-weight: bold;");
        Label note = new Label("The model's odds (temperature 1); grey: removed by the sampler's filters");
        note.setStyle("-fx-font-size: 0.85em; -fx-opacity: 0.75;");
        box.getChildren().addAll(head, note);
        List<Alternative> rows = new ArrayList<>(top);
        if (rows.stream().noneMatch(a -> a.id() == chosen.id())) rows.add(chosen);
        double best = rows.stream().mapToDouble(Alternative::probability).max().orElse(1);
        for (int i = 0; i < rows.size(); i++) {
            Alternative a = rows.get(i);
            String t = text.apply(a.id());
            boolean isChosen = a.id() == chosen.id();
            boolean partial = t.indexOf('\uFFFD') >= 0; // a byte token: not a whole character on its own
            Region bar = new Region();
            bar.setMinHeight(10);
            bar.setMaxHeight(10);
            double w = best > 0 ? 120 * a.probability() / best : 0;
            bar.setMinWidth(Math.max(1, w));
            bar.setMaxWidth(Math.max(1, w));
            bar.setStyle("-fx-background-color: " + (a.kept() ? "-fx-accent" : "derive(-fx-base, -25%)") + ";");
            StackPane track = new StackPane(bar);
            track.setAlignment(Pos.CENTER_LEFT);
            track.setMinWidth(120);
            track.setPrefWidth(120);
            Label word = new Label((isChosen ? "✓ " : "   ") + visible(t));
            word.setMinWidth(110);
            HBox.setHgrow(word, Priority.ALWAYS);
            Label pct = new Label(percent(a));
            pct.setMinWidth(56);
            pct.setAlignment(Pos.CENTER_RIGHT);
            HBox row = new HBox(8, word, track, pct);
            row.setAlignment(Pos.CENTER_LEFT);
            Button b = new Button();
            b.setGraphic(row);
            b.setId("alt-" + i);
            b.setUserData(a);
            b.setMaxWidth(Double.MAX_VALUE);
            b.setAlignment(Pos.CENTER_LEFT);
            b.setStyle("-fx-background-color: transparent; -fx-padding: 1 4 1 4;"
                    + (a.kept() ? "" : " -fx-opacity: 0.6;"));
            // The chosen row reads as the answer (not greyed out like a disabled button) but does nothing.
            b.setDisable(partial);
            if (isChosen) {
                b.getStyleClass().add(CHOSEN);
                b.setMouseTransparent(true);
                b.setFocusTraversable(false);
                word.setStyle("-fx-font-weight: bold;");
            } else {
                b.setOnAction(e -> {
                    popup.hide();
                    onChoose.accept(a);
                });
            }
            box.getChildren().add(b);
        }
        Label how = new Label("Choose one to rewrite the rest of this generation from it.");
        how.setStyle("-fx-font-size: 0.85em; -fx-opacity: 0.75;");
        Button retry = new Button("Retry the whole span");
        retry.setId("alternatives-retry-span");
        retry.setOnAction(e -> {
            popup.hide();
            onRetrySpan.run();
        });
        box.getChildren().addAll(how, retry);
    }

    /** A message instead of alternatives (a remote server, or text the alternatives were dropped for). */
    void showMessage(String message) {
        box.getChildren().clear();
        Label l = new Label(message);
        l.setId("alternatives-message");
        l.setWrapText(true);
        l.setMaxWidth(320);
        box.getChildren().add(l);
    }

    /** A token's text with its spaces and line breaks visible. */
    static String visible(String t) {
        return "“" + t.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥") + "”";
    }

    static String percent(Alternative a) {
        double p = a.probability() * 100;
        return p >= 10 ? String.format("%.0f %%", p) : p >= 0.1 ? String.format("%.1f %%", p) : "<0.1 %";
    }
}
