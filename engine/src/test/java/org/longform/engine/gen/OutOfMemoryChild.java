package org.longform.engine.gen;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.longform.engine.Assets;
import org.longform.engine.Fixtures;
import org.longform.engine.model.Model;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.sample.SamplerSettings;
import org.longform.engine.token.Tokenizer;

/**
 * Run by {@link OutOfMemoryTest} in a child JVM with a small heap: the heap is filled (as a big
 * document or another tab might), a generation is asked for, and its allocation fails. One line
 * per outcome.
 */
public final class OutOfMemoryChild {
    static List<byte[]> ballast = new ArrayList<>();

    public static void main(String[] args) {
        Tokenizer tok = Tokenizer.load(Assets.tokenizer());
        int[] ids = {510, 5898, 273, 253, 3186, 369};
        SamplerSettings s = SamplerSettings.defaults().withMaxTokens(6).withTemperature(0);
        try (Model m = Model.load(Fixtures.modelDir("tiny-mpt-6h"));
                Generator g = new Generator(m, tok, EngineOptions.defaults().withBackend(args[0]))) {
            int[] want = g.generate(new GenerationRequest(ids, s), null, null).ids();
            g.session().reset();
            fill();
            try {
                g.generate(new GenerationRequest(ids, s), null, null);
                ballast.clear();
                System.out.println("GENERATED IN A FULL HEAP");
            } catch (IllegalStateException e) {
                ballast.clear();
                System.out.println("FAILED " + e.getMessage());
            }
            int[] again = g.generate(new GenerationRequest(ids, s), null, null).ids();
            System.out.println(Arrays.equals(want, again) ? "SAME AFTERWARDS" : "DIFFERENT AFTERWARDS");
        }
        System.out.println("ALIVE");
    }

    /** Fills the heap to within 16 KB (a logits row of this vocabulary is 200 KB). */
    static void fill() {
        for (int size : new int[] {1 << 20, 1 << 14}) {
            try {
                while (true) ballast.add(new byte[size]);
            } catch (OutOfMemoryError full) {
                // next, smaller pieces
            }
        }
        ballast.removeLast();
    }
}
