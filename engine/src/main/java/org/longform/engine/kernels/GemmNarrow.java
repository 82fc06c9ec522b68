package org.longform.engine.kernels;

import static org.longform.engine.kernels.MatMulVector.F;
import static org.longform.engine.kernels.MatMulVector.L;

import jdk.incubator.vector.FloatVector;

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
