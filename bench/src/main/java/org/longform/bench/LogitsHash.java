package org.longform.bench;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.longform.engine.kv.KvDType;
import org.longform.engine.model.Model;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.runtime.Session;

/**
 * A hash of the float bits of every logits row of one prompt fed in one chunk, then of the last
 * row of the same prompt fed without rows, so two engine builds (each on the class path in turn)
 * can be checked bit for bit on a whole model: run it once per build with the same arguments and
 * compare the lines.
 *
 * <pre>
 * LogitsHash MODEL TOKENS THREADS KV_DTYPE
 * </pre>
 */
public final class LogitsHash {
    private static final int ROUNDS = 6;

    public static void main(String[] a) throws Exception {
        if (a.length != 4) {
            System.err.println("usage: LogitsHash MODEL TOKENS THREADS KV_DTYPE");
            System.exit(2);
        }
        int n = Integer.parseInt(a[1]);
        EngineOptions opt = EngineOptions.defaults()
                .withThreads(Integer.parseInt(a[2]))
                .withKvDType(KvDType.parse(a[3]))
                .withChunkSize(n);
        try (Model m = Model.load(Path.of(a[0]));
                Session s = Session.open(m, opt)) {
            int V = m.config().vocabSize();
            SplittableRandom r = new SplittableRandom(7);
            int[] ids = new int[n];
            for (int i = 0; i < n; i++) ids[i] = r.nextInt(V);
            // the first rounds run partly interpreted, where the Vector API's exp is not SVML's:
            // compare the last round's line
            for (int round = 0; round < ROUNDS; round++) {
                long[] h = {17};
                s.reset();
                // rows may arrive in any order: each row's hash, mixed with its position, is summed
                s.feed(
                        ids,
                        0,
                        n,
                        (pos, row, off) -> {
                            long hr = pos * 0x9E3779B97F4A7C15L;
                            for (int i = 0; i < V; i++) hr = hr * 31 + Float.floatToRawIntBits(row[off + i]);
                            h[0] += hr * 0xBF58476D1CE4E5B9L;
                        },
                        null,
                        null);
                s.reset();
                float[] last = s.feed(ids, 0, n, null, null, null);
                long hl = 17;
                for (int i = 0; i < V; i++) hl = hl * 31 + Float.floatToRawIntBits(last[i]);
                System.out.printf("%s %d tokens, round %d: all rows %016x, last row %016x%n", a[0], n, round, h[0], hl);
            }
        }
    }
}
