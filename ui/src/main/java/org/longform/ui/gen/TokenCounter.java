package org.longform.ui.gen;

/** Turns text into the model's token ids and back. Must be safe to call from any thread. */
public interface TokenCounter {
    int[] encode(String text);

    String decode(int[] ids);
}
