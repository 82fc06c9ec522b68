package org.longform.ui.gen;

import java.util.Arrays;
import java.util.Random;

/**
 * Token choice for {@link EngineTextGenerator} until the engine's own Generator/Sampler is merged
 * into this branch: repetition penalty, temperature, top-k, top-p, min-p. (Typical-p is left to the
 * engine's sampler.) Temporary by design; the adapter drops it when org.longform.engine.gen lands.
 */
final class InterimSampler {
    private final Sampling s;
    private final Random random;

    InterimSampler(Sampling s) {
        this.s = s;
        this.random = s.seed() == null ? new Random() : new Random(s.seed());
    }

    int next(float[] logits, int vocab, int[] history, int historyLength) {
        float[] l = Arrays.copyOf(logits, vocab);
        if (s.repetitionPenalty() != 1.0) {
            int from = s.repetitionRange() == 0 ? 0 : Math.max(0, historyLength - s.repetitionRange());
            boolean[] seen = new boolean[vocab];
            for (int i = from; i < historyLength; i++) {
                int id = history[i];
                if (id < 0 || id >= vocab || seen[id]) continue;
                seen[id] = true;
                l[id] = l[id] > 0 ? (float) (l[id] / s.repetitionPenalty()) : (float) (l[id] * s.repetitionPenalty());
            }
        }
        if (s.temperature() == 0) return argmax(l);
        Integer[] order = new Integer[vocab];
        for (int i = 0; i < vocab; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Float.compare(l[b], l[a]));
        int n = s.topK() > 0 ? Math.min(s.topK(), vocab) : vocab;
        double max = l[order[0]] / s.temperature();
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) sum += p[i] = Math.exp(l[order[i]] / s.temperature() - max);
        int keep = n;
        if (s.minP() > 0) {
            for (int i = 0; i < n; i++) if (p[i] < s.minP() * p[0]) { keep = Math.max(1, i); break; }
        }
        if (s.topP() < 1) {
            double acc = 0;
            for (int i = 0; i < keep; i++) {
                acc += p[i] / sum;
                if (acc >= s.topP()) { keep = i + 1; break; }
            }
        }
        double total = 0;
        for (int i = 0; i < keep; i++) total += p[i];
        double r = random.nextDouble() * total;
        for (int i = 0; i < keep; i++) {
            r -= p[i];
            if (r <= 0) return order[i];
        }
        return order[keep - 1];
    }

    private static int argmax(float[] l) {
        int best = 0;
        for (int i = 1; i < l.length; i++) if (l[i] > l[best]) best = i;
        return best;
    }
}
