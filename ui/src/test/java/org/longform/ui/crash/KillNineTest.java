package org.longform.ui.crash;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.ChildJvm;
import org.longform.engine.context.KvFile;
import org.longform.engine.context.KvStore;
import org.longform.engine.model.Model;
import org.longform.engine.runtime.Session;
import org.longform.ui.app.AutosaveStore;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.StoryFile;

/**
 * kill -9 at random moments of a writing session ({@link KillHarness} in a child JVM): inside an
 * autosave, inside a KV store save, or between. After each kill the story opens, its bytes are
 * exactly those of the last completed save (or of the one in flight, if its rename landed), the
 * crash-recovery copy is offered with the same bytes, every history version opens, and the KV store
 * is either refused or restores a cache whose next logits equal those of a fresh session that
 * computed the same tokens: a torn store is never trusted. {@code -Dkill.runs=N} (20 by default).
 */
class KillNineTest {
    static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(KillHarness.modelDir());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    record Outcome(String killedIn, int saves, int kvTokens, boolean kvUsed) {}

    @Test
    void killedAtRandomTheStoryAndTheCacheSurvive(@TempDir Path tmp) throws Exception {
        int runs = Integer.getInteger("kill.runs", 20);
        SplittableRandom r = new SplittableRandom(Long.getLong("kill.seed", 9L));
        int inSave = 0, inKv = 0, elsewhere = 0, kvRestored = 0, saves = 0;
        for (int i = 0; i < runs; i++) {
            Outcome o = killOnce(tmp.resolve("run" + i), 100 + r.nextInt(900));
            saves += o.saves();
            if (o.kvUsed()) kvRestored++;
            switch (o.killedIn()) {
                case "SAVING" -> inSave++;
                case "KVSAVING" -> inKv++;
                default -> elsewhere++;
            }
        }
        System.out.printf(
                "kill -9: %d kills survived (%d inside an autosave, %d inside a KV store save, %d between);"
                        + " %d completed autosaves checked; KV store restored and verified after %d kills, refused after %d%n",
                runs, inSave, inKv, elsewhere, saves, kvRestored, runs - kvRestored);
    }

    Outcome killOnce(Path home, int delayMs) throws Exception {
        Files.createDirectories(home);
        Process p = new ProcessBuilder(ChildJvm.command(List.of("-Xmx256m"), KillHarness.class, home.toString()))
                .redirectErrorStream(true)
                .start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            var in = new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8);
            try (BufferedReader b = new BufferedReader(in)) {
                for (String l; (l = b.readLine()) != null; ) lines.add(l);
            } catch (IOException ignored) {
                // the child was killed
            }
        });
        reader.start();
        long deadline = System.currentTimeMillis() + 60_000;
        while (lines.stream().noneMatch(l -> l.startsWith("READY"))
                && p.isAlive()
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(p.isAlive(), "child died by itself: " + lines);
        Thread.sleep(delayMs);
        // SIGKILL through the handle: Process.destroyForcibly also closes our end of the child's
        // output, so lines it printed just before dying but not yet read were lost, and the files
        // then looked newer than the last save the test had heard of (failed ~1 run in 3 under load).
        p.toHandle().destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        // Every line the child wrote before it died must be read before judging the files: a reader
        // left behind on a busy machine made the files look newer than the last save it had seen.
        reader.join(120_000);
        assertFalse(reader.isAlive(), "the child's output was not drained");
        return check(home, new ArrayList<>(lines));
    }

    Outcome check(Path home, List<String> lines) throws Exception {
        String id = lines.stream()
                .filter(l -> l.startsWith("READY "))
                .findFirst()
                .orElseThrow()
                .substring(6);
        String last = lines.isEmpty() ? "" : lines.getLast().split(" ")[0];
        // hashes of the last completed save and of the one in flight: the only acceptable story bytes
        String done = null, inFlight = null;
        int saved = 0;
        for (int i = 0; i < lines.size(); i++) {
            String[] w = lines.get(i).split(" ");
            if (w[0].equals("SAVING")) inFlight = w[2];
            if (w[0].equals("SAVED")) {
                done = inFlight;
                inFlight = null;
                saved = Integer.parseInt(w[1]);
            }
        }
        Path story = home.resolve("novel.longform");
        if (done != null || Files.exists(story)) {
            Set<String> ok = new HashSet<>(Arrays.asList(done, inFlight));
            assertTrue(
                    ok.contains(sha(Files.readAllBytes(story))),
                    () -> "story bytes are neither the last save nor the one in flight: " + describe(story)
                            + "; child said " + lines.subList(Math.max(0, lines.size() - 6), lines.size()));
            assertEquals(id, StoryFile.read(story).id(), "the story opens");
            // the crash is noticed and the recovery copy offered, with the same acceptable bytes
            List<String> problems = new ArrayList<>();
            var rec = new AutosaveStore(
                            home.resolve("config"), ProcessHandle.current().pid())
                    .recoverable(problems);
            assertEquals(List.of(), problems);
            assertEquals(1, rec.size(), "one story to recover");
            assertTrue(
                    ok.contains(sha(Files.readAllBytes(rec.getFirst().file()))),
                    () -> "recovery copy bytes: "
                            + rec.getFirst().file() + " holds "
                            + rec.getFirst().story().text().length() + " chars; child said "
                            + lines.subList(Math.max(0, lines.size() - 6), lines.size()));
            AutosaveStore store = new AutosaveStore(
                    home.resolve("config"), ProcessHandle.current().pid());
            for (Path v : store.versions(id)) StoryFile.read(v);
            assertFalse(store.versions(id).isEmpty(), "a history version exists");
        }
        int kvTokens = 0;
        for (String l : lines) if (l.startsWith("KVSAVED ")) kvTokens = Integer.parseInt(l.substring(8));
        return new Outcome(last, saved, kvTokens, checkKv(home.resolve("kv")));
    }

    /** Restores the store; if it is used, the next token's logits must equal a fresh session's. */
    boolean checkKv(Path dir) {
        int[] prompt = new int[KillHarness.MAX_TOKENS + 1];
        for (int i = 0; i < prompt.length; i++) prompt[i] = KillHarness.token(i);
        try (Session back = Session.open(model, KillHarness.options());
                KvStore store = new KvStore(dir)) {
            KvFile.Restore r = back.loadKv(store, prompt);
            if (!r.used()) return false;
            int m = r.tokens();
            assertArrayEquals(Arrays.copyOf(prompt, m), r.ids(), "restored tokens are the prompt's");
            assertEquals(0, m % KillHarness.STEP, "a whole saved state, not a torn one");
            float[] got = back.feed(prompt[m]);
            try (Session fresh = Session.open(model, KillHarness.options())) {
                for (int from = 0; from < m; from += KillHarness.STEP) {
                    fresh.feed(Arrays.copyOfRange(prompt, from, from + KillHarness.STEP));
                }
                assertArrayEquals(fresh.feed(prompt[m]), got, "restored cache computes what a fresh one does");
            }
            return true;
        }
    }

    static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static byte[] readQuietly(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (java.io.IOException e) {
            return new byte[0];
        }
    }

    /** What a file that matched no save holds: its size, its text's length, whether it re-serializes to itself. */
    private static String describe(Path f) {
        byte[] b = readQuietly(f);
        try {
            StoryData d = StoryFile.read(f);
            byte[] again = StoryFile.toJson(d);
            int i = 0;
            while (i < Math.min(b.length, again.length) && b[i] == again[i]) i++;
            return b.length + " bytes, text " + d.text().length() + " chars, re-serialized " + again.length
                    + " bytes, first difference at " + i + ": "
                    + new String(
                            b,
                            Math.max(0, i - 80),
                            Math.min(160, b.length - Math.max(0, i - 80)),
                            StandardCharsets.UTF_8);
        } catch (Exception e) {
            return b.length + " bytes, unreadable: " + e;
        }
    }
}
