package org.longform.engine.gen;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.longform.engine.Assets;
import org.longform.engine.Fixtures;
import org.longform.engine.context.ContextMap;
import org.longform.engine.context.TokenOffsets;
import org.longform.engine.model.Model;
import org.longform.engine.runtime.ContextFullException;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.runtime.Session;
import org.longform.engine.sample.SamplerSettings;
import org.longform.engine.token.Tokenizer;

/** A writer edits a long story: what is recomputed, what is reused, what the editor can shade. */
class StoryEditTest {
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

    static final String[] WORDS = ("the keeper lamp sea storm boat night harbour letter winter light stone rope gull "
                    + "mother island wind salt bell door window old quiet cold long dark she he they walked watched waited "
                    + "remembered said climbed opened and but then because while slowly never again")
            .split(" ");

    static List<String> paragraphs(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<String> ps = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            StringBuilder sb = new StringBuilder();
            for (int s = 0; s < 4 + r.nextInt(4); s++) {
                for (int w = 0; w < 6 + r.nextInt(10); w++) {
                    String word = WORDS[r.nextInt(WORDS.length)];
                    sb.append(w == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : " " + word);
                }
                sb.append(". ");
            }
            ps.add(sb.toString().strip());
        }
        return ps;
    }

    static int[] ids(List<String> paragraphs) {
        return tok.encode(String.join("\n\n", paragraphs));
    }

    static int commonPrefix(int[] a, int[] b) {
        int i = 0;
        while (i < a.length && i < b.length && a[i] == b[i]) i++;
        return i;
    }

    static SamplerSettings greedy(int n) {
        return SamplerSettings.greedy().withMaxTokens(n);
    }

    @Test
    void editingTheLastParagraphRecomputesOnlyTheChangedSuffix() {
        List<String> story = paragraphs(60, 1);
        int[] before = ids(story);
        assertTrue(before.length > 3000, "a long story: " + before.length + " tokens");
        try (Generator g = new Generator(model, tok, EngineOptions.defaults().withBlockSize(32))) {
            GenerationResult a = g.generate(new GenerationRequest(before, greedy(4)), null, null);
            assertEquals(before.length, a.recomputedTokens());

            List<String> edited = new ArrayList<>(story);
            edited.set(
                    59, "The lamp went out, and for the first time in eleven winters the keeper did not relight it.");
            int[] after = ids(edited);
            int lastParagraph = tok.encode(story.get(59)).length;
            GenerationResult b = g.generate(new GenerationRequest(after, greedy(4)), null, null);
            assertEquals(after.length - commonPrefix(before, after), b.recomputedTokens());
            assertTrue(
                    b.recomputedTokens() <= tok.encode(edited.get(59)).length + 2,
                    b.recomputedTokens() + " recomputed for a last paragraph of " + lastParagraph + " tokens");
            assertEquals(0, b.approximateTokens());
        }
    }

    @Test
    void aLorebookChangeAtTheTopIsCheapOnlyInApproximateMode() {
        List<String> story = paragraphs(25, 2);
        List<String> lore = new ArrayList<>(story);
        lore.set(0, "World info: the lighthouse stands on Skarholm, a rock with one well and no trees.");
        int[] before = ids(story), after = ids(lore);
        int edit = tok.encode(lore.get(0)).length;
        for (Session.Reuse mode : Session.Reuse.values()) {
            try (Generator g =
                    new Generator(model, tok, EngineOptions.defaults().withBlockSize(32))) {
                g.generate(new GenerationRequest(before, greedy(2)), null, null);
                GenerationResult r = g.generate(new GenerationRequest(after, greedy(2)).withReuse(mode), null, null);
                if (mode == Session.Reuse.EXACT) {
                    assertEquals(after.length - commonPrefix(before, after), r.recomputedTokens());
                    assertTrue(r.recomputedTokens() > after.length - 5);
                } else {
                    assertTrue(
                            r.recomputedTokens() <= edit + 3,
                            "approximate: " + r.recomputedTokens() + " recomputed, entry has " + edit);
                    assertTrue(r.approximateTokens() > after.length - edit - 5, r.approximateTokens() + " kept");
                    assertArrayEquals(after, Arrays.copyOf(g.session().tokens(), after.length));
                }
            }
        }
    }

    @Test
    void contextMapShadesPinnedEvictedAndInViewText() {
        List<String> story = paragraphs(30, 3);
        String text = String.join("\n\n", story) + " — the end ✨ of part one";
        int[] ids = tok.encode(text);
        int[] offsets = TokenOffsets.charOffsets(tok, ids);
        assertEquals(text.length(), offsets[ids.length]);
        for (int i = 0; i < ids.length; i++) {
            assertTrue(offsets[i] <= offsets[i + 1]);
            String piece = tok.decode(ids, i, i + 1);
            if (!piece.contains("\uFFFD"))
                assertEquals(piece, text.substring(offsets[i], offsets[i + 1]), "token " + i);
        }
        try (Generator g = new Generator(model, tok, EngineOptions.defaults().withBlockSize(32))) {
            GenerationRequest req = new GenerationRequest(ids, greedy(50), 1024, 100);
            ContextMap map = g.contextMap(req);
            // 50 tokens of room: 974 in view, the pinned 100 and the newest 874
            assertEquals(
                    List.of(
                            new ContextMap.Span(0, 100, ContextMap.Kind.PINNED),
                            new ContextMap.Span(100, ids.length - 874, ContextMap.Kind.EVICTED),
                            new ContextMap.Span(ids.length - 874, ids.length, ContextMap.Kind.IN_VIEW)),
                    map.spans());
            assertEquals(974, map.inView());
            List<ContextMap.Span> chars = map.toChars(offsets);
            assertEquals(0, chars.get(0).start());
            assertEquals(text.length(), chars.get(2).end());
            assertEquals(offsets[100], chars.get(1).start());
            GenerationResult r = g.generate(req, null, null);
            assertEquals(ids.length + r.ids().length, r.contextMap().length());
            assertEquals(map.evicted(), r.contextMap().evicted(), "no shift needed: room was left for 50 tokens");
            // a window the budget cannot hold is refused with what fits
            var e = assertThrows(
                    ContextFullException.class,
                    () -> g.generate(new GenerationRequest(ids, greedy(5), g.contextWindow() + 1, 0), null, null));
            assertTrue(e.getMessage().contains("bytes per token"), e.getMessage());
        }
    }
}
