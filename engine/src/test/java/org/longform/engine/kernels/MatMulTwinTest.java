package org.longform.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.longform.engine.io.DType;
import org.longform.engine.io.Tensor;
import org.longform.engine.quant.DenseMatrix;
import org.longform.engine.quant.Matrix;
import org.longform.engine.quant.Quantizer;
import org.longform.engine.quant.WeightType;

/**
 * The vector matrix products (one token and several, every weight form, every epilogue, one and
 * several threads) against {@link MatMulScalar}, which widens each row with {@link Matrix#row}
 * and sums in order.
 */
class MatMulTwinTest {
    private static final Arena ARENA = Arena.ofShared();
    private static final ScalarBackend SCALAR = new ScalarBackend();
    private static final VectorBackend VECTOR1 = new VectorBackend(1);
    private static final VectorBackend VECTOR3 = new VectorBackend(3);

    @AfterAll
    static void close() {
        VECTOR1.close();
        VECTOR3.close();
        ARENA.close();
    }

    static Matrix matrix(WeightType type, int rows, int cols, long seed) {
        DType dt = switch (type) {
            case F32 -> DType.F32;
            case F16 -> DType.F16;
            default -> DType.BF16;
        };
        SplittableRandom r = new SplittableRandom(seed);
        MemorySegment seg = ARENA.allocate((long) rows * cols * dt.bytes(), 64);
        for (long i = 0; i < (long) rows * cols; i++) {
            float v = (float) (r.nextGaussian() * 0.5);
            if (i % 101 == 3) v *= 1e-4f; // some f16 subnormals
            switch (dt) {
                case F32 -> seg.setAtIndex(Tensor.FLOAT_LE, i, v);
                case BF16 -> seg.setAtIndex(Tensor.SHORT_LE, i, (short) (Float.floatToRawIntBits(v) >>> 16));
                case F16 -> seg.setAtIndex(Tensor.SHORT_LE, i, Float.floatToFloat16(v));
            }
        }
        Matrix dense = new DenseMatrix(new Tensor("w", dt, new long[] {rows, cols}, seg));
        return type.quantized() ? Quantizer.quantize(dense, type, ARENA, null) : dense;
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    static void assertClose(float[] want, float[] got, double rel, String what) {
        for (int i = 0; i < want.length; i++) {
            double tol = rel * Math.max(1.0, Math.abs(want[i]));
            assertTrue(
                    Math.abs(want[i] - got[i]) <= tol, what + " [" + i + "]: scalar " + want[i] + " vector " + got[i]);
        }
    }

    static Stream<Arguments> shapes() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (WeightType wt : WeightType.values()) {
            if (wt.kQuant()) continue; // KQuantTwinTest
            boolean q = wt.quantized();
            b.add(Arguments.of(wt, 1, 64, 64));
            b.add(Arguments.of(wt, 1, 67, q ? 96 : 100)); // odd rows; a K tail for dense
            b.add(Arguments.of(wt, 2, 50, 128));
            b.add(Arguments.of(wt, 5, 13, q ? 256 : 257));
            b.add(Arguments.of(wt, 8, 49, 160)); // one full and one partial panel
            b.add(Arguments.of(wt, 13, 100, 320)); // 8 + 4 + 1 tokens, panels of depth 128 + 128 + 64
            b.add(Arguments.of(
                    wt,
                    7,
                    1100,
                    q ? 160 : 200)); // 18 panels: units of 4 panels sharing x, a short last unit, a partial last panel
            b.add(Arguments.of(wt, 1, 301, 1024));
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} T={1} N={2} K={3}")
    @MethodSource("shapes")
    void everyEpilogueMatchesScalar(WeightType wt, int T, int N, int K) {
        Matrix w = matrix(wt, N, K, N * 31L + K);
        float[] x = random(T * K, 7);
        for (Epilogue ep : Epilogue.values()) {
            float[] init = random(T * N, 9);
            float[] a = init.clone(), b = init.clone(), c = init.clone();
            SCALAR.matmul(w, x, T, a, ep);
            VECTOR1.matmul(w, x, T, b, ep);
            VECTOR3.matmul(w, x, T, c, ep);
            assertClose(a, b, 1e-4, wt + " " + ep + " 1 thread");
            assertClose(a, c, 1e-4, wt + " " + ep + " 3 threads");
        }
    }

    @Test
    void quantizedRowsAreCloseToTheOriginal() {
        Matrix dense = matrix(WeightType.F32, 8, 256, 1);
        float[] want = new float[256], got = new float[256];
        for (WeightType wt : new WeightType[] {WeightType.Q8_0, WeightType.Q4_0}) {
            Matrix q = Quantizer.quantize(dense, wt, ARENA, null);
            double step = wt == WeightType.Q8_0 ? 1 / 127.0 : 1 / 8.0;
            for (int r = 0; r < 8; r++) {
                dense.row(r, want, 0);
                q.row(r, got, 0);
                for (int blk = 0; blk < 8; blk++) {
                    double amax = 0;
                    for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(want[blk * 32 + j]));
                    for (int j = 0; j < 32; j++) {
                        int k = blk * 32 + j;
                        // half a step of the (f16-rounded) scale; q4_0 maps the extreme to -8, so the other
                        // sign's extreme is clamped to +7 and may be off by a whole step (as in GGML)
                        boolean clamped = wt == WeightType.Q4_0 && Math.abs(got[k]) > amax * 6.9 / 8;
                        double bound = amax * step * (clamped ? 1.0 : 0.5) * (1 + 1e-3) + 1e-7;
                        assertTrue(
                                Math.abs(want[k] - got[k]) <= bound,
                                wt + " row " + r + " col " + k + ": " + want[k] + " vs " + got[k]);
                    }
                }
            }
            assertEquals(wt == WeightType.Q8_0 ? 8 * 256 + 8 * 8 * 2 : 8 * 128 + 8 * 8 * 2, q.byteSize());
        }
    }

    /** Every finite half, widened by the vector trick, alone and as either half of a pair read as one int. */
    @Test
    void everyFiniteHalfWidensExactly() {
        int L = MatMulVector.L;
        short[] h = new short[L];
        int[] pairs = new int[L];
        float[] got = new float[L];
        int checked = 0;
        for (int base = 0; base < 1 << 16; base += L) {
            for (int j = 0; j < L; j++) h[j] = (short) (base + j);
            for (int j = 0; j < L; j++)
                pairs[j] = (h[j] << 16) | (h[(j + 1) % L] & 0xFFFF); // odd = h[j], even = its neighbour
            MatMulVector.halfToFloat(ShortVector.fromArray(MatMulVector.S, h, 0))
                    .intoArray(got, 0);
            float[] odd = MatMulVector.top16ToFloat(IntVector.fromArray(MatMulVector.I, pairs, 0))
                    .toArray();
            float[] even = MatMulVector.top16ToFloat(
                            IntVector.fromArray(MatMulVector.I, pairs, 0).lanewise(VectorOperators.LSHL, 16))
                    .toArray();
            for (int j = 0; j < L; j++) {
                float want = Float.float16ToFloat(h[j]), wantEven = Float.float16ToFloat(h[(j + 1) % L]);
                if (Float.isFinite(want)) {
                    assertEquals(
                            Float.floatToRawIntBits(want),
                            Float.floatToRawIntBits(got[j]),
                            "half 0x" + Integer.toHexString(h[j] & 0xFFFF));
                    assertEquals(
                            Float.floatToRawIntBits(want),
                            Float.floatToRawIntBits(odd[j]),
                            "odd half 0x" + Integer.toHexString(h[j] & 0xFFFF));
                    checked++;
                }
                if (Float.isFinite(wantEven)) {
                    assertEquals(
                            Float.floatToRawIntBits(wantEven),
                            Float.floatToRawIntBits(even[j]),
                            "even half of 0x" + Integer.toHexString(pairs[j]));
                }
            }
        }
        assertEquals((1 << 16) - 2 * 1024, checked, "all halves but the 2 x 1024 infinities and NaNs");
    }

    /** f16 decode folds 2^112 into x only while every |x| < 2^15; past that it must widen as is. */
    @Test
    void f16DecodeWithLargeActivationsStaysExact() {
        Matrix w = matrix(WeightType.F16, 37, 256, 5);
        float[] small = random(256, 3), large = small.clone();
        large[17] = 40_000f;
        assertTrue(MatMulVector.prepareF16(small, 256, new float[256]));
        assertTrue(!MatMulVector.prepareF16(large, 256, new float[256]));
        for (float[] x : new float[][] {small, large}) {
            float[] a = new float[37], b = new float[37], c = new float[37];
            SCALAR.matmul(w, x, 1, a, Epilogue.STORE);
            VECTOR1.matmul(w, x, 1, b, Epilogue.STORE);
            VECTOR3.matmul(w, x, 1, c, Epilogue.STORE);
            assertClose(a, b, 1e-4, "f16 max |x| " + x[17]);
            assertClose(a, c, 1e-4, "f16 max |x| " + x[17] + ", 3 threads");
        }
    }
}
