package org.longform.ui.editor;

import javafx.scene.Parent;

/**
 * Lays a virtualized control (the story area, a ListView) out before each pulse's CSS pass instead
 * of in its layout pass. Such controls build cells while they are laid out; cells built in the
 * layout pass leave their ancestors flagged for CSS after the pass has run, so JavaFX runs one more
 * pulse whose scene has nothing dirty, and a scene with no dirty region is repainted whole (the
 * window, 1280x820 pixels in software under Monocle; on the GPU too). Laid out first, the same pulse's
 * CSS pass takes the new cells in and nothing is left over.
 */
public final class LayoutBeforeCss {
    private LayoutBeforeCss() {}

    public static void install(Parent node) {
        Runnable layout = node::layout;
        if (node.getScene() != null) node.getScene().addPreLayoutPulseListener(layout);
        node.sceneProperty().addListener((o, old, scene) -> {
            if (old != null) old.removePreLayoutPulseListener(layout);
            if (scene != null) scene.addPreLayoutPulseListener(layout);
        });
    }
}
