package org.longform.engine.gen;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.Assets;
import org.longform.engine.context.ContextMap;
import org.longform.engine.io.DType;
import org.longform.engine.kv.KvDType;
import org.longform.engine.kv.KvPool;
import org.longform.engine.model.Model;
import org.longform.engine.model.RandomModel;
import org.longform.engine.runtime.CpuSession;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.runtime.Session;
import org.longform.engine.sample.SamplerSettings;
import org.longform.engine.token.Tokenizer;

/**
 * StoryWriter's whole point: more than 84k tokens in view. A small random MPT (d 32, 2 heads,
 * 1 layer, vocab 512; ALiBi like StoryWriter) fills an 84k window, shifts past it and keeps
 * generating, within a KV budget of exactly that window.
 */
class LongContextGenerationTest {
    static final int WINDOW = 86_016, KEEP = 512, STORY = 90_000;

    @Test
    void fillShiftAndKeepGeneratingPast84kWithinTheBudget(@TempDir Path dir) throws IOException {
        RandomModel.write(new RandomModel.Shape("long", 32, 2, 1, 512), DType.F32, 7, dir);
        long t0 = System.nanoTime();
        try (Model m = Model.load(dir);
                Tokenizer tok = Tokenizer.load(Assets.tokenizer())) {
            long perToken = KvPool.bytesPerToken(m.config(), KvDType.BF16);
            long budget = perToken * WINDOW;
            EngineOptions o = EngineOptions.defaults()
                    .withKvDType(KvDType.BF16)
                    .withKvBudget(budget)
                    .withChunkSize(512)
                    .withBlockSize(64);
            try (Generator g = new Generator(m, tok, o)) {
                assertEquals(WINDOW, g.contextWindow(), "the budget holds exactly the window");
                int[] story = new int[STORY];
                SplittableRandom r = new SplittableRandom(5);
                for (int i = 0; i < STORY; i++) story[i] = 1 + r.nextInt(500);
                SamplerSettings st = SamplerSettings.defaults().withSeed(3L).withMaxTokens(100);
                // warm up at a 4k context (JIT, tokenizer, heap sizing), then measure what the long context adds
                g.generate(new GenerationRequest(Arrays.copyOf(story, 4096), st, WINDOW, KEEP), null, null);
                g.session().reset();
                long rss0 = rssBytes(), used0 = heapUsedAfterGc();

                GenerationRequest first = new GenerationRequest(story, st, WINDOW, KEEP);
                ContextMap planned = g.contextMap(first);
                GenerationResult a = g.generate(first, null, null);
                assertEquals(
                        planned.spans(),
                        ContextMap.of(STORY, KEEP, STORY - a.promptTokens()).spans());
                assertTrue(a.promptTokens() > 84_000, "in view: " + a.promptTokens());
                assertEquals(a.promptTokens(), a.recomputedTokens(), "the warm-up was reset: all of it");
                Session s = g.session();
                assertTrue(s.length() <= WINDOW);

                // keep writing: each request is the whole story so far; the window slides without recompute
                int[] text = concat(story, a.ids());
                int generated = a.ids().length, shifted = a.shiftedTokens(), recomputed = 0;
                while (generated < 400) {
                    GenerationResult b = g.generate(new GenerationRequest(text, st, WINDOW, KEEP), null, null);
                    generated += b.ids().length;
                    shifted += b.shiftedTokens();
                    recomputed += b.recomputedTokens();
                    text = concat(text, b.ids());
                    assertTrue(s.length() <= WINDOW, "cache holds " + s.length());
                    assertEquals(text.length, b.contextMap().length());
                    assertEquals(KEEP, b.contextMap().spans().get(0).end(), "pinned memory stays in view");
                }
                assertTrue(shifted > 0, "the window shifted");
                assertTrue(recomputed < 1000, "later requests reuse the cache, recomputed " + recomputed);
                int[] cached = s.tokens();
                assertArrayEquals(Arrays.copyOf(story, KEEP), Arrays.copyOf(cached, KEEP), "pinned prefix");
                assertEquals(text[text.length - 2], cached[cached.length - 1], "the newest text is in view");

                KvPool pool = ((CpuSession) s).cache().pool();
                assertTrue(pool.allocatedBytes() <= budget, pool.allocatedBytes() + " > " + budget);
                long rss = rssBytes() - rss0, used = heapUsedAfterGc() - used0;
                double secs = (System.nanoTime() - t0) / 1e9;
                System.out.printf(
                        "84k window: %d tokens processed, %d shifted out, KV %d B of budget %d B (%d B/token bf16), "
                                + "from 4k to 84k context: live heap +%d MiB, RSS +%d MiB; %.1f s%n",
                        STORY + generated,
                        shifted,
                        pool.allocatedBytes(),
                        budget,
                        perToken,
                        used >> 20,
                        rss >> 20,
                        secs);
                // nothing on the heap grows with the context (the cache is off-heap, within its budget) ...
                assertTrue(used < 8L << 20, "live heap grew by " + (used >> 20) + " MiB");
                // ... and going from a 4k to an 84k context grows the process by the KV budget, plus slack for the
                // heap's young generation
                if (rss0 > 0) assertTrue(rss <= budget + (128L << 20), "RSS grew by " + (rss >> 20) + " MiB");
            }
        }
    }

    static int[] concat(int[] a, int[] b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static long heapUsedAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Resident set size from /proc (0 where there is none). */
    static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return 0;
    }
}
