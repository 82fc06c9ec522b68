package org.longform.engine.gen;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.longform.engine.Assets;
import org.longform.engine.Fixtures;
import org.longform.engine.model.Model;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.sample.SamplerSettings;
import org.longform.engine.token.Tokenizer;

/** The editor's cache paths: a stepped, cancellable prefill, and a shift with parts placed at depth. */
class PrefillAndShiftTest {
    static Model model;
    static Tokenizer tok;

    @BeforeAll
    static void load() {
        model = Model.load(Fixtures.modelDir("tiny-mpt-4h"));
        tok = Tokenizer.load(Assets.tokenizer());
    }

    @AfterAll
    static void close() {
        tok.close();
        model.close();
    }

    static Generator gen() {
        return new Generator(model, tok, EngineOptions.defaults().withBlockSize(16));
    }

    static int[] ids(int n, long seed) {
        Random r = new Random(seed);
        int v = Math.min(model.config().vocabSize(), 50_000);
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = 10 + r.nextInt(v - 10);
        return a;
    }

    static int[] cat(int[]... parts) {
        int n = 0;
        for (int[] p : parts) n += p.length;
        int[] out = new int[n];
        int o = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    @Test
    void cancelledPrefillKeepsItsWorkAndTheGenerationIsExact() {
        int[] prompt = ids(300, 1);
        SamplerSettings greedy = SamplerSettings.greedy().withMaxTokens(12);
        GenerationRequest req = new GenerationRequest(prompt, greedy, 512, 0);
        int[] fresh;
        try (Generator g = gen()) {
            fresh = g.generate(req, null, null).ids();
        }
        try (Generator g = gen()) {
            CancelToken c = new CancelToken();
            AtomicInteger seen = new AtomicInteger();
            GenerationResult p = g.prefill(
                    req,
                    new TokenListener() {
                        @Override
                        public void onPrefill(int done, int total) {
                            assertEquals(300, total);
                            seen.set(done);
                            if (done >= 100) c.cancel();
                        }
                    },
                    c,
                    50);
            assertEquals(StopReason.CANCELLED, p.reason());
            int kept = g.session().length();
            assertTrue(kept >= 100 && kept < 300, "the cancelled prefill keeps what it computed: " + kept);
            GenerationResult done = g.prefill(req, null, null, 64);
            assertEquals(StopReason.MAX_TOKENS, done.reason());
            assertEquals(300 - kept, done.recomputedTokens(), "the next prefill continues where the last stopped");
            GenerationResult r = g.generate(req, null, null);
            assertEquals(0, r.recomputedTokens(), "the warmed prompt is cached with its logits: nothing is fed again");
            assertArrayEquals(fresh, r.ids(), "same tokens as a fresh run");
        }
    }

    @Test
    void shiftWithPartsAtDepthRecomputesOnlyTheDepth() {
        int[] memory = ids(20, 2), story = ids(600, 3), note = ids(15, 4);
        int depth = 40;
        // Layout as the editor's assembler: memory, story head, note, last `depth` story tokens.
        int[] first = cat(
                memory, Arrays.copyOfRange(story, 0, 400 - depth), note, Arrays.copyOfRange(story, 400 - depth, 400));
        int[] later = cat(
                memory, Arrays.copyOfRange(story, 150, 600 - depth), note, Arrays.copyOfRange(story, 600 - depth, 600));
        SamplerSettings one = SamplerSettings.greedy().withMaxTokens(1);
        try (Generator g = gen()) {
            g.prefill(new GenerationRequest(first, one, 1024, memory.length), null, null, 1000);
            ContextShift.Plan plan = ContextShift.plan(g.session().tokens(), later, memory.length);
            assertNotNull(plan);
            assertEquals(memory.length, plan.at());
            assertEquals(150, plan.gap(), "the oldest 150 story tokens leave");
            assertEquals(400 - depth - 150, plan.run(), "the story up to the old note lines up");
            int reusable = ContextShift.reusable(g.session().tokens(), later, memory.length);
            GenerationResult r = g.prefill(new GenerationRequest(later, one, 1024, memory.length), null, null, 1000);
            assertEquals(150, r.shiftedTokens());
            assertEquals(later.length - reusable, r.recomputedTokens(), "the prediction the context bar shows");
            assertEquals(200 + depth + note.length + depth - depth, r.recomputedTokens(), "new story + note + depth");
        }
    }

    @Test
    void noShiftWithoutALongRunAfterTheGap() {
        int[] a = ids(100, 5), b = ids(100, 6);
        assertNull(ContextShift.plan(a, b, 0));
        int[] c = cat(Arrays.copyOf(a, 10), Arrays.copyOfRange(a, 20, 40), ids(50, 7));
        assertNull(ContextShift.plan(a, c, 0), "a 20-token run is too short to trust");
    }

    @Test
    void partsAtDepthThatMoveAreNeverShiftedPast() {
        // Cache after a generation: story head, world info + note (D), the depth tokens, the generated tokens.
        // The next prompt has D after the generated text. Nothing in it is an old span to drop: exact reuse
        // must keep the common prefix and recompute from there, never evict D and keep what followed it.
        int[] s = ids(2000, 8), d = ids(33, 9);
        int a = 1400;
        int[] cached = cat(Arrays.copyOf(s, a), d, Arrays.copyOfRange(s, a, a + 500));
        int[] prompt = cat(Arrays.copyOf(s, a + 400), d, Arrays.copyOfRange(s, a + 400, a + 500));
        assertNull(ContextShift.plan(cached, prompt, 0), "no keep named");
        assertNull(ContextShift.plan(cached, prompt, 12));
        // Repetitive text (a story that repeats a phrase) must not line up a bogus run to the end either.
        int[] rep = new int[2000];
        for (int i = 0; i < rep.length; i++) rep[i] = 100 + i % 29;
        int[] cachedRep = cat(Arrays.copyOf(rep, a), d, Arrays.copyOfRange(rep, a, a + 500));
        int[] promptRep = cat(Arrays.copyOf(rep, a + 400), d, Arrays.copyOfRange(rep, a + 400, a + 500));
        assertNull(ContextShift.plan(cachedRep, promptRep, 0), "periodic text");
    }
}
