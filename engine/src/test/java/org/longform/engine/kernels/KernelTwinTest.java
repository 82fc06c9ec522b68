package org.longform.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.longform.engine.io.DType;
import org.longform.engine.io.Tensor;
import org.longform.engine.kv.KvCache;
import org.longform.engine.kv.KvDType;
import org.longform.engine.kv.KvPool;
import org.longform.engine.model.Config;
import org.longform.engine.quant.DenseMatrix;

/** Every vector kernel against its scalar twin on random inputs (odd sizes included). */
class KernelTwinTest {
    private static final Arena ARENA = Arena.ofShared();
    private static final ScalarBackend SCALAR = new ScalarBackend();
    private static final VectorBackend VECTOR = new VectorBackend(2);

    @AfterAll
    static void close() {
        VECTOR.close();
        ARENA.close();
    }

    static Tensor randomTensor(DType dt, int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        MemorySegment seg = ARENA.allocate((long) rows * cols * dt.bytes(), 64);
        for (long i = 0; i < (long) rows * cols; i++) {
            float v = (float) (r.nextGaussian() * 0.5);
            switch (dt) {
                case F32 -> seg.setAtIndex(Tensor.FLOAT_LE, i, v);
                case BF16 -> seg.setAtIndex(Tensor.SHORT_LE, i, (short) (Float.floatToRawIntBits(v) >>> 16));
                case F16 -> seg.setAtIndex(Tensor.SHORT_LE, i, Float.floatToFloat16(v));
            }
        }
        return new Tensor("w", dt, new long[] {rows, cols}, seg);
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    static void assertClose(float[] want, float[] got, int n, double rel, String what) {
        for (int i = 0; i < n; i++) {
            double tol = rel * Math.max(1.0, Math.abs(want[i]));
            assertTrue(
                    Math.abs(want[i] - got[i]) <= tol, what + " [" + i + "]: scalar " + want[i] + " vector " + got[i]);
        }
    }

    static Stream<Arguments> shapes() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (DType dt : DType.values()) {
            b.add(Arguments.of(dt, 1, 64, 64));
            b.add(Arguments.of(dt, 1, 67, 100)); // odd rows and a K tail
            b.add(Arguments.of(dt, 3, 192, 96));
            b.add(Arguments.of(dt, 5, 13, 257));
            b.add(Arguments.of(dt, 8, 256, 1024));
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} T={1} N={2} K={3}")
    @MethodSource("shapes")
    void matmulMatchesScalar(DType dt, int T, int N, int K) {
        Tensor w = randomTensor(dt, N, K, N * 31L + K);
        float[] x = random(T * K, 7);
        float[] a = new float[T * N], b = new float[T * N];
        SCALAR.matmul(new DenseMatrix(w), x, T, a);
        VECTOR.matmul(new DenseMatrix(w), x, T, b);
        assertClose(a, b, T * N, 1e-4, "matmul " + dt);
    }

    @Test
    void layerNormMatchesScalar() {
        for (int d : new int[] {64, 96, 100, 768}) {
            float[] x = random(3 * d, d), w = random(d, d + 1);
            float[] a = new float[3 * d], b = new float[3 * d];
            SCALAR.layerNorm(x, w, 1e-5f, 3, d, a);
            VECTOR.layerNorm(x, w, 1e-5f, 3, d, b);
            assertClose(a, b, 3 * d, 1e-5, "layernorm d=" + d);
        }
    }

    @Test
    void geluMatchesScalarAndErf() {
        float[] x = random(4099, 3);
        for (int i = 0; i < 64; i++) x[i] = -8f + i * 0.25f; // include the tails
        float[] a = x.clone(), b = x.clone();
        Gelu.scalar(a, a.length); // the twins the matmul epilogue applies
        Gelu.vector(b, 0, b.length);
        assertClose(a, b, a.length, 2e-6, "gelu");
        // erf against known values
        assertEquals(0.0, Gelu.erf(0f), 1e-7);
        assertEquals(0.8427007929497149, Gelu.erf(1f), 2e-7);
        assertEquals(-0.9953222650189527, Gelu.erf(-2f), 2e-7);
        assertEquals(0.5204998778130465, Gelu.erf(0.5f), 2e-7);
    }

    @Test
    void alibiSlopesMatchReference() {
        // mpt_ref.alibi_slopes(4, 8) and (6, 8): powers of two and the interleave
        float[] s4 = Alibi.slopes(4, 8);
        assertEquals(0.25f, s4[0], 1e-7);
        assertEquals(1f / 256, s4[3], 1e-9);
        float[] s6 = Alibi.slopes(6, 8);
        float[] base = Alibi.slopes(8, 8);
        float[] want = {base[1], base[3], base[5], base[7], base[0], base[2]};
        for (int i = 0; i < 6; i++) assertEquals(want[i], s6[i], 0f);
    }

    /** int8 pages: with fewer than 4 queries the vector path widens keys and values inside its dot products. */
    @ParameterizedTest(name = "int8 heads {0} hd {1} block {2} T {3} past {4}")
    @MethodSource("int8Shapes")
    void int8AttentionMatchesScalar(int heads, int hd, int block, int T, int past) {
        int d = heads * hd;
        Config c = new Config(d, heads, 2, 4, 16, 128, 1e-5f, 8, 0, (float) (1 / Math.sqrt(hd)), 1);
        KvPool pool = new KvPool(c, block, 1 << 26, KvDType.INT8);
        try (pool;
                KvCache cache = new KvCache(pool)) {
            fill(cache, past + T, heads, hd, new SplittableRandom(heads * 31L + T));
            float[] qkv = random(T * 3 * d, 11), a = new float[T * d], b = new float[T * d];
            float[] slopes = Alibi.slopes(heads, 8);
            SCALAR.attention(qkv, T, cache, 1, past, slopes, c.softmaxScale(), a);
            VECTOR.attention(qkv, T, cache, 1, past, slopes, c.softmaxScale(), b);
            assertClose(a, b, T * d, 1e-5, "int8 attention");
        }
    }

    /** Writes S slots of random K and V rows into both layers of the cache; returns layer 1's rows as written. */
    static float[][][][] fill(KvCache cache, int S, int heads, int hd, SplittableRandom r) {
        assertTrue(cache.reserve(S));
        float[][][][] kvs = new float[S][2][heads][hd];
        float[] row = new float[hd];
        for (int slot = 0; slot < S; slot++) {
            for (int l = 0; l < 2; l++)
                for (int kv = 0; kv < 2; kv++)
                    for (int h = 0; h < heads; h++) {
                        for (int i = 0; i < hd; i++) row[i] = (float) r.nextGaussian();
                        cache.writeRow(slot, l, kv, h, row, 0);
                        if (l == 1) kvs[slot][kv][h] = row.clone();
                    }
        }
        cache.advance(S);
        return kvs;
    }

    static Stream<Arguments> int8Shapes() {
        return Stream.of(
                Arguments.of(12, 64, 64, 1, 700),
                Arguments.of(4, 128, 16, 1, 100),
                Arguments.of(3, 16, 7, 2, 50),
                Arguments.of(2, 32, 64, 3, 0),
                Arguments.of(2, 64, 64, 5, 90)); // 4+ queries: the transposed path, widened into scratch
    }

    @ParameterizedTest(name = "heads {0} hd {1} block {2} T {3} past {4}")
    @MethodSource("attentionShapes")
    void attentionMatchesScalar(int heads, int hd, int block, int T, int past) {
        int d = heads * hd;
        Config c = new Config(d, heads, 2, 4, 16, 128, 1e-5f, 8, 0, (float) (1 / Math.sqrt(hd)), 1);
        KvPool pool = new KvPool(c, block, 1 << 26);
        try (pool;
                KvCache cache = new KvCache(pool)) {
            float[][][][] kvs = fill(
                    cache,
                    past + T,
                    heads,
                    hd,
                    new SplittableRandom(heads * 100L + T)); // layer 1's rows, for the direct check
            float[] qkv = random(T * 3 * d, 5), a = new float[T * d], b = new float[T * d];
            float[] slopes = Alibi.slopes(heads, 8);
            SCALAR.attention(qkv, T, cache, 1, past, slopes, c.softmaxScale(), a);
            VECTOR.attention(qkv, T, cache, 1, past, slopes, c.softmaxScale(), b);
            assertClose(a, b, T * d, 1e-5, "attention");
            // and against a direct (non-online) softmax for one query
            int t = T - 1, h = heads - 1, q = past + t;
            double[] s = new double[q + 1];
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j <= q; j++) {
                double dot = 0;
                for (int i = 0; i < hd; i++) dot += qkv[t * 3 * d + h * hd + i] * kvs[j][0][h][i];
                s[j] = dot * c.softmaxScale() + slopes[h] * (j - q);
                m = Math.max(m, s[j]);
            }
            double sum = 0;
            for (int j = 0; j <= q; j++) sum += Math.exp(s[j] - m);
            for (int i = 0; i < hd; i++) {
                double o = 0;
                for (int j = 0; j <= q; j++) o += Math.exp(s[j] - m) / sum * kvs[j][1][h][i];
                assertEquals(o, a[t * d + h * hd + i], 1e-4, "direct softmax, dim " + i);
            }
        }
    }

    static Stream<Arguments> attentionShapes() {
        return Stream.of(
                Arguments.of(4, 16, 16, 1, 40),
                // one query (decode) over many blocks, several heads
                Arguments.of(12, 64, 16, 1, 1000),
                Arguments.of(2, 128, 64, 1, 300),
                Arguments.of(3, 32, 7, 1, 50),
                Arguments.of(6, 16, 64, 1, 0),
                Arguments.of(6, 16, 7, 5, 33),
                Arguments.of(2, 64, 64, 9, 130),
                Arguments.of(3, 12, 5, 4, 0), // head size with no vector species: scalar loop inside
                Arguments.of(2, 128, 256, 2, 300),
                // prefill groups over transposed keys: 64-key score passes, partial diagonal blocks, pv for 64/128-wide
                // heads
                Arguments.of(2, 64, 64, 40, 37),
                Arguments.of(2, 128, 64, 37, 100),
                Arguments.of(3, 64, 24, 30, 11), // block not a multiple of 16: rounding up would pass its end
                Arguments.of(2, 32, 48, 20, 5));
    }
}
