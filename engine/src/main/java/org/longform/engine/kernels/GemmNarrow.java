package org.longform.engine.kernels;

import static org.longform.engine.kernels.MatMulVector.F;
import static org.longform.engine.kernels.MatMulVector.KC;
import static org.longform.engine.kernels.MatMulVector.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import org.longform.engine.quant.Matrix;

/**
 * The prefill GEMM for 16 vector registers (AVX2), {@link GemmTile#NARROW}: tokens in the vector
 * lanes, weights broadcast. A tile is 4 rows x 2 vectors of tokens (8 accumulators), or 8 rows x 1
 * vector for a last block of L tokens. Weight rows are only widened to floats (contiguous, no
 * transpose into panels: packing cost as much as the FMAs at 64 tokens); x is regrouped once per
 * product into token blocks (xi[t * K + k * m + i] = x[t + i][k], padded with zero tokens to a
 * multiple of L). Each output element still sums its k in order, one FMA chain from zero per
 * depth of {@link MatMulVector#KC}, the depths added in order (fma(x, w, c) = fma(w, x, c)), so
 * the floats are those of the wide tile and of {@code GemmTileTwinTest}'s twin.
 *
 * <p>The sums of a group of rows for all tokens live in a transposed accumulator (rows x tokens)
 * across the depths, so a tile is added with vector loads and stores, and each output element is
 * moved to out (and GELU applied) once.
 */
final class GemmNarrow {
    private GemmNarrow() {}

    /** Rows per unit of work: two vectors, so unit starts keep GELU's vector/scalar split (see below). */
    static final int NR = 2 * L;
    /** Tokens per full block: two vectors. */
    static final int MT = 2 * L;
    /** Most floats of the transposed accumulator per sub-unit (128 KB): it stays in L2 with x's block. */
    private static final int OT_FLOATS = 32 * 1024;
    /** From this many tokens on, {@link #gemmPanels}; below, the token-lane kernels. */
    static final int PANEL_TOKENS = 256;
    /** Most rows per sub-unit: 32 x {@link #WS} floats widened (256 KB) stay in L2. */
    private static final int MAX_ROWS = 32;
    /**
     * Columns widened per row and pass: sixteen depths. The rows of a sub-unit are read piece by
     * piece from memory (mapped weights, far apart); longer pieces stream better: four depths a
     * pass (a 1B Q4_K row piece 288 bytes, not 72) took 10-25 % less CPU time than one at 1B-shape
     * pp64; sixteen (32 rows, not 128) another 2-7 % in GemmAb at T = 64. A kernel call walks all
     * depths of a pass, so its set-up is paid once per pass.
     */
    static final int WS = 16 * KC;

    /** Whether T tokens take the token-lane kernels (and {@link #interleave}'s layout). */
    static boolean lanes(int T) {
        return T < PANEL_TOKENS;
    }

    /** Tokens rounded up to whole vectors: the length of x as {@link #interleave} lays it out is that times K. */
    static int paddedTokens(int T) {
        return (T + L - 1) / L * L;
    }

    /** Tokens in the block that starts at token t: two vectors while they fit in T, then one (padded). */
    static int block(int T, int t) {
        return t + MT <= T ? MT : L;
    }

    /** Columns [k0, k1) of x regrouped into token blocks; tokens past T are zero. */
    static void interleave(float[] x, int T, int K, float[] xi, int k0, int k1) {
        for (int t = 0, m; t < T; t += m) {
            m = block(T, t);
            int base = t * K;
            for (int i = 0; i < m; i++) {
                int dst = base + k0 * m + i;
                if (t + i < T) {
                    int src = (t + i) * K;
                    for (int k = k0; k < k1; k++, dst += m) xi[dst] = x[src + k];
                } else {
                    for (int k = k0; k < k1; k++, dst += m) xi[dst] = 0f;
                }
            }
        }
    }

    /** out[t, a..b) for all T tokens (a a multiple of {@link #NR}); xi as {@link #interleave} lays it out. */
    static void gemm(Matrix w, float[] xi, int T, float[] out, int a, int b, Epilogue ep, MatMulVector.Scratch s) {
        if (!lanes(T)) {
            gemmPanels(w, xi, T, out, a, b, ep, s);
            return;
        }
        int Tp = paddedTokens(T);
        int rows = Math.max(NR, Math.min(MAX_ROWS, OT_FLOATS / Tp / NR * NR));
        for (int ua = a; ua < b; ua += rows) subUnit(w, xi, T, Tp, out, ua, Math.min(b, ua + rows), ep, s);
    }

    private static void subUnit(
            Matrix w, float[] xi, int T, int Tp, float[] out, int a, int b, Epilogue ep, MatMulVector.Scratch s) {
        int N = w.rows(), K = w.cols();
        int R = b - a, Rp = (R + 7) & ~7;
        float[] ot = s.ot(Rp * Tp), wr = s.rows(Rp * WS), tmp = s.scales(K);
        if (ep == Epilogue.ADD) transpose(out, N, a, ot, Tp, T, R, true);
        if (Rp > R) Arrays.fill(wr, R * WS, Rp * WS, 0f);
        for (int k1 = 0; k1 < K; k1 += WS) {
            int kw = Math.min(WS, K - k1);
            for (int r = 0; r < R; r++) MatMulVector.widenRow(w, a + r, k1, kw, wr, r * WS, tmp);
            boolean first = k1 == 0 && ep != Epilogue.ADD;
            // token blocks outside, row groups inside: the block of x stays in L1/L2 for all row groups
            for (int t = 0, m; t < T; t += m) {
                m = block(T, t);
                int xo = t * K + k1 * m;
                if (m == MT) {
                    for (int r = 0; r < Rp; r += 4) kernel4x2(wr, r * WS, kw, xi, xo, ot, r * Tp + t, Tp, first);
                } else {
                    for (int r = 0; r < Rp; r += 8) kernel8x1(wr, r * WS, kw, xi, xo, ot, r * Tp + t, Tp, first);
                }
            }
        }
        // GELU over [a, b) of each token row: a is a multiple of L, so the elements that take the
        // scalar GELU are the row's last N % L, as for the wide tile's panels and the twin
        transpose(out, N, a, ot, Tp, T, R, false);
        if (ep == Epilogue.GELU) for (int t = 0; t < T; t++) Gelu.vector(out, t * N + a, t * N + a + R);
    }

    /**
     * Moves out[t, a + r] to ot[r * Tp + t] (in) or back, for t < T, r < R: 16 rows at a time over
     * all tokens, so the 16 lines of ot a token reads stay in L1 for the next 15 tokens.
     */
    private static void transpose(float[] out, int N, int a, float[] ot, int Tp, int T, int R, boolean in) {
        for (int r0 = 0; r0 < R; r0 += 16) {
            int r1 = Math.min(R, r0 + 16);
            for (int t = 0; t < T; t++) {
                int o = t * N + a;
                if (in) for (int r = r0; r < r1; r++) ot[r * Tp + t] = out[o + r];
                else for (int r = r0; r < r1; r++) out[o + r] = ot[r * Tp + t];
            }
        }
    }

    /** Stores (first depth) or adds a tile's accumulator to ot. */
    private static void put(FloatVector c, float[] ot, int o, boolean first) {
        if (first) c.intoArray(ot, o);
        else c.add(FloatVector.fromArray(F, ot, o)).intoArray(ot, o);
    }

    /**
     * Rows [r, r + 4) (wr at wo, row stride {@link #WS}) x the 2L tokens of a block, over depth kw, into ot
     * (row stride Tp): each depth of {@link MatMulVector#KC} from zero, then stored (the first depth
     * if first) or added to ot. One call walks all depths of a widened pass: the set-up is paid once.
     */
    static void kernel4x2(float[] wr, int wo, int kw, float[] x, int xo, float[] ot, int oo, int Tp, boolean first) {
        FloatVector z = FloatVector.zero(F);
        for (int h = 0; h < kw; h += KC) {
            int kc = Math.min(KC, kw - h), wh = wo + h, xh = xo + h * MT;
            FloatVector c00 = z, c01 = z;
            FloatVector c10 = z, c11 = z;
            FloatVector c20 = z, c21 = z;
            FloatVector c30 = z, c31 = z;
            for (int k = 0; k < kc; k++) {
                int xk = xh + k * MT, wk = wh + k;
                FloatVector x0 = FloatVector.fromArray(F, x, xk);
                FloatVector x1 = FloatVector.fromArray(F, x, xk + L);
                FloatVector b = FloatVector.broadcast(F, wr[wk]);
                c00 = x0.fma(b, c00);
                c01 = x1.fma(b, c01);
                b = FloatVector.broadcast(F, wr[wk + WS]);
                c10 = x0.fma(b, c10);
                c11 = x1.fma(b, c11);
                b = FloatVector.broadcast(F, wr[wk + 2 * WS]);
                c20 = x0.fma(b, c20);
                c21 = x1.fma(b, c21);
                b = FloatVector.broadcast(F, wr[wk + 3 * WS]);
                c30 = x0.fma(b, c30);
                c31 = x1.fma(b, c31);
            }
            boolean f = first && h == 0;
            put(c00, ot, oo, f);
            put(c01, ot, oo + L, f);
            put(c10, ot, oo + Tp, f);
            put(c11, ot, oo + Tp + L, f);
            put(c20, ot, oo + 2 * Tp, f);
            put(c21, ot, oo + 2 * Tp + L, f);
            put(c30, ot, oo + 3 * Tp, f);
            put(c31, ot, oo + 3 * Tp + L, f);
        }
    }

    /** Rows [r, r + 8) x the L tokens of a last block, over depth kw, into ot (row stride Tp); as {@link #kernel4x2}. */
    static void kernel8x1(float[] wr, int wo, int kw, float[] x, int xo, float[] ot, int oo, int Tp, boolean first) {
        FloatVector z = FloatVector.zero(F);
        for (int h = 0; h < kw; h += KC) {
            int kc = Math.min(KC, kw - h), wh = wo + h, xh = xo + h * L;
            FloatVector c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z, c6 = z, c7 = z;
            for (int k = 0; k < kc; k++) {
                int wk = wh + k;
                FloatVector x0 = FloatVector.fromArray(F, x, xh + k * L);
                c0 = x0.fma(FloatVector.broadcast(F, wr[wk]), c0);
                c1 = x0.fma(FloatVector.broadcast(F, wr[wk + WS]), c1);
                c2 = x0.fma(FloatVector.broadcast(F, wr[wk + 2 * WS]), c2);
                c3 = x0.fma(FloatVector.broadcast(F, wr[wk + 3 * WS]), c3);
                c4 = x0.fma(FloatVector.broadcast(F, wr[wk + 4 * WS]), c4);
                c5 = x0.fma(FloatVector.broadcast(F, wr[wk + 5 * WS]), c5);
                c6 = x0.fma(FloatVector.broadcast(F, wr[wk + 6 * WS]), c6);
                c7 = x0.fma(FloatVector.broadcast(F, wr[wk + 7 * WS]), c7);
            }
            boolean f = first && h == 0;
            put(c0, ot, oo, f);
            put(c1, ot, oo + Tp, f);
            put(c2, ot, oo + 2 * Tp, f);
            put(c3, ot, oo + 3 * Tp, f);
            put(c4, ot, oo + 4 * Tp, f);
            put(c5, ot, oo + 5 * Tp, f);
            put(c6, ot, oo + 6 * Tp, f);
            put(c7, ot, oo + 7 * Tp, f);
        }
    }

    // ------------------------------------------------------------------ packed panels, long prompts

    /** Packed-panel path: most panel depths a kernel call walks (the tile's sums stay in L1 across them). */
    static final int DEPTH_CHUNK = 8 * KC;
    /** Packed-panel path: most floats of the panels packed at once (256 KB): they stay in L2. */
    private static final int PANEL_FLOATS = 64 * 1024;

    /**
     * Long prompts ({@link #PANEL_TOKENS}+): weights packed into column-major panels of {@link #NR}
     * rows, 4, 2 or 1 tokens x 2 vectors of rows; x as {@link MatMulVector#interleave} lays it out
     * for the tile's blocks. The packing's transpose is paid once per weight per product, which
     * 256+ tokens amortize; this ran 5-12 % faster than the token-lane kernels at 512 tokens.
     *
     * <p>A few panels are packed up to {@link #DEPTH_CHUNK} deep, and one kernel call walks all of
     * those depths for a block of tokens, adding each depth's sums to the tile in L1 (in depth
     * order, as before): out is read and written once per chunk, not once per depth, and the
     * call's set-up is paid once per chunk.
     */
    private static void gemmPanels(
            Matrix w, float[] xi, int T, float[] out, int a, int b, Epilogue ep, MatMulVector.Scratch s) {
        int N = w.rows(), K = w.cols();
        int np = (b - a + NR - 1) / NR;
        int kd = Math.min(K, DEPTH_CHUNK);
        int sp = Math.max(1, Math.min(np, PANEL_FLOATS / (kd * NR)));
        int ps = kd * NR; // floats per packed panel
        float[] panels = s.deep(sp * ps), tile = s.tile;
        for (int p0 = 0; p0 < np; p0 += sp) {
            int pn = Math.min(sp, np - p0);
            for (int k0 = 0; k0 < K; k0 += kd) {
                int kw = Math.min(kd, K - k0);
                for (int p = 0; p < pn; p++) {
                    int n0 = a + (p0 + p) * NR;
                    pack(w, n0, Math.min(NR, b - n0), k0, kw, panels, p * ps, s);
                }
                boolean add = k0 > 0 || ep == Epilogue.ADD;
                boolean gelu = k0 + kw == K && ep == Epilogue.GELU;
                for (int t = 0, m; t < T; t += m) {
                    m = t + 4 <= T ? 4 : t + 2 <= T ? 2 : 1;
                    int xo = t * K + k0 * m;
                    for (int p = 0; p < pn; p++) {
                        int n0 = a + (p0 + p) * NR, nr = Math.min(NR, b - n0), o = t * N + n0;
                        if (add) load(tile, m, out, o, N, nr);
                        switch (m) {
                            case 4 -> kernel4(panels, p * ps, kw, xi, xo, tile, add);
                            case 2 -> kernel2(panels, p * ps, kw, xi, xo, tile, add);
                            default -> kernel1(panels, p * ps, kw, xi, xo, tile, add);
                        }
                        store(tile, m, out, o, N, nr, false, gelu);
                    }
                }
            }
        }
    }

    /** out's mt x nr tile at o (row stride N) into tile[t * NR + r]: the sums a chunk adds to. */
    private static void load(float[] tile, int mt, float[] out, int o, int N, int nr) {
        for (int t = 0; t < mt; t++) System.arraycopy(out, o + t * N, tile, t * NR, nr);
    }

    /** {@link MatMulVector#store} for narrow panels. */
    private static void store(float[] tile, int mt, float[] out, int o, int N, int nr, boolean add, boolean gelu) {
        MatMulVector.store(tile, mt, out, o, N, nr, NR, add, gelu);
    }

    /** {@link MatMulVector#pack} for narrow panels, kc deep, at po: panel[po + k * NR + r]. */
    private static void pack(Matrix w, int n0, int nr, int k0, int kc, float[] panel, int po, MatMulVector.Scratch s) {
        float[] row = s.row(kc), tmp = s.scales(w.cols());
        for (int r = 0; r < nr; r++) {
            MatMulVector.widenRow(w, n0 + r, k0, kc, row, tmp);
            for (int k = 0, p = po + r; k < kc; k++, p += NR) panel[p] = row[k];
        }
        for (int r = nr; r < NR; r++) {
            for (int k = 0, p = po + r; k < kc; k++, p += NR) panel[p] = 0f;
        }
    }

    /**
     * 4 tokens x 2 vectors over one packed panel (at po, kw deep), into tile[t * NR + r]: each depth of
     * {@link MatMulVector#KC} from zero, then stored (the first depth, unless add) or added to the tile.
     */
    private static void kernel4(float[] p, int po, int kw, float[] x, int xo, float[] tile, boolean add) {
        FloatVector z = FloatVector.zero(F);
        for (int h = 0; h < kw; h += KC) {
            int kc = Math.min(KC, kw - h), ph = po + h * NR, xh = xo + h * 4;
            FloatVector c00 = z, c01 = z;
            FloatVector c10 = z, c11 = z;
            FloatVector c20 = z, c21 = z;
            FloatVector c30 = z, c31 = z;
            for (int k = 0; k < kc; k++) {
                int pk = ph + k * NR, xk = xh + k * 4;
                FloatVector w0 = FloatVector.fromArray(F, p, pk);
                FloatVector w1 = FloatVector.fromArray(F, p, pk + L);
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
            boolean first = h == 0 && !add;
            put(c00, tile, 0 * NR, first);
            put(c01, tile, 0 * NR + L, first);
            put(c10, tile, 1 * NR, first);
            put(c11, tile, 1 * NR + L, first);
            put(c20, tile, 2 * NR, first);
            put(c21, tile, 2 * NR + L, first);
            put(c30, tile, 3 * NR, first);
            put(c31, tile, 3 * NR + L, first);
        }
    }

    /**
     * 2 tokens x 2 vectors over one packed panel (at po, kw deep), into tile[t * NR + r]: each depth of
     * {@link MatMulVector#KC} from zero, then stored (the first depth, unless add) or added to the tile.
     */
    private static void kernel2(float[] p, int po, int kw, float[] x, int xo, float[] tile, boolean add) {
        FloatVector z = FloatVector.zero(F);
        for (int h = 0; h < kw; h += KC) {
            int kc = Math.min(KC, kw - h), ph = po + h * NR, xh = xo + h * 2;
            FloatVector c00 = z, c01 = z;
            FloatVector c10 = z, c11 = z;
            for (int k = 0; k < kc; k++) {
                int pk = ph + k * NR, xk = xh + k * 2;
                FloatVector w0 = FloatVector.fromArray(F, p, pk);
                FloatVector w1 = FloatVector.fromArray(F, p, pk + L);
                FloatVector b = FloatVector.broadcast(F, x[xk]);
                c00 = w0.fma(b, c00);
                c01 = w1.fma(b, c01);
                b = FloatVector.broadcast(F, x[xk + 1]);
                c10 = w0.fma(b, c10);
                c11 = w1.fma(b, c11);
            }
            boolean first = h == 0 && !add;
            put(c00, tile, 0 * NR, first);
            put(c01, tile, 0 * NR + L, first);
            put(c10, tile, 1 * NR, first);
            put(c11, tile, 1 * NR + L, first);
        }
    }

    /**
     * 1 token x 2 vectors over one packed panel (at po, kw deep), into tile[t * NR + r]: each depth of
     * {@link MatMulVector#KC} from zero, then stored (the first depth, unless add) or added to the tile.
     */
    private static void kernel1(float[] p, int po, int kw, float[] x, int xo, float[] tile, boolean add) {
        FloatVector z = FloatVector.zero(F);
        for (int h = 0; h < kw; h += KC) {
            int kc = Math.min(KC, kw - h), ph = po + h * NR, xh = xo + h * 1;
            FloatVector c00 = z, c01 = z;
            for (int k = 0; k < kc; k++) {
                int pk = ph + k * NR, xk = xh + k * 1;
                FloatVector w0 = FloatVector.fromArray(F, p, pk);
                FloatVector w1 = FloatVector.fromArray(F, p, pk + L);
                FloatVector b = FloatVector.broadcast(F, x[xk]);
                c00 = w0.fma(b, c00);
                c01 = w1.fma(b, c01);
            }
            boolean first = h == 0 && !add;
            put(c00, tile, 0 * NR, first);
            put(c01, tile, 0 * NR + L, first);
        }
    }
}
