package org.longform.engine.kernels;

import static org.longform.engine.kernels.MatMulVector.F;
import static org.longform.engine.kernels.MatMulVector.L;

import jdk.incubator.vector.FloatVector;

/**
 * The prefill micro-kernels for 16 vector registers (AVX2): {@link GemmTile#NARROW} tiles of 6, 4 or
 * 1 tokens x 2 vectors, 12 accumulators + 2 weight vectors + 1 broadcast. Same walk as the wide
 * kernels in {@link MatMulVector} (broadcast-FMA over a column-major panel, k in order from zero),
 * so every output element gets the same floats; only fewer rows per panel.
 */
final class GemmNarrow {
    private GemmNarrow() {}

    /** Rows per narrow panel: two vectors. */
    static final int NR = 2 * L;

    /** Rows per 4x3 panel: three vectors (candidate). */
    static final int NR3 = 3 * L;

    /** 6 tokens x 2 vectors over one packed panel of depth kc, into tile[t * NR + r]. */
    static void kernel6(float[] p, int kc, float[] x, int xo, float[] tile) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z;
        FloatVector c10 = z, c11 = z;
        FloatVector c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z;
        FloatVector c50 = z, c51 = z;
        for (int k = 0; k < kc; k++) {
            int pk = k * NR, xk = xo + k * 6;
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
            b = FloatVector.broadcast(F, x[xk + 4]);
            c40 = w0.fma(b, c40);
            c41 = w1.fma(b, c41);
            b = FloatVector.broadcast(F, x[xk + 5]);
            c50 = w0.fma(b, c50);
            c51 = w1.fma(b, c51);
        }
        c00.intoArray(tile, 0 * NR + 0 * L);
        c01.intoArray(tile, 0 * NR + 1 * L);
        c10.intoArray(tile, 1 * NR + 0 * L);
        c11.intoArray(tile, 1 * NR + 1 * L);
        c20.intoArray(tile, 2 * NR + 0 * L);
        c21.intoArray(tile, 2 * NR + 1 * L);
        c30.intoArray(tile, 3 * NR + 0 * L);
        c31.intoArray(tile, 3 * NR + 1 * L);
        c40.intoArray(tile, 4 * NR + 0 * L);
        c41.intoArray(tile, 4 * NR + 1 * L);
        c50.intoArray(tile, 5 * NR + 0 * L);
        c51.intoArray(tile, 5 * NR + 1 * L);
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

    /** 4 tokens x 3 vectors over one packed panel of depth kc, into tile[t * NR3 + r]. */
    static void kernel4x3(float[] p, int kc, float[] x, int xo, float[] tile) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c02 = z;
        FloatVector c10 = z, c11 = z, c12 = z;
        FloatVector c20 = z, c21 = z, c22 = z;
        FloatVector c30 = z, c31 = z, c32 = z;
        for (int k = 0; k < kc; k++) {
            int pk = k * NR3, xk = xo + k * 4;
            FloatVector w0 = FloatVector.fromArray(F, p, pk + 0 * L);
            FloatVector w1 = FloatVector.fromArray(F, p, pk + 1 * L);
            FloatVector w2 = FloatVector.fromArray(F, p, pk + 2 * L);
            FloatVector b = FloatVector.broadcast(F, x[xk]);
            c00 = w0.fma(b, c00);
            c01 = w1.fma(b, c01);
            c02 = w2.fma(b, c02);
            b = FloatVector.broadcast(F, x[xk + 1]);
            c10 = w0.fma(b, c10);
            c11 = w1.fma(b, c11);
            c12 = w2.fma(b, c12);
            b = FloatVector.broadcast(F, x[xk + 2]);
            c20 = w0.fma(b, c20);
            c21 = w1.fma(b, c21);
            c22 = w2.fma(b, c22);
            b = FloatVector.broadcast(F, x[xk + 3]);
            c30 = w0.fma(b, c30);
            c31 = w1.fma(b, c31);
            c32 = w2.fma(b, c32);
        }
        c00.intoArray(tile, 0 * NR3 + 0 * L);
        c01.intoArray(tile, 0 * NR3 + 1 * L);
        c02.intoArray(tile, 0 * NR3 + 2 * L);
        c10.intoArray(tile, 1 * NR3 + 0 * L);
        c11.intoArray(tile, 1 * NR3 + 1 * L);
        c12.intoArray(tile, 1 * NR3 + 2 * L);
        c20.intoArray(tile, 2 * NR3 + 0 * L);
        c21.intoArray(tile, 2 * NR3 + 1 * L);
        c22.intoArray(tile, 2 * NR3 + 2 * L);
        c30.intoArray(tile, 3 * NR3 + 0 * L);
        c31.intoArray(tile, 3 * NR3 + 1 * L);
        c32.intoArray(tile, 3 * NR3 + 2 * L);
    }

    /** 2 tokens x 3 vectors over one packed panel of depth kc, into tile[t * NR3 + r]. */
    static void kernel2x3(float[] p, int kc, float[] x, int xo, float[] tile) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c02 = z;
        FloatVector c10 = z, c11 = z, c12 = z;
        for (int k = 0; k < kc; k++) {
            int pk = k * NR3, xk = xo + k * 2;
            FloatVector w0 = FloatVector.fromArray(F, p, pk + 0 * L);
            FloatVector w1 = FloatVector.fromArray(F, p, pk + 1 * L);
            FloatVector w2 = FloatVector.fromArray(F, p, pk + 2 * L);
            FloatVector b = FloatVector.broadcast(F, x[xk]);
            c00 = w0.fma(b, c00);
            c01 = w1.fma(b, c01);
            c02 = w2.fma(b, c02);
            b = FloatVector.broadcast(F, x[xk + 1]);
            c10 = w0.fma(b, c10);
            c11 = w1.fma(b, c11);
            c12 = w2.fma(b, c12);
        }
        c00.intoArray(tile, 0 * NR3 + 0 * L);
        c01.intoArray(tile, 0 * NR3 + 1 * L);
        c02.intoArray(tile, 0 * NR3 + 2 * L);
        c10.intoArray(tile, 1 * NR3 + 0 * L);
        c11.intoArray(tile, 1 * NR3 + 1 * L);
        c12.intoArray(tile, 1 * NR3 + 2 * L);
    }

    /** 1 token x 3 vectors over one packed panel of depth kc, into tile[t * NR3 + r]. */
    static void kernel1x3(float[] p, int kc, float[] x, int xo, float[] tile) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c02 = z;
        for (int k = 0; k < kc; k++) {
            int pk = k * NR3, xk = xo + k * 1;
            FloatVector w0 = FloatVector.fromArray(F, p, pk + 0 * L);
            FloatVector w1 = FloatVector.fromArray(F, p, pk + 1 * L);
            FloatVector w2 = FloatVector.fromArray(F, p, pk + 2 * L);
            FloatVector b = FloatVector.broadcast(F, x[xk]);
            c00 = w0.fma(b, c00);
            c01 = w1.fma(b, c01);
            c02 = w2.fma(b, c02);
        }
        c00.intoArray(tile, 0 * NR3 + 0 * L);
        c01.intoArray(tile, 0 * NR3 + 1 * L);
        c02.intoArray(tile, 0 * NR3 + 2 * L);
    }
}
