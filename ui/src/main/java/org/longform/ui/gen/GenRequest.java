package org.longform.ui.gen;

/**
 * One generation: the assembled prompt, the sampler, and the window/keep hints for the engine's
 * context shift (window 0 = all the cache holds; keep = pinned prefix tokens).
 */
public record GenRequest(int[] promptIds, Sampling sampling, int window, int keep) {}
