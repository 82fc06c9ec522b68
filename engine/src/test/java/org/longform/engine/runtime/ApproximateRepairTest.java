package org.longform.engine.runtime;

import static org.junit.jupiter.api.Assertions.*;
import static org.longform.engine.runtime.LongContextSessionTest.slot;
import static org.longform.engine.runtime.LongContextSessionTest.splice;
import static org.longform.engine.runtime.SessionReuseTest.ids;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.Fixtures;
import org.longform.engine.context.KvFile;
import org.longform.engine.context.KvStore;
import org.longform.engine.model.Model;

/** Tracking of approximate slots after an approximate reuse, and their exact repair in place. */
class ApproximateRepairTest {
    static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(Fixtures.modelDir("tiny-mpt-4h"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static final int[] STORY = ids(400, 71);
    /** 30 tokens at 100 became 20: the cache keeps the 270 tokens after the edit approximately, from slot 120. */
    static final int[] EDITED = splice(STORY, 100, 130, ids(20, 72));

    /** Scalar backend: bit comparisons must not depend on when C2 compiles the vector kernels. */
    static CpuSession session() {
        return new CpuSession(
                model,
                EngineOptions.defaults().withBlockSize(16).withChunkSize(32).withBackend("scalar"));
    }

    static CpuSession approximate() {
        CpuSession s = session();
        s.sync(STORY, null, null);
        s.sync(EDITED, Session.Reuse.APPROXIMATE, null, null);
        assertEquals(269, s.lastApproximate());
        assertEquals(120, s.approximateFrom());
        return s;
    }

    static CpuSession fresh() {
        CpuSession s = session();
        s.sync(EDITED, null, null);
        assertEquals(-1, s.approximateFrom());
        return s;
    }

    static void assertSlots(CpuSession want, CpuSession got, int from, int to, String what) {
        for (int i = from; i < to; i++) {
            assertArrayEquals(slot(want.cache(), i), slot(got.cache(), i), what + ": slot " + i);
        }
    }

    /** Greedy generation on both: the same tokens and bit-identical logits at every step. */
    static void assertSameGeneration(CpuSession want, CpuSession got, int steps) {
        float[] a = want.lastLogits().clone(), b = got.lastLogits().clone();
        for (int i = 0; i < steps; i++) {
            assertArrayEquals(a, b, "logits at generated token " + i);
            int next = Fixtures.argmax(a, 0, a.length);
            a = want.feed(next).clone();
            b = got.feed(next).clone();
        }
    }

    @Test
    void aCompletedRepairGivesWhatAFreshPrefillGives() {
        try (CpuSession s = approximate();
                CpuSession fresh = fresh()) {
            assertFalse(Arrays.equals(fresh.lastLogits(), s.lastLogits()), "sanity: the reused tail is approximate");
            List<int[]> progress = new ArrayList<>();
            assertTrue(s.repair((d, t) -> progress.add(new int[] {d, t}), null));
            assertEquals(-1, s.approximateFrom());
            assertEquals(9, progress.size(), "270 slots in chunks of 32");
            assertArrayEquals(new int[] {270, 270}, progress.getLast());
            assertArrayEquals(EDITED, s.tokens());
            assertSlots(fresh, s, 0, EDITED.length, "repaired");
            assertArrayEquals(fresh.lastLogits(), s.lastLogits(), "last logits");
            assertSameGeneration(fresh, s, 10);
            assertTrue(s.repair(null, null), "nothing left to repair");
        }
    }

    @Test
    void aCancelledRepairKeepsWhatItRepairedAndResumesThere(@TempDir Path dir) throws IOException {
        try (CpuSession s = approximate();
                CpuSession fresh = fresh();
                CpuSession old = approximate()) {
            int[] chunks = {0};
            assertFalse(s.repair((d, t) -> chunks[0]++, () -> chunks[0] >= 2));
            assertEquals(120 + 64, s.approximateFrom(), "two chunks of 32 repaired");
            assertEquals(EDITED.length, s.length(), "the sequence is whole");
            assertArrayEquals(EDITED, s.tokens());
            assertSlots(fresh, s, 0, 184, "exact up to where it stopped");
            assertSlots(old, s, 184, EDITED.length, "approximate after");
            assertArrayEquals(old.lastLogits(), s.lastLogits(), "the last logits are still the approximate ones");

            // saved and restored elsewhere, the store remembers where the approximate slots begin
            try (KvStore store = new KvStore(dir);
                    CpuSession back = session()) {
                s.saveKv(store);
                KvFile.Restore r = back.loadKv(store, EDITED);
                assertTrue(r.used(), r.reason());
                assertEquals(184, r.approximateFrom());
                assertEquals(184, back.approximateFrom());
                back.sync(EDITED, null, null); // recomputes the last token: still after approximate slots
                assertEquals(184, back.approximateFrom());
                assertTrue(back.repair(null, null));
                assertSlots(fresh, back, 0, EDITED.length, "repaired after a restore");
                assertArrayEquals(fresh.lastLogits(), back.lastLogits());
                // a restore of a prefix that ends before the approximate slots is exact
                try (CpuSession part = session()) {
                    assertTrue(part.loadKv(store, Arrays.copyOf(EDITED, 150)).used());
                    assertEquals(150, part.length());
                    assertEquals(-1, part.approximateFrom());
                    assertTrue(part.loadKv(store, Arrays.copyOf(EDITED, 200)).used());
                    assertEquals(184, part.approximateFrom());
                }
            }
            // resumed in place
            chunks[0] = 0;
            assertTrue(s.repair((d, t) -> chunks[0]++, null));
            assertEquals(7, chunks[0], "the 206 slots left, in chunks of 32");
            assertSlots(fresh, s, 0, EDITED.length, "resumed");
            assertArrayEquals(fresh.lastLogits(), s.lastLogits());
            assertSameGeneration(fresh, s, 10);
        }
    }

    /** On the vector backend chunks sum in another order: equal up to the rounding SessionReuseTest allows. */
    @Test
    void repairOnTheVectorBackendMatchesAFreshPrefill() {
        EngineOptions o = EngineOptions.defaults().withBlockSize(7).withChunkSize(48);
        try (CpuSession s = new CpuSession(model, o);
                CpuSession fresh = new CpuSession(model, o)) {
            s.sync(STORY, null, null);
            s.sync(EDITED, Session.Reuse.APPROXIMATE, null, null);
            assertEquals(120, s.approximateFrom());
            assertTrue(s.repair(null, null));
            SessionReuseTest.assertSameLogits(fresh.sync(EDITED, null, null).clone(), s.lastLogits(), "repaired");
        }
    }

    @Test
    void approximateFromFollowsShiftsSyncsResetsAndSavedFiles(@TempDir Path dir) throws IOException {
        try (CpuSession s = approximate()) {
            s.evict(10, 50); // a context shift before the approximate slots: they move down
            assertEquals(80, s.approximateFrom());
            s.evict(90, 100); // after: unchanged
            assertEquals(80, s.approximateFrom());
            s.evict(70, 85); // across the first approximate slot: what followed the span saw it
            assertEquals(70, s.approximateFrom());
            int n = s.length();
            s.evict(60, n); // every approximate slot gone
            assertEquals(-1, s.approximateFrom());
        }
        try (CpuSession s = approximate()) {
            int[] more = Arrays.copyOf(EDITED, EDITED.length + 5);
            s.sync(more, null, null); // text appended: the new slots saw approximate ones
            assertEquals(5, s.lastRecomputed());
            assertEquals(120, s.approximateFrom());
            int[] cut = splice(more, 200, more.length, ids(3, 73));
            s.sync(cut, null, null); // exact recompute from 200: slots 120-199 stay approximate
            assertEquals(120, s.approximateFrom());
            s.sync(splice(cut, 110, cut.length, ids(3, 74)), null, null); // exact from before 120
            assertEquals(-1, s.approximateFrom());
        }
        try (CpuSession s = approximate()) {
            s.reset();
            assertEquals(-1, s.approximateFrom());
        }
        try (CpuSession s = session()) { // a cancelled approximate edit leaves an exact cache exact
            s.sync(STORY, null, null);
            assertNull(s.sync(EDITED, Session.Reuse.APPROXIMATE, null, () -> true));
            assertEquals(-1, s.approximateFrom());
            assertEquals(100, s.length());
        }
        // the single-file format keeps it too (files written before it read as exact)
        Path file = dir.resolve("story.longform-kv");
        try (CpuSession s = approximate();
                CpuSession back = session();
                CpuSession exact = fresh()) {
            s.saveKv(file);
            KvFile.Restore r = back.loadKv(file, null);
            assertTrue(r.used(), r.reason());
            assertEquals(120, back.approximateFrom());
            assertTrue(back.loadKv(file, Arrays.copyOf(EDITED, 120)).used());
            assertEquals(-1, back.approximateFrom());
            exact.saveKv(file);
            assertTrue(back.loadKv(file, null).used());
            assertEquals(-1, back.approximateFrom());
        }
    }
}
