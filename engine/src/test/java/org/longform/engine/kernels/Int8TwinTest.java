package org.longform.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.longform.engine.quant.KQuantMatrix;
import org.longform.engine.quant.WeightType;

/**
 * The int8-activation kernels ({@link Activations#Q8}) on random blocks against their scalar twin,
 * bit for bit, at the lane count this JVM runs with (surefire also runs this class with
 * -XX:MaxVectorSize=16 and 32); activations at the extremes (every code ±127) check that no 16-bit
 * partial sum overflows. Then the approximation itself: the rounding of x, and the product against
 * the exact one within the bound that rounding allows.
 */
class Int8TwinTest {
    private static final VectorBackend Q8_1 = new VectorBackend(1, Activations.Q8);
    private static final VectorBackend Q8_3 = new VectorBackend(3, Activations.Q8);
    private static final VectorBackend EXACT = new VectorBackend(2);

    @AfterAll
    static void close() {
        Q8_1.close();
        Q8_3.close();
        EXACT.close();
    }

    @Test
    void runsAtTheVectorWidthItWasStartedFor() {
        Integer want = Integer.getInteger("longform.test.floatLanes");
        System.out.println("int8 kernels: " + MatMulInt8.SL + " short lanes, vector path " + MatMulInt8.VEC);
        if (want != null) assertEquals(2 * want, MatMulInt8.SL, "MaxVectorSize did not reach the JVM");
    }

    static Stream<Arguments> shapes() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (WeightType t : new WeightType[] {WeightType.Q4_K, WeightType.Q5_K, WeightType.Q6_K}) {
            for (String xs : new String[] {"gaussian", "extreme", "outliers"}) {
                b.add(Arguments.of(t, xs, 7, 256));
                b.add(Arguments.of(t, xs, 67, 768));
                b.add(Arguments.of(t, xs, 301, 2048));
            }
        }
        return b.build();
    }

    /** gaussian; extreme: ±1 (every code ±127, the largest partial sums); outliers: gaussian with a few 50σ values. */
    static float[] x(String kind, int K, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[K];
        for (int i = 0; i < K; i++) {
            x[i] = switch (kind) {
                case "extreme" -> r.nextBoolean() ? 1f : -1f;
                case "outliers" -> (float) (r.nextInt(97) == 0 ? 50 * r.nextGaussian() : r.nextGaussian());
                default -> (float) r.nextGaussian();
            };
        }
        if (kind.equals("gaussian")) for (int i = 0; i < Math.min(K, 40); i++) x[i] = 0; // an all-zero sub-block
        return x;
    }

    @ParameterizedTest(name = "{0} {1} N={2} K={3}")
    @MethodSource("shapes")
    void vectorEqualsScalarTwinBitForBit(WeightType t, String xs, int N, int K) {
        KQuantMatrix m = KQuantTwinTest.random(t, N, K, N * 31L + K + t.ordinal());
        float[] x = x(xs, K, N + K);
        Q8Activations q = new Q8Activations().quantize(x, K);
        float[] got = new float[N], viaBackend = new float[N], viaThreads = new float[N];
        MatMulInt8.gemv(m, q, got, 0, N, Epilogue.STORE);
        Q8_1.matmul(m, x, 1, viaBackend);
        Q8_3.matmul(m, x, 1, viaThreads);
        for (int n = 0; n < N; n++) {
            float want = MatMulInt8Scalar.dot(m, n, q);
            assertEquals(
                    Float.floatToRawIntBits(want),
                    Float.floatToRawIntBits(got[n]),
                    t + " row " + n + ": twin " + want + " vector " + got[n]);
        }
        if (MatMulInt8.handles(m)) {
            assertArrayEquals(got, viaBackend, "the backend's one-token product is the kernel's");
            assertArrayEquals(got, viaThreads, "3 threads");
        } else {
            // where the int8 kernel is the slower one at this width, the option leaves these rows exact
            float[] exact = new float[N];
            EXACT.matmul(m, x, 1, exact);
            assertArrayEquals(exact, viaBackend, t + " runs exact at " + MatMulInt8.SL + " short lanes");
            assertArrayEquals(exact, viaThreads, "3 threads");
        }
    }

    @Test
    void theOptionIsNamedAsOnTheCommandLine() {
        assertEquals(Activations.EXACT, Activations.parse("exact"));
        assertEquals(Activations.Q8, Activations.parse(" Q8 "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Activations.parse("q4"));
        assertEquals("unknown activation quantization 'q4' (choose exact or q8)", e.getMessage());
        assertTrue(Q8_1.name().contains("q8 activations"), Q8_1.name());
    }

    /** Each code is x / d rounded to nearest, d = max|x| / 127 per 256-block; sub-block sums are the codes' sums. */
    @Test
    void quantizesLikeQ8K() {
        float[] x = x("outliers", 1024, 5);
        Q8Activations q = new Q8Activations().quantize(x, 1024);
        for (int b = 0; b < 4; b++) {
            float amax = 0;
            for (int i = 0; i < 256; i++) amax = Math.max(amax, Math.abs(x[256 * b + i]));
            assertEquals(amax / 127f, q.scale(b));
            for (int i = 0; i < 256; i++) {
                int k = 256 * b + i;
                assertTrue(Math.abs(q.code(k)) <= 127);
                assertTrue(Math.abs(x[k] - q.scale(b) * q.code(k)) <= q.scale(b) * 0.5001f, "x[" + k + "]");
            }
        }
        for (int s = 0; s < 32; s++) {
            int v = 0;
            for (int i = 0; i < 32; i++) v += q.code(32 * s + i);
            assertEquals(v, q.subSum(s));
        }
        float[] zero = new float[256];
        Q8Activations z = new Q8Activations().quantize(zero, 256);
        assertEquals(0f, z.scale(0));
        assertEquals(0, z.code(17));
    }

    /**
     * Against the exact product: the difference is Σ w·(x − d·a) plus float rounding, so at most
     * Σ |w|·d/2 over the row (d per block) plus the exact kernels' own summation bound, taken loosely
     * as 2^-16·Σ|w·x|. Also: prompts (several tokens) stay exact with Q8 set.
     */
    @ParameterizedTest(name = "{0} {1} N={2} K={3}")
    @MethodSource("shapes")
    void differsFromTheExactProductOnlyByTheRoundingOfX(WeightType t, String xs, int N, int K) {
        KQuantMatrix m = KQuantTwinTest.random(t, N, K, N * 7L + K + t.ordinal());
        float[] x = x(xs, K, N * 3L + K);
        Q8Activations q = new Q8Activations().quantize(x, K);
        float[] exact = new float[N], approx = new float[N], row = new float[K];
        MatMulScalar.matmul(m, x, 1, exact, Epilogue.STORE);
        Q8_1.matmul(m, x, 1, approx);
        for (int n = 0; n < N; n++) {
            m.row(n, row, 0);
            double bound = 0, mag = 0;
            for (int k = 0; k < K; k++) {
                bound += Math.abs(row[k]) * q.scale(k / 256) * 0.5;
                mag += Math.abs(row[k] * x[k]);
            }
            bound += 0x1p-16 * mag;
            assertTrue(
                    Math.abs(exact[n] - approx[n]) <= bound,
                    t + " row " + n + ": exact " + exact[n] + " q8 " + approx[n] + " bound " + bound);
        }
        float[] x3 = new float[3 * K];
        for (int i = 0; i < 3; i++) System.arraycopy(x, 0, x3, i * K, K);
        float[] p = new float[3 * N], e = new float[3 * N];
        Q8_3.matmul(m, x3, 3, p);
        EXACT.matmul(m, x3, 3, e);
        assertArrayEquals(e, p, "several tokens: the exact path");
    }
}
