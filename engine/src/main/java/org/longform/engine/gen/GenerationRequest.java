package org.longform.engine.gen;

import org.longform.engine.runtime.Session;
import org.longform.engine.sample.SamplerSettings;

/**
 * One continuation request.
 *
 * @param promptIds the whole prompt (memory, world info, story, author's note...) as token ids
 * @param sampler   sampling and stopping settings
 * @param window    most tokens in the model's view at once; 0 = all the KV budget holds
 * @param keep      tokens at the start of the prompt pinned in view when the story outgrows the window
 * @param reuse     after an edit in the middle: recompute from the edit (EXACT, the default) or keep
 *                  the unchanged text's K and V after it (APPROXIMATE)
 */
public record GenerationRequest(int[] promptIds, SamplerSettings sampler, int window, int keep, Session.Reuse reuse) {
    public GenerationRequest {
        if (promptIds == null || promptIds.length == 0) throw new IllegalArgumentException("the prompt is empty");
        if (window < 0) throw new IllegalArgumentException("window must be >= 0");
        if (keep < 0) throw new IllegalArgumentException("keep must be >= 0");
        if (reuse == null) reuse = Session.Reuse.EXACT;
    }

    public GenerationRequest(int[] promptIds, SamplerSettings sampler, int window, int keep) {
        this(promptIds, sampler, window, keep, Session.Reuse.EXACT);
    }

    public GenerationRequest(int[] promptIds, SamplerSettings sampler) {
        this(promptIds, sampler, 0, 0);
    }

    public GenerationRequest withReuse(Session.Reuse r) {
        return new GenerationRequest(promptIds, sampler, window, keep, r);
    }
}
