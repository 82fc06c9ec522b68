package org.longform.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.longform.engine.kv.KvCache;
import org.longform.engine.kv.KvDType;
import org.longform.engine.kv.KvPool;
import org.longform.engine.model.Config;

/**
 * Long contexts where the vector path skips old blocks (steep ALiBi heads) must give what the
 * scalar oracle gets by summing every key, on every page dtype, for decode and prefill groups.
 */
class AttentionLongTest {
    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(8, 16, 64, 1, 3000, KvDType.F32),
                Arguments.of(8, 16, 64, 40, 3000, KvDType.F32),
                Arguments.of(4, 32, 16, 3, 2500, KvDType.BF16),
                Arguments.of(6, 12, 100, 33, 2500, KvDType.INT8),
                Arguments.of(2, 64, 256, 1, 2500, KvDType.F16));
    }

    @ParameterizedTest(name = "heads {0} hd {1} block {2} T {3} past {4} {5}")
    @MethodSource("shapes")
    void skippingOldBlocksChangesNothing(int heads, int hd, int block, int T, int past, KvDType t) {
        int d = heads * hd;
        Config c = new Config(d, heads, 1, 4, 16, 128, 1e-5f, 8, 0, (float) (1 / Math.sqrt(hd)), 1);
        try (KvPool pool = new KvPool(c, block, 1L << 28, t);
                KvCache cache = new KvCache(pool)) {
            int S = past + T;
            cache.reserve(S);
            SplittableRandom r = new SplittableRandom(heads * 31L + T);
            float[] row = new float[hd];
            for (int s = 0; s < S; s++)
                for (int kv = 0; kv < 2; kv++)
                    for (int h = 0; h < heads; h++) {
                        for (int i = 0; i < hd; i++) row[i] = (float) (r.nextGaussian() * 2);
                        cache.writeRow(s, 0, kv, h, row, 0);
                    }
            cache.advance(S);
            float[] qkv = new float[T * 3 * d];
            for (int i = 0; i < qkv.length; i++) qkv[i] = (float) (r.nextGaussian() * 2);
            float[] a = new float[T * d], b = new float[T * d];
            float[] slopes = Alibi.slopes(heads, 8);
            new ScalarBackend().attention(qkv, T, cache, 0, past, slopes, c.softmaxScale(), a);
            try (VectorBackend v = new VectorBackend(2)) {
                v.attention(qkv, T, cache, 0, past, slopes, c.softmaxScale(), b);
            }
            for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-5, "out " + i);
        }
    }
}
