package org.longform.ui.gen;

/** Progress of a generation; called on the generator's worker thread. */
public interface GenListener {
    default void onPrefill(int done, int total) {}

    default void onToken(int id, String text) {}
}
