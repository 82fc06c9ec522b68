package org.longform.ui.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import javafx.animation.AnimationTimer;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test (tag "benchmark", excluded from the default suite): typing latency on
 * the FX thread and frame intervals while tokens stream into a 300k-character story.
 * Run: mvn -B -pl ui -am test -Dgroups=benchmark -Dui.excludedGroups=none -Dtest=EditorBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 */
@Tag("benchmark")
class EditorBenchmark extends FxTestBase {
    private static final int STORY_CHARS = 300_000, TOKENS = 600;

    @Override
    String[] scripts() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < TOKENS; i++) sb.append(i % 12 == 11 ? " snow.\n" : " word");
        return new String[] {sb.toString()};
    }

    @Override
    long tokenDelayMs() {
        return 5;
    } // 200 tokens/s, faster than any CPU decode of 7B

    @Test
    void typingAndStreamingIn300kCharacters() throws Exception {
        Path novel = WarAndPeaceFxTest.novel();
        Assumptions.assumeTrue(Files.isRegularFile(novel), "corpus not available: " + novel);
        String text = Files.readString(novel)
                .replace("\r\n", "\n")
                .replace("\uFEFF", "")
                .substring(0, STORY_CHARS);
        Path story = config.resolve("story-300k.txt");
        Files.writeString(story, text);
        waitForModel();
        interact(() -> window.files().open(story));
        waitFor(
                "story open",
                () -> window.active() != null && window.active().editor().length() >= STORY_CHARS);

        // 1. typing: FX-thread cost of one character inserted at the end and laid out
        long[] insertNs = fx(() -> {
            var a = story().editor().area();
            long[] t = new long[200];
            for (int i = 0; i < t.length; i++) {
                long t0 = System.nanoTime();
                a.insertText(a.getLength(), i % 7 == 6 ? " " : "x");
                a.layout();
                t[i] = System.nanoTime() - t0;
            }
            return t;
        });
        // and through the robot (key events, handlers, layout)
        clickOn(".story-editor");
        interact(() -> {
            var a = story().editor().area();
            a.moveTo(a.getLength());
        });
        String typed = "And the snow kept falling on the road";
        long k0 = System.nanoTime();
        write(typed);
        double robotMsPerKey = (System.nanoTime() - k0) / 1e6 / typed.length();

        // 2. streaming: frame intervals while tokens arrive
        long[] frames = new long[20_000];
        int[] n = {0};
        long[] last = {0};
        AnimationTimer timer = new AnimationTimer() {
            @Override
            public void handle(long now) {
                if (last[0] != 0 && n[0] < frames.length) frames[n[0]++] = now - last[0];
                last[0] = now;
            }
        };
        interact(timer::start);
        long g0 = System.nanoTime();
        push(KeyCode.CONTROL, KeyCode.ENTER);
        waitFor(
                "generation started",
                () -> window.generation().generatingProperty().get()
                        || story().editor().length() > STORY_CHARS + typed.length() + 200);
        waitFor(
                "generation done",
                () -> !window.generation().generatingProperty().get());
        int streamed = fx(() -> story().editor().length()) - STORY_CHARS - typed.length() - 200;
        double genS = (System.nanoTime() - g0) / 1e9;
        interact(timer::stop);

        String report = String.format(
                Locale.ROOT,
                "editor benchmark, %d-char story: insert+layout per char on the FX thread p50 %.2f ms, p95 %.2f ms, max %.2f ms; "
                        + "robot typing %.1f ms/key (includes robot pacing)%n"
                        + "streaming %d chars at 200 tok/s in %.2f s: %d frames, interval p50 %.1f ms, p95 %.1f ms, max %.1f ms%n",
                STORY_CHARS,
                pct(insertNs, 50) / 1e6,
                pct(insertNs, 95) / 1e6,
                pct(insertNs, 100) / 1e6,
                robotMsPerKey,
                streamed,
                genS,
                n[0],
                pct(Arrays.copyOf(frames, n[0]), 50) / 1e6,
                pct(Arrays.copyOf(frames, n[0]), 95) / 1e6,
                pct(Arrays.copyOf(frames, n[0]), 100) / 1e6);
        System.out.print(report);
        Files.writeString(Path.of("target/editor-benchmark.txt"), report);
    }

    private static double pct(long[] v, int p) {
        if (v.length == 0) return 0;
        long[] s = v.clone();
        Arrays.sort(s);
        return s[
                Math.min(
                        s.length - 1,
                        (int) Math.ceil(p / 100.0 * s.length) - 1 < 0 ? 0 : (int) Math.ceil(p / 100.0 * s.length) - 1)];
    }
}
