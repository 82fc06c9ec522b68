package org.longform.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.ThreadMXBean;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.longform.engine.ChildJvm;
import org.longform.engine.io.gguf.GgmlBlocks;
import org.longform.engine.io.gguf.GgufFile;
import org.longform.engine.quant.KQuantMatrix;
import org.longform.engine.quant.WeightType;

/**
 * The k-quant kernels on random blocks (every bit pattern of codes, scales and mins; random f16
 * block scales) against their scalar twin, bit for bit, at the lane count this JVM runs with
 * (surefire also runs this class with -XX:MaxVectorSize=16 and 32); the twin's decode against
 * {@link GgmlBlocks} (written from ggml's dequantize loops independently); and the backends'
 * products against {@link MatMulScalar} within the bound two summation orders can differ by.
 */
class KQuantTwinTest {
    private static final Arena ARENA = Arena.ofShared();
    private static final VectorBackend VECTOR1 = new VectorBackend(1);
    private static final VectorBackend VECTOR3 = new VectorBackend(3);

    @AfterAll
    static void close() {
        VECTOR1.close();
        VECTOR3.close();
        ARENA.close();
    }

    /** The surefire executions at other widths say which lane count they expect: check they got it. */
    @Test
    void runsAtTheVectorWidthItWasStartedFor() {
        Integer want = Integer.getInteger("longform.test.floatLanes");
        System.out.println("k-quant kernels: " + MatMulKQuant.L + " float lanes, vector path " + MatMulKQuant.VEC);
        if (want != null) assertEquals(want.intValue(), MatMulKQuant.L, "MaxVectorSize did not reach the JVM");
    }

    /** Random blocks: every byte random, then the f16 scales set to random finite values of a realistic range. */
    static KQuantMatrix random(WeightType type, int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int nb = rows * (cols / 256), bb = type.blockBytes;
        MemorySegment seg = ARENA.allocate((long) nb * bb, 64);
        for (long i = 0; i < seg.byteSize(); i++) seg.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256));
        for (int b = 0; b < nb; b++) {
            long bo = (long) b * bb;
            long[] at = type == WeightType.Q6_K ? new long[] {208} : new long[] {0, 2};
            for (long o : at) {
                float v = (float) (r.nextDouble(0.5, 2) * Math.pow(2, -r.nextInt(6, 14)));
                if (b % 17 == 5) v = 0x1p-24f * r.nextInt(1, 1000); // f16 subnormal scales
                if (b % 3 == 1) v = -v;
                seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, bo + o, Float.floatToFloat16(v));
            }
        }
        return new KQuantMatrix("w", type, rows, cols, seg);
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    static int ggml(WeightType t) {
        return switch (t) {
            case Q4_K -> GgufFile.Q4_K;
            case Q5_K -> GgufFile.Q5_K;
            default -> GgufFile.Q6_K;
        };
    }

    static Stream<Arguments> shapes() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (WeightType t : new WeightType[] {WeightType.Q4_K, WeightType.Q5_K, WeightType.Q6_K}) {
            b.add(Arguments.of(t, 1, 7, 256));
            b.add(Arguments.of(t, 1, 67, 768));
            b.add(Arguments.of(t, 3, 50, 512));
            b.add(Arguments.of(t, 8, 49, 256));
            b.add(Arguments.of(t, 13, 100, 1024));
            b.add(Arguments.of(t, 1, 301, 2048));
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} T={1} N={2} K={3}")
    @MethodSource("shapes")
    void vectorEqualsScalarTwinBitForBit(WeightType t, int T, int N, int K) {
        KQuantMatrix m = random(t, N, K, N * 131L + K + t.ordinal());
        float[] x = random(K, 3), xs = new float[K / 32], got = new float[N], buf = new float[MatMulKQuant.L];
        MatMulKQuantScalar.subSums(x, K, xs);
        MatMulKQuant.gemv(m, x, xs, got, 0, N, Epilogue.STORE, buf);
        for (int n = 0; n < N; n++) {
            float want = MatMulKQuantScalar.dot(m, n, x, xs, MatMulKQuant.L);
            assertEquals(
                    Float.floatToRawIntBits(want),
                    Float.floatToRawIntBits(got[n]),
                    t + " row " + n + ": twin " + want + " vector " + got[n]);
        }
        // decode for prefill panels: every 32-aligned range, against the twin and against GgmlBlocks' row decode
        float[] row = new float[K], ref = new float[K], part = new float[K];
        for (int n = 0; n < N; n += 7) {
            m.row(n, row, 0);
            GgmlBlocks.dequantizeRow(ggml(t), m.data(), m.rowOffset(n), K, ref, 0);
            for (int k = 0; k < K; k++) {
                assertEquals(Float.floatToRawIntBits(ref[k]), Float.floatToRawIntBits(row[k]), t + " " + n + ", " + k);
            }
            for (int k0 = 0; k0 < K; k0 += 96) {
                int kc = Math.min(128, K - k0);
                MatMulKQuant.widen(m, n, k0, kc, part);
                for (int k = 0; k < kc; k++) {
                    assertEquals(
                            Float.floatToRawIntBits(row[k0 + k]),
                            Float.floatToRawIntBits(part[k]),
                            t + " widen row " + n + " col " + (k0 + k));
                }
            }
        }
    }

    /**
     * The one-token kernels allocate nothing once compiled (their row scratch is kept per thread), as
     * {@code DecodeAllocationTest} asks of the decode loop: a buffer per call or a boxed vector would
     * show as hundreds of bytes per product. In a child JVM at this JVM's width: here the test JVM
     * has also run the GGUF tests, so the kernels have seen native and mapped segments alike, and
     * with that profile C2 no longer removes the row slices (main's kernels then allocated 40-136
     * bytes a row too); a model's weights are all of one kind. Only where the vector kernels run.
     */
    @Test
    void oneTokenProductsAllocateNothingOnceCompiled(@TempDir Path tmp) throws Exception {
        assumeTrue(MatMulKQuant.VEC, "the vector kernels run at 8 or 16 float lanes");
        Path out = tmp.resolve("child.out");
        List<String> options = List.of("-Xmx256m", "-XX:MaxVectorSize=" + 4 * MatMulKQuant.L);
        ChildJvm.Finished child = ChildJvm.run(out, options, AllocationChild.class);
        String text = child.text();
        assertEquals(0, child.exit(), text);
        String line = text.lines()
                .filter(l -> l.startsWith("BYTES "))
                .findFirst()
                .orElseThrow(() -> new AssertionError(text));
        assertEquals(
                "LANES " + MatMulKQuant.L,
                text.lines().filter(l -> l.startsWith("LANES ")).findFirst().orElse(""));
        double bytes = Double.parseDouble(line.substring(6));
        assertTrue(bytes < 16, "bytes allocated per one-token k-quant product: " + bytes);
    }

    /** Warms the three kernels up, then prints the least bytes per product of three windows. */
    public static final class AllocationChild {
        public static void main(String[] args) {
            ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
            WeightType[] types = {WeightType.Q4_K, WeightType.Q5_K, WeightType.Q6_K};
            KQuantMatrix[] ms = new KQuantMatrix[types.length];
            for (int i = 0; i < types.length; i++) ms[i] = random(types[i], 32, 1024, 40 + i);
            float[] x = random(1024, 9), xs = new float[1024 / 32], out = new float[32];
            float[] buf = new float[MatMulKQuant.L];
            MatMulKQuantScalar.subSums(x, 1024, xs);
            for (int i = 0; i < 20000; i++) MatMulKQuant.gemv(ms[i % 3], x, xs, out, 0, 32, Epilogue.STORE, buf);
            double best = Double.MAX_VALUE;
            for (int w = 0; w < 3 && best >= 16; w++) {
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 3000; i++) MatMulKQuant.gemv(ms[i % 3], x, xs, out, 0, 32, Epilogue.STORE, buf);
                best = Math.min(best, (mx.getCurrentThreadAllocatedBytes() - before) / 3000.0);
            }
            System.out.println("LANES " + MatMulKQuant.L);
            System.out.println("BYTES " + best);
        }
    }

    /**
     * The backends (one token: the sub-block sums; several: widened panels and the f32 GEMM) against
     * {@link MatMulScalar} (each widened weight times x, summed in order). Both are sums of the same
     * K terms in other orders, one over rounded weights (Q4_K/Q5_K: fl(d·sc·q − dmin·m)), the other
     * over d·sc·q and dmin·m separately, so they differ by at most (2K + 8)·u·Σ (|d·sc·q| + |dmin·m|)·|x|
     * (u = 2^-24; a sum of n terms in any order is within (n − 1)·u·Σ|terms| of the exact one, to
     * first order, and each widened weight adds one rounding).
     */
    @ParameterizedTest(name = "{0} T={1} N={2} K={3}")
    @MethodSource("shapes")
    void backendsMatchTheScalarProductWithinTheSummationBound(WeightType t, int T, int N, int K) {
        KQuantMatrix m = random(t, N, K, N * 17L + K + t.ordinal());
        float[] x = random(T * K, 11);
        double[] bound = bounds(m, x, T);
        ScalarBackend scalar = new ScalarBackend();
        for (Epilogue ep : new Epilogue[] {Epilogue.STORE, Epilogue.ADD}) {
            float[] init = random(T * N, 5), a = init.clone(), b = init.clone(), c = init.clone();
            scalar.matmul(m, x, T, a, ep);
            VECTOR1.matmul(m, x, T, b, ep);
            VECTOR3.matmul(m, x, T, c, ep);
            for (int i = 0; i < a.length; i++) {
                double tol = bound[i] + (ep == Epilogue.ADD ? Math.ulp(a[i]) : 0); // the add rounds once more
                assertTrue(
                        Math.abs(a[i] - b[i]) <= tol,
                        t + " " + ep + " [" + i + "] scalar " + a[i] + " vector " + b[i] + " bound " + tol);
                assertTrue(
                        Math.abs(a[i] - c[i]) <= tol,
                        t + " " + ep + " 3 threads [" + i + "] scalar " + a[i] + " vector " + c[i]);
            }
        }
        float[] g = new float[T * N], s = new float[T * N];
        scalar.matmul(m, x, T, s, Epilogue.GELU);
        VECTOR3.matmul(m, x, T, g, Epilogue.GELU);
        for (int i = 0; i < g.length; i++) assertTrue(Math.abs(g[i] - s[i]) <= 2 * bound[i] + 1e-6, "GELU [" + i + "]");
    }

    /** (2K + 8)·u·Σ_k (|d·sc·q_k| + |dmin·m|)·|x_k| per output, t * N + n. */
    private static double[] bounds(KQuantMatrix m, float[] x, int T) {
        int N = m.rows(), K = m.cols();
        double[] out = new double[T * N];
        double[] mag = new double[K];
        MemorySegment w = m.data();
        for (int n = 0; n < N; n++) {
            float[] row = new float[K];
            m.row(n, row, 0);
            for (int k = 0; k < K; k++) {
                long bo = m.rowOffset(n) + (long) (k / 256) * m.type().blockBytes;
                double min = 0;
                if (m.type() != WeightType.Q6_K) {
                    min = Math.abs(Float.float16ToFloat(w.get(ValueLayout.JAVA_SHORT_UNALIGNED, bo + 2))
                            * (KQuantMatrix.scaleMin(w, bo, k % 256 / 32) >> 8));
                }
                mag[k] = Math.abs(row[k]) + 2 * min; // |d·sc·q| <= |w| + |dmin·m|
            }
            for (int t = 0; t < T; t++) {
                double s = 0;
                for (int k = 0; k < K; k++) s += mag[k] * Math.abs(x[t * K + k]);
                out[t * N + n] = (2.0 * K + 8) * 0x1p-24 * s;
            }
        }
        return out;
    }
}
