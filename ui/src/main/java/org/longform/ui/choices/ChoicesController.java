package org.longform.ui.choices;

import static java.time.Duration.ofMillis;

import java.util.Arrays;
import java.util.function.Supplier;
import javafx.animation.PauseTransition;
import javafx.geometry.BoundingBox;
import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.MenuItem;
import javafx.stage.Popup;
import javafx.stage.Window;
import javafx.util.Duration;
import org.fxmisc.richtext.StyleClassedTextArea;
import org.fxmisc.richtext.event.MouseOverTextEvent;
import org.longform.engine.gen.TokenChoice;
import org.longform.engine.sample.Alternative;
import org.longform.ui.app.GenerationController;
import org.longform.ui.app.StorySession;
import org.longform.ui.gen.TextGenerator;
import org.longform.ui.story.Span;
import org.longform.ui.story.StoryChoices;

/**
 * The model's choices in the editor: hovering a generated token (or Alt+Down at the caret) shows its
 * alternatives ({@link ChoicePopup}); choosing one regenerates the rest of that generation from it, and
 * "Retry this span" regenerates any generated span in place. Both go through
 * {@link GenerationController#regenerate}, so each is one undo step. FX thread only.
 */
public final class ChoicesController {
    private final GenerationController gen;
    private final Supplier<TextGenerator> model;
    private final ChoicePopup popup = new ChoicePopup();
    private final PauseTransition hideLater = new PauseTransition(Duration.millis(400));

    public ChoicesController(GenerationController gen, Supplier<TextGenerator> model) {
        this.gen = gen;
        this.model = model;
        hideLater.setOnFinished(e -> {
            if (!popup.content().isHover()) popup.popup().hide();
        });
    }

    /** Hover and the context menu for one story's editor; {@code menu} gives the context menu's items. */
    public void attach(StorySession s, MenuItem... menu) {
        StyleClassedTextArea area = s.editor().area();
        area.setMouseOverTextDelay(ofMillis(600));
        area.addEventHandler(MouseOverTextEvent.MOUSE_OVER_TEXT_BEGIN, e -> {
            if (gen.generatingProperty().get() || popup.popup().isShowing()) return;
            ChoiceStore.Hit hit = s.choices().at(e.getCharacterIndex());
            if (hit == null) return; // only tokens with alternatives pop up on hover
            int c = e.getCharacterIndex();
            Point2D p = e.getScreenPosition();
            show(s, c, area.getCharacterBoundsOnScreen(c, c + 1).orElse(new BoundingBox(p.getX(), p.getY(), 1, 1)));
        });
        area.addEventHandler(MouseOverTextEvent.MOUSE_OVER_TEXT_END, e -> hideLater.playFromStart());
        if (menu.length > 0) {
            ContextMenu cm = new ContextMenu(menu);
            area.setContextMenu(cm);
            // The actions work at the caret: a right-click puts it where the writer clicked.
            area.setOnContextMenuRequested(
                    e -> area.hit(e.getX(), e.getY()).getCharacterIndex().ifPresent(area::moveTo));
        }
    }

    /** The pop-up for the token at the caret (the one before it when the caret ends a token). */
    public void showAtCaret(StorySession s) {
        if (s == null) return;
        StyleClassedTextArea area = s.editor().area();
        int caret = area.getCaretPosition();
        int pos = s.choices().at(caret) == null && caret > 0 ? caret - 1 : caret;
        Bounds b = area.getCaretBounds().orElseGet(() -> area.localToScreen(area.getBoundsInLocal()));
        show(s, pos, b);
        if (!popup.content().getChildren().isEmpty())
            popup.content().lookupAll(".button").stream()
                    .filter(n -> !n.isDisabled())
                    .findFirst()
                    .ifPresent(Node::requestFocus);
    }

    /** Shows what is known about the model's choice at char {@code pos}, below (or above) {@code text} on screen. */
    public void show(StorySession s, int pos, Bounds text) {
        popup.popup().hide();
        ChoiceStore.Hit hit = s.choices().at(pos);
        TextGenerator g = model.get();
        if (hit != null && g != null) {
            TokenChoice c = hit.token().choice();
            popup.showToken(
                    c.chosen(),
                    c.top(),
                    id -> g.decode(new int[] {id}),
                    a -> choose(s, hit, a),
                    () -> retrySpan(s, hit.start()));
        } else {
            ChoiceStore.Run run = s.choices().runAt(pos);
            popup.showMessage(
                    run != null && !run.reported()
                            ? "The model's server did not report alternatives for this text (it sent no"
                                    + " logprobs). Retry the span to get another version."
                            : generatedSpan(s, pos) != null
                                    ? "No alternatives are kept for this text: they are kept for generated"
                                            + " text until it is edited, and the story file keeps those of the"
                                            + " newest " + StoryChoices.MAX_TOKENS + " tokens."
                                    : "This is not generated text: nothing to choose from here.");
        }
        Window w = s.editor().area().getScene().getWindow();
        Popup p = popup.popup();
        p.show(w, text.getMinX(), text.getMaxY() + 4);
        // Above the text when it would run past the window's bottom (a generation usually ends the view).
        if (p.getY() + p.getHeight() > w.getY() + w.getHeight() && text.getMinY() - p.getHeight() - 4 >= w.getY())
            p.setY(text.getMinY() - p.getHeight() - 4);
    }

    /** Regenerates from the hit token with {@code alt} in its place (the cache kept up to it). */
    public void choose(StorySession s, ChoiceStore.Hit hit, Alternative alt) {
        TextGenerator g = model.get();
        if (g == null || gen.generatingProperty().get()) return;
        String lead = g.decode(new int[] {alt.id()});
        if (lead.isEmpty() || lead.indexOf('\uFFFD') >= 0) return;
        ChoiceStore.Run run = hit.run();
        int[] before = run.idsBefore(hit.index());
        int[] ids = Arrays.copyOf(before, before.length + 1);
        ids[before.length] = alt.id();
        TokenChoice c = hit.token().choice();
        gen.regenerate(
                s,
                hit.start(),
                run.end(),
                lead,
                new TokenChoice(c.index(), 0, alt, c.top()),
                new ChoiceStore.Pin(run.start(), ids));
    }

    /** Regenerates the generated span at (or ending at) the caret in place; the text after it stays. */
    public void retrySpanAtCaret(StorySession s) {
        if (s != null) retrySpan(s, s.editor().area().getCaretPosition());
    }

    void retrySpan(StorySession s, int pos) {
        if (gen.generatingProperty().get()) return;
        // This session's generation there gives the exact extent; the style's span may run on over the
        // paragraph break after the text (a line break takes the style of the text before it).
        ChoiceStore.Run run = s.choices().runAt(pos);
        if (run == null) run = s.choices().runAt(pos - 1);
        Span span = run != null ? new Span(run.start(), run.end()) : generatedSpan(s, pos);
        if (span != null) gen.regenerate(s, span.start(), span.end(), "", null, null);
    }

    /** The generated span holding char {@code pos}, or ending right at it (the caret after a generation). */
    static Span generatedSpan(StorySession s, int pos) {
        Span end = null;
        for (Span sp : s.editor().generatedSpans()) {
            if (pos >= sp.start() && pos < sp.end()) return sp;
            if (pos == sp.end()) end = sp;
        }
        return end;
    }

    /** The pop-up, for tests and screenshots. */
    public Popup popup() {
        return popup.popup();
    }
}
