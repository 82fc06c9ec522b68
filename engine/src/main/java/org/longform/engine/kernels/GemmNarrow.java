package org.longform.engine.kernels;

import static org.longform.engine.kernels.MatMulVector.F;
import static org.longform.engine.kernels.MatMulVector.KC;
import static org.longform.engine.kernels.MatMulVector.L;

import jdk.incubator.vector.FloatVector;
import org.longform.engine.quant.Matrix;

/**
 * The prefill micro-kernels for 16 vector registers (AVX2): {@link GemmTile#NARROW} tiles of 4, 2
 * or 1 tokens x 2 vectors. Same walk as the wide kernels in {@link MatMulVector} (broadcast-FMA
 * over a column-major panel, k in order from zero), so every output element gets the same floats;
 * only fewer rows per panel and fewer tokens per pass.
 */
final class GemmNarrow {
    private GemmNarrow() {}

    /** Rows per narrow panel: two vectors. */
    static final int NR = 2 * L;

    /** {@link MatMulVector#gemm} with the narrow tile: token blocks of 4, then 2, then 1. */
    static void gemm(Matrix w, float[] xi, int T, float[] out, int a, int b, Epilogue ep, MatMulVector.Scratch s) {
        int N = w.rows(), K = w.cols();
        int np = (b - a + NR - 1) / NR;
        float[][] panels = s.panels(np);
        float[] tile = s.tile;
        for (int k0 = 0; k0 < K; k0 += KC) {
            int kc = Math.min(KC, K - k0);
            for (int p = 0; p < np; p++) {
                int n0 = a + p * NR;
                pack(w, n0, Math.min(NR, b - n0), k0, kc, panels[p], s);
            }
            boolean add = k0 > 0 || ep == Epilogue.ADD;
            boolean gelu = k0 + kc == K && ep == Epilogue.GELU;
            int t = 0;
            for (; t + 4 <= T; t += 4) {
                for (int p = 0; p < np; p++) {
                    int n0 = a + p * NR;
                    kernel4(panels[p], kc, xi, t * K + k0 * 4, tile);
                    store(tile, 4, out, t * N + n0, N, Math.min(NR, b - n0), add, gelu);
                }
            }
            for (; t + 2 <= T; t += 2) {
                for (int p = 0; p < np; p++) {
                    int n0 = a + p * NR;
                    kernel2(panels[p], kc, xi, t * K + k0 * 2, tile);
                    store(tile, 2, out, t * N + n0, N, Math.min(NR, b - n0), add, gelu);
                }
            }
            for (; t < T; t++) {
                for (int p = 0; p < np; p++) {
                    int n0 = a + p * NR;
                    kernel1(panels[p], kc, xi, t * K + k0, tile);
                    store(tile, 1, out, t * N + n0, N, Math.min(NR, b - n0), add, gelu);
                }
            }
        }
    }

    /** {@link MatMulVector#store} for narrow tiles. */
    private static void store(float[] tile, int mt, float[] out, int o, int N, int nr, boolean add, boolean gelu) {
        if (nr == NR) {
            for (int t = 0; t < mt; t++) {
                int oo = o + t * N, to = t * NR;
                if (add) {
                    for (int j = 0; j < NR; j += L)
                        FloatVector.fromArray(F, tile, to + j)
                                .add(FloatVector.fromArray(F, out, oo + j))
                                .intoArray(out, oo + j);
                } else {
                    System.arraycopy(tile, to, out, oo, NR);
                }
                if (gelu) Gelu.vector(out, oo, oo + NR);
            }
        } else {
            for (int t = 0; t < mt; t++) {
                int oo = o + t * N;
                for (int r = 0; r < nr; r++) {
                    float v = tile[t * NR + r];
                    out[oo + r] = add ? v + out[oo + r] : v;
                }
                if (gelu) Gelu.vector(out, oo, oo + nr);
            }
        }
    }

    /** {@link MatMulVector#pack} for narrow panels: panel[k * NR + r]. */
    private static void pack(Matrix w, int n0, int nr, int k0, int kc, float[] panel, MatMulVector.Scratch s) {
        float[] row = s.row, tmp = s.scales(w.cols());
        for (int r = 0; r < nr; r++) {
            MatMulVector.widenRow(w, n0 + r, k0, kc, row, tmp);
            for (int k = 0, p = r; k < kc; k++, p += NR) panel[p] = row[k];
        }
        for (int r = nr; r < NR; r++) {
            for (int k = 0, p = r; k < kc; k++, p += NR) panel[p] = 0f;
        }
    }

    /** 4 tokens x 2 vectors over one packed panel of depth kc, into tile[t * NR + r]. */
    static void kernel4(float[] p, int kc, float[] x, int xo, float[] tile) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z;
        FloatVector c10 = z, c11 = z;
        FloatVector c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z;
        for (int k = 0; k < kc; k++) {
            int pk = k * NR, xk = xo + k * 4;
            FloatVector w0 = FloatVector.fromArray(F, p, pk + 0 * L);
            FloatVector w1 = FloatVector.fromArray(F, p, pk + 1 * L);
            FloatVector b = FloatVector.broadcast(F, x[xk]);
            c00 = w0.fma(b, c00);
            c01 = w1.fma(b, c01);
            b = FloatVector.broadcast(F, x[xk + 1]);
            c10 = w0.fma(b, c10);
            c11 = w1.fma(b, c11);
            b = FloatVector.broadcast(F, x[xk + 2]);
            c20 = w0.fma(b, c20);
            c21 = w1.fma(b, c21);
            b = FloatVector.broadcast(F, x[xk + 3]);
            c30 = w0.fma(b, c30);
            c31 = w1.fma(b, c31);
        }
        c00.intoArray(tile, 0 * NR + 0 * L);
        c01.intoArray(tile, 0 * NR + 1 * L);
        c10.intoArray(tile, 1 * NR + 0 * L);
        c11.intoArray(tile, 1 * NR + 1 * L);
        c20.intoArray(tile, 2 * NR + 0 * L);
        c21.intoArray(tile, 2 * NR + 1 * L);
        c30.intoArray(tile, 3 * NR + 0 * L);
        c31.intoArray(tile, 3 * NR + 1 * L);
    }

    /** 2 tokens x 2 vectors over one packed panel of depth kc, into tile[t * NR + r]. */
    static void kernel2(float[] p, int kc, float[] x, int xo, float[] tile) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z;
        FloatVector c10 = z, c11 = z;
        for (int k = 0; k < kc; k++) {
            int pk = k * NR, xk = xo + k * 2;
            FloatVector w0 = FloatVector.fromArray(F, p, pk + 0 * L);
            FloatVector w1 = FloatVector.fromArray(F, p, pk + 1 * L);
            FloatVector b = FloatVector.broadcast(F, x[xk]);
            c00 = w0.fma(b, c00);
            c01 = w1.fma(b, c01);
            b = FloatVector.broadcast(F, x[xk + 1]);
            c10 = w0.fma(b, c10);
            c11 = w1.fma(b, c11);
        }
        c00.intoArray(tile, 0 * NR + 0 * L);
        c01.intoArray(tile, 0 * NR + 1 * L);
        c10.intoArray(tile, 1 * NR + 0 * L);
        c11.intoArray(tile, 1 * NR + 1 * L);
    }

    /** 1 token x 2 vectors over one packed panel of depth kc, into tile[t * NR + r]. */
    static void kernel1(float[] p, int kc, float[] x, int xo, float[] tile) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z;
        for (int k = 0; k < kc; k++) {
            int pk = k * NR, xk = xo + k * 1;
            FloatVector w0 = FloatVector.fromArray(F, p, pk + 0 * L);
            FloatVector w1 = FloatVector.fromArray(F, p, pk + 1 * L);
            FloatVector b = FloatVector.broadcast(F, x[xk]);
            c00 = w0.fma(b, c00);
            c01 = w1.fma(b, c01);
        }
        c00.intoArray(tile, 0 * NR + 0 * L);
        c01.intoArray(tile, 0 * NR + 1 * L);
    }
}
