package org.longform.engine.sample;

/**
 * One candidate for a generated token, as the writer sees it in the alternatives pop-up.
 *
 * @param id          the token id
 * @param probability the model's probability of the token: the softmax at temperature 1 of the logits after
 *                    logit bias, DRY, the repetition penalty and banned phrases (what the filters judged), over
 *                    the whole vocabulary
 * @param kept        whether the sampler's filters (top-k, typical, top-p, min-p, XTC; greedy keeps only the best)
 *                    left the token in the draw
 */
public record Alternative(int id, double probability, boolean kept) {}
