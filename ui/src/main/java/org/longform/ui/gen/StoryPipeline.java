package org.longform.ui.gen;

import org.longform.engine.gen.CancelToken;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.TokenListener;
import org.longform.engine.runtime.Session;
import org.longform.engine.sample.SamplerSettings;
import org.longform.ui.prompt.AssembledPrompt;
import org.longform.ui.prompt.PromptAssembler;
import org.longform.ui.prompt.PromptInput;
import org.longform.ui.prompt.StoryTokens;

/**
 * One story's way to the model, shared by the editor and {@code longform replay}: the story's
 * {@link StoryTokens} (its ids stay the same between requests), the prompt assembled from them, and
 * the request that generates or warms the cache. No JavaFX: the editor calls it on its model worker.
 */
public final class StoryPipeline {
    /** What one call did: the prompt it used and the engine's result (with its cache figures). */
    public record Step(AssembledPrompt prompt, GenerationResult result) {
        public int promptTokens() {
            return result.promptTokens();
        }

        public int recomputed() {
            return result.recomputedTokens();
        }

        /** Prompt tokens whose K and V were kept (the common prefix and what a shift lined up). */
        public int reused() {
            return Math.max(0, result.promptTokens() - result.recomputedTokens());
        }
    }

    private StoryTokens tokens;

    /** The story's tokens under {@code counter}'s tokenizer (a new model with another tokenizer starts afresh). */
    public synchronized StoryTokens tokens(TokenCounter counter) {
        if (tokens == null || tokens.counter() != counter) tokens = new StoryTokens(counter);
        return tokens;
    }

    public AssembledPrompt assemble(TokenCounter counter, PromptInput in) {
        return new PromptAssembler(tokens(counter)).assemble(in);
    }

    public static GenerationRequest request(
            TextGenerator g, AssembledPrompt p, SamplerSettings s, Session.Reuse reuse) {
        return new GenerationRequest(g.promptOrStart(p.ids()), s, p.contextSize(), p.keep(), reuse);
    }

    /** Assembles and generates (model worker only). */
    public Step generate(
            TextGenerator g, PromptInput in, SamplerSettings s, Session.Reuse reuse, TokenListener l, CancelToken c) {
        return generate(g, in, assemble(g, in), s, reuse, l, c);
    }

    /** Generates from a prompt {@link #assemble}d from {@code in} (the editor shows it first). */
    public Step generate(
            TextGenerator g,
            PromptInput in,
            AssembledPrompt p,
            SamplerSettings s,
            Session.Reuse reuse,
            TokenListener l,
            CancelToken c) {
        GenerationResult r = g.generate(
                request(g, p, s, reuse), l != null ? l : TokenListener.NONE, c != null ? c : new CancelToken());
        // The story's next ids for the generated text are the ones the model wrote (and the cache holds).
        if (in.storyEnd() >= in.story().length()) tokens(g).appendGenerated(in.story(), r.text(), r.ids());
        return new Step(p, r);
    }

    /** Assembles and brings the cache up to the prompt without generating; null without a local cache. */
    public Step warm(
            TextGenerator g, PromptInput in, SamplerSettings s, Session.Reuse reuse, TokenListener l, CancelToken c) {
        AssembledPrompt p = assemble(g, in);
        GenerationResult r = g.prefill(
                request(g, p, s, reuse), l != null ? l : TokenListener.NONE, c != null ? c : new CancelToken());
        return r == null ? null : new Step(p, r);
    }
}
