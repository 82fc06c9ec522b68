package org.longform.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.longform.engine.io.DType;
import org.longform.engine.io.Tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Matrix products over mapped weights with the widest vector species. bf16 is widened on the fly
 * (16-bit shift). Rows are split across threads; decode (T = 1) streams each weight row once,
 * prefill widens a block of rows once and reuses it for every token of the chunk.
 */
public final class MatMulVector {
    private MatMulVector() {}

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.length() * 16));
    static final int L = F.length();
    private static final int ROWS = 4;     // rows per register block
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    public static void matmul(Parallel par, Tensor w, float[] x, int T, float[] out) {
        int N = w.rows();
        if (T == 1 && w.dtype() != DType.F16) {
            par.range(N, ROWS, (a, b) -> gemv(w, x, out, a, b));
        } else {
            par.range(N, ROWS, (a, b) -> gemmRows(w, x, T, out, a, b));
        }
    }

    static FloatVector bf16(MemorySegment seg, long byteOff) {
        ShortVector s = ShortVector.fromMemorySegment(S, seg, byteOff, LE);
        return ((IntVector) s.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static FloatVector load(Tensor w, long elem) {
        return w.dtype() == DType.BF16
                ? bf16(w.data(), elem * 2)
                : FloatVector.fromMemorySegment(F, w.data(), elem * 4, LE);
    }

    /** One token: out[n] = W[n,:] . x for rows [a, b). */
    private static void gemv(Tensor w, float[] x, float[] out, int a, int b) {
        int K = w.cols();
        int kb = K - K % L;
        int n = a;
        for (; n + ROWS <= b; n += ROWS) {
            long r0 = (long) n * K, r1 = r0 + K, r2 = r1 + K, r3 = r2 + K;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int k = 0; k < kb; k += L) {
                FloatVector xv = FloatVector.fromArray(F, x, k);
                a0 = load(w, r0 + k).fma(xv, a0);
                a1 = load(w, r1 + k).fma(xv, a1);
                a2 = load(w, r2 + k).fma(xv, a2);
                a3 = load(w, r3 + k).fma(xv, a3);
            }
            float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
            float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
            for (int k = kb; k < K; k++) {
                s0 += w.get(r0 + k) * x[k];
                s1 += w.get(r1 + k) * x[k];
                s2 += w.get(r2 + k) * x[k];
                s3 += w.get(r3 + k) * x[k];
            }
            out[n] = s0; out[n + 1] = s1; out[n + 2] = s2; out[n + 3] = s3;
        }
        for (; n < b; n++) {
            long r = (long) n * K;
            FloatVector acc = FloatVector.zero(F);
            for (int k = 0; k < kb; k += L) acc = load(w, r + k).fma(FloatVector.fromArray(F, x, k), acc);
            float s = acc.reduceLanes(VectorOperators.ADD);
            for (int k = kb; k < K; k++) s += w.get(r + k) * x[k];
            out[n] = s;
        }
    }

    /** Widens rows [row, row + count) of w into buf (count * K floats). */
    static void widen(Tensor w, int row, int count, float[] buf) {
        int K = w.cols();
        long base = (long) row * K;
        int total = count * K;
        switch (w.dtype()) {
            case F32 -> MemorySegment.copy(w.data(), Tensor.FLOAT_LE, base * 4, buf, 0, total);
            case BF16 -> {
                int i = 0, ub = total - total % L;
                for (; i < ub; i += L) bf16(w.data(), (base + i) * 2).intoArray(buf, i);
                for (; i < total; i++) buf[i] = w.get(base + i);
            }
            case F16 -> {
                for (int i = 0; i < total; i++) buf[i] = Float.float16ToFloat(w.data().getAtIndex(Tensor.SHORT_LE, base + i));
            }
        }
    }

    /** Several tokens: widen ROWS rows once, then 4 rows x 2 tokens per register block. */
    private static void gemmRows(Tensor w, float[] x, int T, float[] out, int a, int b) {
        int N = w.rows(), K = w.cols();
        int kb = K - K % L;
        float[] buf = new float[ROWS * K];
        for (int n = a; n < b; n += ROWS) {
            int rows = Math.min(ROWS, b - n);
            widen(w, n, rows, buf);
            if (rows < ROWS) {
                for (int r = 0; r < rows; r++) for (int t = 0; t < T; t++) out[t * N + n + r] = dot(buf, r * K, x, t * K, K, kb);
                continue;
            }
            int t = 0;
            for (; t + 2 <= T; t += 2) {
                int x0 = t * K, x1 = x0 + K;
                FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
                for (int k = 0; k < kb; k += L) {
                    FloatVector xa = FloatVector.fromArray(F, x, x0 + k);
                    FloatVector xb = FloatVector.fromArray(F, x, x1 + k);
                    FloatVector w0 = FloatVector.fromArray(F, buf, k);
                    FloatVector w1 = FloatVector.fromArray(F, buf, K + k);
                    FloatVector w2 = FloatVector.fromArray(F, buf, 2 * K + k);
                    FloatVector w3 = FloatVector.fromArray(F, buf, 3 * K + k);
                    c00 = w0.fma(xa, c00); c01 = w0.fma(xb, c01);
                    c10 = w1.fma(xa, c10); c11 = w1.fma(xb, c11);
                    c20 = w2.fma(xa, c20); c21 = w2.fma(xb, c21);
                    c30 = w3.fma(xa, c30); c31 = w3.fma(xb, c31);
                }
                int o0 = t * N + n, o1 = o0 + N;
                out[o0] = c00.reduceLanes(VectorOperators.ADD) + tail(buf, 0, x, x0, kb, K);
                out[o0 + 1] = c10.reduceLanes(VectorOperators.ADD) + tail(buf, K, x, x0, kb, K);
                out[o0 + 2] = c20.reduceLanes(VectorOperators.ADD) + tail(buf, 2 * K, x, x0, kb, K);
                out[o0 + 3] = c30.reduceLanes(VectorOperators.ADD) + tail(buf, 3 * K, x, x0, kb, K);
                out[o1] = c01.reduceLanes(VectorOperators.ADD) + tail(buf, 0, x, x1, kb, K);
                out[o1 + 1] = c11.reduceLanes(VectorOperators.ADD) + tail(buf, K, x, x1, kb, K);
                out[o1 + 2] = c21.reduceLanes(VectorOperators.ADD) + tail(buf, 2 * K, x, x1, kb, K);
                out[o1 + 3] = c31.reduceLanes(VectorOperators.ADD) + tail(buf, 3 * K, x, x1, kb, K);
            }
            for (; t < T; t++) {
                for (int r = 0; r < ROWS; r++) out[t * N + n + r] = dot(buf, r * K, x, t * K, K, kb);
            }
        }
    }

    private static float tail(float[] w, int wo, float[] x, int xo, int kb, int K) {
        float s = 0f;
        for (int k = kb; k < K; k++) s += w[wo + k] * x[xo + k];
        return s;
    }

    static float dot(float[] a, int ao, float[] b, int bo, int K, int kb) {
        FloatVector acc = FloatVector.zero(F);
        for (int k = 0; k < kb; k += L) acc = FloatVector.fromArray(F, a, ao + k).fma(FloatVector.fromArray(F, b, bo + k), acc);
        return acc.reduceLanes(VectorOperators.ADD) + tail(a, ao, b, bo, kb, K);
    }
}
