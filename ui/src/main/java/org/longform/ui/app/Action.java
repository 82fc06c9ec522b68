package org.longform.ui.app;

import javafx.beans.binding.BooleanExpression;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TextInputControl;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;

/**
 * One command, shared by its menu item, toolbar button and shortcut, so they can never disagree
 * about what it does or whether it is enabled.
 */
public final class Action {
    private final String id;
    private final String text;
    private final KeyCombination accelerator;
    private final Runnable handler;
    private final BooleanExpression disabled;
    private boolean storyKeysOnly;

    public Action(String id, String text, String accelerator, BooleanExpression disabled, Runnable handler) {
        this.id = id;
        this.text = text;
        this.accelerator = accelerator == null ? null : KeyCombination.keyCombination(accelerator);
        this.handler = handler;
        this.disabled = disabled == null ? new SimpleBooleanProperty(false) : disabled;
    }

    /**
     * Marks the shortcut as one that text fields use themselves (undo, redo, Alt+arrows): while a
     * side-panel field has the focus the key stays with the field instead of acting on the story.
     */
    public Action storyKeysOnly() {
        storyKeysOnly = true;
        return this;
    }

    public boolean yieldsTo(Node focusOwner) {
        return storyKeysOnly && focusOwner instanceof TextInputControl;
    }

    public String id() {
        return id;
    }

    public String text() {
        return text;
    }

    public BooleanExpression disabledProperty() {
        return disabled;
    }

    public KeyCombination accelerator() {
        return accelerator;
    }

    public void run() {
        if (!disabled.get()) handler.run();
    }

    public MenuItem menuItem() {
        MenuItem m = new MenuItem(text);
        m.setId("menu-" + id);
        // Shown in the menu for discoverability; the key itself is handled by the scene filter below.
        if (accelerator != null) m.setAccelerator(accelerator);
        m.disableProperty().bind(disabled);
        m.setOnAction(e -> run());
        return m;
    }

    public Button button(String label) {
        Button b = new Button(label);
        b.setId("btn-" + id);
        b.setFocusTraversable(false);
        b.setTooltip(new Tooltip(text + (accelerator == null ? "" : " (" + accelerator.getDisplayText() + ")")));
        b.disableProperty().bind(disabled);
        b.setOnAction(e -> run());
        return b;
    }

    /**
     * Routes the shortcut through a scene event filter: the editor would otherwise consume keys like
     * Ctrl+Z or Ctrl+Enter before the menu accelerators see them.
     */
    public void installShortcut(Scene scene) {
        if (accelerator == null) return;
        scene.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (accelerator.match(e) && !disabled.get() && !yieldsTo(scene.getFocusOwner())) {
                handler.run();
                e.consume();
            }
        });
    }
}
