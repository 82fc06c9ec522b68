package org.longform.engine.runtime;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.longform.engine.Fixtures;
import org.longform.engine.model.Model;

/** Prefix reuse, truncation and eviction keep logits identical to a fresh computation. */
class SessionReuseTest {
    static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(Fixtures.modelDir("tiny-mpt-4h"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static int[] ids(int n, int seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = 2 + r.nextInt(50000);
        return a;
    }

    /** Different chunk and block sizes sum in a different order: equal up to float rounding. */
    static void assertSameLogits(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-4, what + " logit " + i);
    }

    static float[] fresh(int[] prompt) {
        try (Session s = Session.open(model, EngineOptions.defaults().withBlockSize(16))) {
            return s.feed(prompt).clone();
        }
    }

    @Test
    void syncRecomputesOnlyTheChangedSuffix() {
        int[] a = ids(300, 1);
        try (Session s =
                Session.open(model, EngineOptions.defaults().withBlockSize(16).withChunkSize(64))) {
            s.sync(a, null, null);
            assertEquals(300, s.lastRecomputed());
            // the writer edits the last 20 tokens and adds 10
            int[] b = Arrays.copyOf(a, 310);
            int[] tail = ids(30, 2);
            System.arraycopy(tail, 0, b, 280, 30);
            float[] got = s.sync(b, null, null).clone();
            assertEquals(30, s.lastRecomputed());
            assertSameLogits(fresh(b), got, "after edit");
            // same prompt again: the cache holds it with its last token's logits, nothing is recomputed
            got[0] += 1; // a caller may change the returned logits in place (banned phrases, sampling)
            s.lastLogits()[1] += 1;
            float[] again = s.sync(b, null, null).clone();
            assertEquals(0, s.lastRecomputed());
            assertSameLogits(fresh(b), again, "same prompt again, logits untouched by the caller's changes");
            // a shorter prompt that is a prefix: nothing but its last token
            float[] shorter = s.sync(Arrays.copyOf(b, 200), null, null).clone();
            assertEquals(1, s.lastRecomputed());
            assertSameLogits(fresh(Arrays.copyOf(b, 200)), shorter, "prefix");
            assertEquals(200, s.length());
        }
    }

    @Test
    void evictionThenFeedingMatchesWhenAlignedOrNot() {
        int[] a = ids(200, 3);
        for (int block : new int[] {16, 7, 64}) {
            for (int[] range : new int[][] {{16, 80}, {10, 77}, {0, 5}, {150, 199}}) {
                try (Session s1 = Session.open(model, EngineOptions.defaults().withBlockSize(block));
                        Session s2 =
                                Session.open(model, EngineOptions.defaults().withBlockSize(16))) {
                    s1.feed(a);
                    s1.evict(range[0], range[1]);
                    assertEquals(200 - (range[1] - range[0]), s1.length());
                    float[] x = s1.feed(7, 8, 9).clone();
                    // oracle: same eviction on a cache with another block size (page-aligned path vs copy path)
                    s2.feed(a);
                    s2.evict(range[0], range[1]);
                    float[] y = s2.feed(7, 8, 9);
                    assertSameLogits(y, x, "block " + block + " evict " + Arrays.toString(range));
                    int[] t = s1.tokens();
                    assertEquals(a[range[1]], t[range[0]]);
                }
            }
        }
    }

    @Test
    void contextFullIsAClearError() {
        var opts = EngineOptions.defaults().withBlockSize(16).withKvBudget(16L * 2 * 2 * 64 * 4 * 4); // 64 tokens
        try (Session s = Session.open(model, opts)) {
            s.feed(ids(60, 4));
            ContextFullException e = assertThrows(ContextFullException.class, () -> s.feed(ids(10, 5)));
            assertTrue(e.getMessage().contains("64 tokens"), e.getMessage());
            assertEquals(60, s.length(), "a refused chunk leaves the cache as it was");
            s.feed(1, 2, 3, 4);
            assertEquals(64, s.length());
        }
    }

    @Test
    void cancelledFeedStopsBetweenChunks() {
        try (Session s = Session.open(model, EngineOptions.defaults().withChunkSize(32))) {
            int[] calls = {0};
            float[] r = s.feed(ids(200, 6), 0, 200, null, (done, total) -> calls[0]++, () -> calls[0] >= 2);
            assertNull(r);
            assertEquals(64, s.length());
        }
    }
}
