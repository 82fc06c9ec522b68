package org.longform.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.longform.engine.Assets;
import org.longform.engine.gen.Generator;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.runtime.Session;
import org.longform.engine.sample.Sampler;
import org.longform.engine.sample.SamplerSettings;

/**
 * Not a test: what the alternatives pop-up costs a decode step. Decodes with the demo model (or the model
 * folder given) and, at every step, times the step itself (feed + sample) and the capture the editor asks
 * for (the top 8 with the softmax's partition, and the chosen token's entry), interleaved, so that a box
 * shared with other work slows both alike. From the repository root:
 * <pre>
 * java --add-modules jdk.incubator.vector -cp 'bench/target/longform-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*' \
 *      org.longform.bench.AlternativesBench [MODEL_DIR] [TOKENS]
 * </pre>
 */
public final class AlternativesBench {
    public static void main(String[] args) {
        Path dir = args.length > 0 ? Path.of(args[0]) : Assets.demoModel();
        int tokens = args.length > 1 ? Integer.parseInt(args[1]) : 400;
        try (Generator g = Generator.open(dir, EngineOptions.defaults())) {
            Session s = g.session();
            int[] prompt =
                    g.tokenizer().encode("Marley was dead: to begin with. There is no doubt whatever about that.");
            SamplerSettings st = SamplerSettings.defaults().withSeed(1L);
            for (int round = 0; round < 5; round++) { // the first rounds warm the JIT up
                Sampler sampler = new Sampler(st);
                float[] logits = s.sync(prompt, Session.Reuse.EXACT, null, null);
                long step = 0, capture = 0;
                double sink = 0;
                int[] history = Arrays.copyOf(prompt, prompt.length + tokens);
                int h = prompt.length, next;
                for (int i = 0; i < tokens && s.length() + 1 < s.capacity(); i++) {
                    long t0 = System.nanoTime();
                    next = sampler.sample(logits, history, h);
                    long t1 = System.nanoTime();
                    sink += sampler.top(8).getFirst().probability()
                            + sampler.alternative(next).probability();
                    long t2 = System.nanoTime();
                    history[h++] = next;
                    logits = s.feed(next);
                    long t3 = System.nanoTime();
                    step += (t1 - t0) + (t3 - t2);
                    capture += t2 - t1;
                }
                System.out.printf(
                        Locale.ROOT,
                        "round %d: decode step %.3f ms, alternatives %.1f us = %.2f %% of a step (%d tokens, %s)%n",
                        round,
                        step / 1e6 / tokens,
                        capture / 1e3 / tokens,
                        100.0 * capture / step,
                        tokens,
                        sink > 0 ? "ok" : "?");
            }
        }
    }
}
