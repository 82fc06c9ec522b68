package org.longform.engine.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.longform.engine.SystemOptions;
import org.longform.engine.io.Tensor;
import org.longform.engine.quant.DenseMatrix;
import org.longform.engine.quant.KQuantMatrix;
import org.longform.engine.quant.Matrix;
import org.longform.engine.quant.QuantMatrix;
import org.longform.engine.quant.WeightType;

/**
 * Matrix products over weights in their stored or quantized form, with the widest vector species.
 * <ul>
 * <li>One token (decode): each weight is read once, straight from (mapped) memory, several rows far
 *     apart at a time (eight for bf16 and f16, four for the others) against the same activation vector, each
 *     thread first in one long piece of the matrix, then in small chunks. bf16 widens with a 16-bit shift, f16 with integer
 *     bit arithmetic, q8_0 sign-extends bytes to floats, q4_0 turns its signed nibbles into floats
 *     scaled by powers of two that are folded into a prepared copy of x. Block scales are read in
 *     place.</li>
 * <li>Several tokens (prefill): rows are dequantized once per panel of nr rows x
 *     {@link #KC} columns into a column-major float panel that stays in L1/L2, and a register tile
 *     of tokens x nr rows walks it with broadcast-FMA, so weights cost one conversion per panel and
 *     the FMA units, not memory, set the pace. The tile fits the register file ({@link GemmTile}:
 *     6 tokens x 4 vectors with 32 registers, 4 x 2 with AVX2's 16).</li>
 * </ul>
 * Epilogues (add into the output, GELU) are applied as results are stored. Work is split into
 * row chunks handed out dynamically across the {@link Parallel} team; the {@link Job} and its
 * per-thread scratch are reused, so the token loop allocates nothing.
 */
public final class MatMulVector {
    private MatMulVector() {}

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    static final int L = F.length();
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    /** Bytes widened to one float vector; none below 8 lanes (then the quantized kernels run scalar loops). */
    static final VectorSpecies<Byte> B = L >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8)) : null;

    static final boolean QVEC = L >= 8 && 32 % L == 0;
    /** Rows per wide packed panel (four vectors): the most any {@link GemmTile} holds; scratch is sized by it. */
    static final int NR = 4 * L;
    /** The prefill register tile for this width (-Dlongform.gemmRegisters overrides the register count). */
    static final GemmTile TILE =
            GemmTile.forRegisters(GemmTile.registers(F.vectorBitSize(), SystemOptions.gemmRegisters()));
    /** Panel depth: NR x KC floats stay in L1. */
    static final int KC = SystemOptions.gemmDepth();

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final float LO4 = 0x1p-28f, HI4 = 1f / 16;
    /** Decode: the tail after the long pieces is cut into about this many chunks per thread. */
    static final int GEMV_CHUNKS = SystemOptions.gemvChunks();
    /** Decode: the share of a matrix's rows handed out as one long piece per thread. */
    static final double GEMV_HEAD = SystemOptions.gemvHead();

    /** Per-thread scratch, grown on first use and kept. */
    static final class Scratch {
        float[] panel = new float[KC * NR];
        /** Panels of one multi-panel unit ({@link #gemm}); [0] is {@link #panel}. */
        float[][] panels = {panel};

        float[][] panels(int n) {
            if (panels.length < n) {
                float[][] p = Arrays.copyOf(panels, n);
                for (int i = panels.length; i < n; i++) p[i] = new float[KC * NR];
                panels = p;
            }
            return panels;
        }

        float[] row = new float[KC];

        float[] row(int n) {
            if (row.length < n) row = new float[n];
            return row;
        }

        /** {@link GemmNarrow}'s packed panels, several depths deep. */
        private float[] deep = new float[0];

        float[] deep(int n) {
            if (deep.length < n) deep = new float[n];
            return deep;
        }

        final float[] tile = new float[6 * NR];
        float[] scales = new float[64];

        float[] scales(int n) {
            if (scales.length < n) scales = new float[n];
            return scales;
        }

        /** {@link GemmNarrow}: a sub-unit's sums, rows x tokens, and its rows widened to one depth. */
        private float[] ot = new float[0], rows = new float[0];

        float[] ot(int n) {
            if (ot.length < n) ot = new float[n];
            return ot;
        }

        float[] rows(int n) {
            if (rows.length < n) rows = new float[n];
            return rows;
        }
    }

    /** A reusable product: {@link #set} the operands, then run it on the team. */
    public static final class Job implements Parallel.Job {
        private final Scratch[] scratch;
        private final GemmTile tile;
        private final AtomicInteger next = new AtomicInteger();
        private Matrix w;
        private float[] x, xq = new float[0], out;
        private boolean xqScaled; // f16: xq carries 2^112 (prepareF16)
        private int T, N, chunk, units, head, heads;
        private Epilogue ep;
        private final Activations activations;
        private final Q8Activations q8 = new Q8Activations();
        private boolean int8; // this product: one token through MatMulInt8 on q8

        public Job(int threads) {
            this(threads, Activations.EXACT, TILE);
        }

        /** With {@link Activations#Q8}, one-token products of the types {@link MatMulInt8} takes round x to int8. */
        public Job(int threads, Activations activations) {
            this(threads, activations, TILE);
        }

        /** With a given register tile (tests and benchmarks compare tiles in one JVM). */
        Job(int threads, GemmTile tile) {
            this(threads, Activations.EXACT, tile);
        }

        private Job(int threads, Activations activations, GemmTile tile) {
            this.tile = tile;
            scratch = new Scratch[Math.max(1, threads)];
            for (int i = 0; i < scratch.length; i++) scratch[i] = new Scratch();
            this.activations = activations;
        }

        public Job set(Matrix w, float[] x, int T, float[] out, Epilogue ep) {
            this.w = w;
            this.x = x;
            this.T = T;
            this.out = out;
            this.ep = ep;
            this.N = w.rows();
            int threads = scratch.length;
            if (T == 1) {
                // guided: one long piece per thread first (the rows a pass reads, 4-8 far apart, then stream
                // for long, which the prefetchers need: small chunks of a 4.7 MB matrix ran
                // at 26 GB/s where whole halves ran at 36), then a tail in small chunks that balances
                // a thread that joined late
                int head = (int) (N * GEMV_HEAD) / threads & ~15;
                int tail = N - head * threads;
                int c = (tail + threads * GEMV_CHUNKS - 1) / (threads * GEMV_CHUNKS);
                chunk = Math.max(16, (c + 15) & ~15);
                this.head = head;
                this.heads = head > 0 ? threads : 0;
                units = heads + (tail + chunk - 1) / chunk;
                int8 = activations == Activations.Q8 && MatMulInt8.handles(w) && w.cols() % Q8Activations.BLOCK == 0;
                if (int8) q8.quantize(x, w.cols());
                else if (w.type() == WeightType.Q4_0) prepareQ4(x, w.cols());
                else if (w instanceof KQuantMatrix km && MatMulKQuant.needsSums(km)) {
                    // k-quants with mins: xq holds x's sums over its 32-wide sub-blocks
                    if (xq.length < w.cols() / 32) xq = new float[w.cols() / 32];
                    MatMulKQuantScalar.subSums(x, w.cols(), xq);
                } else if (w.type() == WeightType.BF16 || w.type() == WeightType.F16) {
                    if (xq.length < w.cols()) xq = new float[w.cols()];
                    if (w.type() == WeightType.F16) xqScaled = prepareF16(x, w.cols(), xq);
                    else prepareBf16(x, w.cols(), xq);
                }
            } else {
                heads = 0;
                int8 = false;
                // up to tile.unitPanels panels per unit, while each thread still gets 4+ units
                int nr = tile.nr, panels = (N + nr - 1) / nr;
                chunk = nr
                        * unitPanels(panels, Math.max(1, Math.min(tile.unitPanels, panels / (4 * threads))), threads);
                int K = w.cols(), len = interleavedLength(T, K, tile);
                if (xq.length < len) xq = new float[len];
                // x is regrouped by interleave(k0, k1) before the job runs (by the team, in k ranges)
                units = (N + chunk - 1) / chunk;
            }
            next.set(0);
            return this;
        }

        /**
         * Panels per unit: of c down to c / 2, the size that leaves the busiest thread the fewest
         * panels when every thread takes units in turn (the larger size on a tie). 2304 rows (144
         * panels, the 125M's qkv) in 16-panel units made 9: one thread ran 5, the other 4; 12-panel
         * units make 12.
         */
        static int unitPanels(int panels, int c, int threads) {
            int best = c, load = Integer.MAX_VALUE;
            for (int d = c; d >= Math.max(1, c / 2); d--) {
                int units = (panels + d - 1) / d, l = (units + threads - 1) / threads * d;
                if (l < load) {
                    load = l;
                    best = d;
                }
            }
            return best;
        }

        private void prepareQ4(float[] x, int K) {
            if (xq.length < K) xq = new float[K];
            for (int k = 0; k < K; k++) xq[k] = x[k] * ((k & 31) < 16 ? LO4 : HI4);
        }

        /** For T > 1, before {@link #run}: regroups columns [k0, k1) of x into the layout the GEMM reads. */
        public void interleave(int k0, int k1) {
            MatMulVector.interleave(x, T, w.cols(), xq, k0, k1, tile);
        }

        /** Whether {@link #interleave} must run before the product. */
        public boolean needsInterleave() {
            return T > 1;
        }

        @Override
        public void run(int worker) {
            Scratch s = scratch[worker];
            int u;
            while ((u = next.getAndIncrement()) < units) {
                int a, b;
                if (u < heads) {
                    a = u * head;
                    b = a + head;
                } else {
                    a = heads * head + (u - heads) * chunk;
                    b = Math.min(N, a + chunk);
                }
                if (int8) MatMulInt8.gemv(w, q8, out, a, b, ep);
                else if (T == 1) gemv(w, x, xq, xqScaled, out, a, b, ep, s);
                else gemm(w, xq, T, out, a, b, ep, s, tile);
            }
        }
    }

    /** Single-threaded entry (tests, benchmarks). */
    public static void matmul(Matrix w, float[] x, int T, float[] out, Epilogue ep) {
        matmul(w, x, T, out, ep, TILE);
    }

    /** Single-threaded, with a given register tile. */
    static void matmul(Matrix w, float[] x, int T, float[] out, Epilogue ep, GemmTile tile) {
        Job j = new Job(1, tile).set(w, x, T, out, ep);
        if (j.needsInterleave()) j.interleave(0, w.cols());
        j.run(0);
    }

    static void put(float[] out, int i, float s, Epilogue ep) {
        switch (ep) {
            case STORE -> out[i] = s;
            case ADD -> out[i] += s;
            case GELU -> out[i] = Gelu.scalar(s);
        }
    }

    // ------------------------------------------------------------------ widening loads

    static FloatVector bf16(MemorySegment seg, long byteOff) {
        ShortVector s = ShortVector.fromMemorySegment(S, seg, byteOff, LE);
        return ((IntVector) s.convertShape(VectorOperators.S2I, I, 0))
                .lanewise(VectorOperators.LSHL, 16)
                .reinterpretAsFloats();
    }

    static FloatVector f16(MemorySegment seg, long byteOff) {
        return halfToFloat(ShortVector.fromMemorySegment(S, seg, byteOff, LE));
    }

    /** Exact IEEE half to float for finite values (see {@link #top16ToFloat}). */
    static FloatVector halfToFloat(ShortVector h) {
        return top16ToFloat(((IntVector) h.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16));
    }

    /**
     * The half in the top 16 bits of each lane as a float, exact for finite values (infinities
     * and NaNs come out finite; weights and caches hold none). Shifted right by 3 (arithmetic) and
     * masked, the half's sign, exponent and mantissa sit where a float's go, with the exponent
     * bias 112 short: the product with 2^112 is the value, subnormal halves included (they
     * are float subnormals before it, exact). Three ops, where rebias plus a subnormal blend took
     * eight, and the bits below 16 (the even half of a pair read as one int) are masked away.
     */
    static FloatVector top16ToFloat(IntVector w) {
        return w.lanewise(VectorOperators.ASHR, 3)
                .and(HALF_BITS)
                .reinterpretAsFloats()
                .mul(HALF_SCALE);
    }

    private static final int HALF_BITS = 0x8FFFE000;
    private static final float HALF_SCALE = 0x1p112f;

    /** n f16 values starting at element {@code index} of seg, widened into dst[0, n). */
    static void halfToFloat(MemorySegment seg, long index, int n, float[] dst) {
        halfToFloat(seg, index, n, dst, 0);
    }

    /** n f16 values starting at element {@code index} of seg, widened into dst[off, off + n). */
    static void halfToFloat(MemorySegment seg, long index, int n, float[] dst, int off) {
        int i = 0;
        for (; i + L <= n; i += L) f16(seg, (index + i) * 2).intoArray(dst, off + i);
        for (; i < n; i++) dst[off + i] = Float.float16ToFloat(seg.getAtIndex(SHORT_LE, index + i));
    }

    static FloatVector q8(MemorySegment q, long off) {
        return (FloatVector) ByteVector.fromMemorySegment(B, q, off, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    /** {@link #q8} as bytes to ints to floats (the same values): B2F took twice as long under AVX2. */
    static FloatVector q8i(MemorySegment q, long off) {
        return ((IntVector) ByteVector.fromMemorySegment(B, q, off, LE).convertShape(VectorOperators.B2I, I, 0))
                .convert(VectorOperators.I2F, 0)
                .reinterpretAsFloats();
    }

    /** L q4 bytes sign-extended to ints: low nibble as lo * 2^28 via a shift, high nibble as hi * 16 via a mask. */
    static IntVector q4(MemorySegment q, long off) {
        return (IntVector) ByteVector.fromMemorySegment(B, q, off, LE).convertShape(VectorOperators.B2I, I, 0);
    }

    static FloatVector q4lo(IntVector v) {
        return (FloatVector) v.lanewise(VectorOperators.LSHL, 28).convertShape(VectorOperators.I2F, F, 0);
    }

    static FloatVector q4hi(IntVector v) {
        return (FloatVector) v.and(-16).convertShape(VectorOperators.I2F, F, 0);
    }

    // ------------------------------------------------------------------ one token

    static void gemv(
            Matrix w, float[] x, float[] xq, boolean xqScaled, float[] out, int a, int b, Epilogue ep, Scratch s) {
        if (ep == Epilogue.GELU) {
            // GELU over the finished rows with the vector exp: a scalar erf per row (Math.exp in
            // double) was a fifth of the up-projection's time in decode
            gemv(w, x, xq, xqScaled, out, a, b, Epilogue.STORE, s);
            Gelu.vector(out, a, b);
            return;
        }
        switch (w) {
            case DenseMatrix d -> {
                Tensor t = d.tensor();
                switch (t.dtype()) {
                    case BF16 -> gemvBf16(t.data(), t.cols(), xq, x, out, a, b, ep);
                    case F16 -> gemvF16(t.data(), t.cols(), xq, xqScaled, x, out, a, b, ep);
                    case F32 -> gemvF32(t.data(), t.cols(), x, out, a, b, ep);
                }
            }
            case KQuantMatrix k -> MatMulKQuant.gemv(k, x, xq, out, a, b, ep, s.tile);
            case QuantMatrix q -> {
                if (!QVEC) gemvScalar(q, x, out, a, b, ep, s);
                else if (q.type() == WeightType.Q8_0) gemvQ8(q, x, out, a, b, ep, s);
                else gemvQ4(q, xq, out, a, b, ep, s);
            }
        }
    }

    private static void gemvScalar(Matrix w, float[] x, float[] out, int a, int b, Epilogue ep, Scratch s) {
        int K = w.cols();
        float[] row = s.scales(K);
        for (int n = a; n < b; n++) {
            w.row(n, row, 0);
            float acc = 0;
            for (int k = 0; k < K; k++) acc += row[k] * x[k];
            put(out, n, acc, ep);
        }
    }

    // Each loop nest lives in its own small method that takes and returns no vectors: C2 inlines
    // the Vector API's deep call chains within a node budget, and a method holding several unrolled
    // nests runs out of it, leaving vector ops as calls on boxed vectors (10-50x slower).

    /**
     * bf16, eight rows per pass. A 512-bit load holds 2L bf16 weights; read as L ints, each lane
     * carries an even-indexed weight in its low half and the next (odd) one in its high half, so
     * {@code v << 16} and {@code v & 0xFFFF0000} are the even and odd weights as floats: two ops for
     * 2L weights. x is prepared once per product with each 2L-chunk split into its even and odd
     * elements ({@link #prepareBf16}).
     */
    private static void gemvBf16(
            MemorySegment seg, int K, float[] xp, float[] x, float[] out, int a, int b, Epilogue ep) {
        // eight rows far apart: eight streams keep more misses in flight than four (a [768 x 3072]
        // matrix read 14-15 -> 23-30 GB/s on one core, [3072 x 768] 22-28 -> 33-35)
        int e = (b - a) / 8;
        for (int i = 0; i < e; i++) bf16Rows8(seg, K, xp, x, out, a + i, e, ep);
        for (int n = a + 8 * e; n < b; n++) bf16Row(seg, K, xp, x, out, n, ep); // at most 7
    }

    /** Rows n0, n0 + d, ..., n0 + 7d against the prepared x (see {@link #gemvBf16}). */
    private static void bf16Rows8(
            MemorySegment seg, int K, float[] xp, float[] x, float[] out, int n0, int d, Epilogue ep) {
        int c2 = 2 * L, kb = K - K % c2;
        long rb = 2L * K, r0 = n0 * rb, dr = d * rb;
        long r1 = r0 + dr, r2 = r1 + dr, r3 = r2 + dr, r4 = r3 + dr, r5 = r4 + dr, r6 = r5 + dr, r7 = r6 + dr;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int k = 0; k < kb; k += c2) {
            FloatVector xe = FloatVector.fromArray(F, xp, k), xo = FloatVector.fromArray(F, xp, k + L);
            long o = 2L * k;
            IntVector v0 = IntVector.fromMemorySegment(I, seg, r0 + o, LE);
            IntVector v1 = IntVector.fromMemorySegment(I, seg, r1 + o, LE);
            IntVector v2 = IntVector.fromMemorySegment(I, seg, r2 + o, LE);
            IntVector v3 = IntVector.fromMemorySegment(I, seg, r3 + o, LE);
            IntVector v4 = IntVector.fromMemorySegment(I, seg, r4 + o, LE);
            IntVector v5 = IntVector.fromMemorySegment(I, seg, r5 + o, LE);
            IntVector v6 = IntVector.fromMemorySegment(I, seg, r6 + o, LE);
            IntVector v7 = IntVector.fromMemorySegment(I, seg, r7 + o, LE);
            a0 = v0.lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats()
                    .fma(xe, v0.and(0xFFFF0000).reinterpretAsFloats().fma(xo, a0));
            a1 = v1.lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats()
                    .fma(xe, v1.and(0xFFFF0000).reinterpretAsFloats().fma(xo, a1));
            a2 = v2.lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats()
                    .fma(xe, v2.and(0xFFFF0000).reinterpretAsFloats().fma(xo, a2));
            a3 = v3.lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats()
                    .fma(xe, v3.and(0xFFFF0000).reinterpretAsFloats().fma(xo, a3));
            a4 = v4.lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats()
                    .fma(xe, v4.and(0xFFFF0000).reinterpretAsFloats().fma(xo, a4));
            a5 = v5.lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats()
                    .fma(xe, v5.and(0xFFFF0000).reinterpretAsFloats().fma(xo, a5));
            a6 = v6.lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats()
                    .fma(xe, v6.and(0xFFFF0000).reinterpretAsFloats().fma(xo, a6));
            a7 = v7.lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats()
                    .fma(xe, v7.and(0xFFFF0000).reinterpretAsFloats().fma(xo, a7));
        }
        put(out, n0, a0.reduceLanes(VectorOperators.ADD) + tailBf16(seg, r0, x, kb, K), ep);
        put(out, n0 + d, a1.reduceLanes(VectorOperators.ADD) + tailBf16(seg, r1, x, kb, K), ep);
        put(out, n0 + 2 * d, a2.reduceLanes(VectorOperators.ADD) + tailBf16(seg, r2, x, kb, K), ep);
        put(out, n0 + 3 * d, a3.reduceLanes(VectorOperators.ADD) + tailBf16(seg, r3, x, kb, K), ep);
        put(out, n0 + 4 * d, a4.reduceLanes(VectorOperators.ADD) + tailBf16(seg, r4, x, kb, K), ep);
        put(out, n0 + 5 * d, a5.reduceLanes(VectorOperators.ADD) + tailBf16(seg, r5, x, kb, K), ep);
        put(out, n0 + 6 * d, a6.reduceLanes(VectorOperators.ADD) + tailBf16(seg, r6, x, kb, K), ep);
        put(out, n0 + 7 * d, a7.reduceLanes(VectorOperators.ADD) + tailBf16(seg, r7, x, kb, K), ep);
    }

    /** xp: per chunk of 2L elements, the L even ones then the L odd ones; a tail past the last full chunk is left as is. */
    static void prepareBf16(float[] x, int K, float[] xp) {
        int c2 = 2 * L, kb = K - K % c2;
        for (int c = 0; c < kb; c += c2) {
            for (int j = 0; j < L; j++) {
                xp[c + j] = x[c + 2 * j];
                xp[c + L + j] = x[c + 2 * j + 1];
            }
        }
        System.arraycopy(x, kb, xp, kb, K - kb);
    }

    private static void bf16Row(MemorySegment seg, int K, float[] xp, float[] x, float[] out, int n, Epilogue ep) {
        int c2 = 2 * L, kb = K - K % c2;
        long r = n * 2L * K;
        FloatVector acc = FloatVector.zero(F), acc2 = acc;
        int k = 0;
        for (; k + 2 * c2 <= kb; k += 2 * c2) {
            IntVector v = IntVector.fromMemorySegment(I, seg, r + 2L * k, LE);
            IntVector u = IntVector.fromMemorySegment(I, seg, r + 2L * k + 4 * L, LE);
            acc = v.lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats()
                    .fma(
                            FloatVector.fromArray(F, xp, k),
                            v.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, xp, k + L), acc));
            acc2 = u.lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats()
                    .fma(
                            FloatVector.fromArray(F, xp, k + c2),
                            u.and(0xFFFF0000)
                                    .reinterpretAsFloats()
                                    .fma(FloatVector.fromArray(F, xp, k + c2 + L), acc2));
        }
        for (; k < kb; k += c2) {
            IntVector v = IntVector.fromMemorySegment(I, seg, r + 2L * k, LE);
            acc = v.lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats()
                    .fma(
                            FloatVector.fromArray(F, xp, k),
                            v.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, xp, k + L), acc));
        }
        put(out, n, acc.add(acc2).reduceLanes(VectorOperators.ADD) + tailBf16(seg, r, x, kb, K), ep);
    }

    private static float tailBf16(MemorySegment seg, long rowByte, float[] x, int kb, int K) {
        float s = 0;
        for (int k = kb; k < K; k++)
            s += Float.intBitsToFloat((seg.get(SHORT_LE, rowByte + 2L * k) & 0xFFFF) << 16) * x[k];
        return s;
    }

    /**
     * f16, eight rows far apart per pass like bf16: a 512-bit load read as L ints holds 2L halves,
     * the odd ones in the top halves of the lanes and the even ones brought there by {@code << 16};
     * {@link #top16ToFloat} widens each (x prepared as for bf16).
     */
    private static void gemvF16(
            MemorySegment seg, int K, float[] xp, boolean scaled, float[] x, float[] out, int a, int b, Epilogue ep) {
        if (!scaled) { // an activation of 2^15 or more: rare, so one row at a time, widening as is
            for (int n = a; n < b; n++) f16Row(seg, K, xp, false, x, out, n, ep);
            return;
        }
        int e = (b - a) / 8;
        for (int i = 0; i < e; i++) f16Rows8(seg, K, xp, x, out, a + i, e, ep);
        for (int n = a + 8 * e; n < b; n++) f16Row(seg, K, xp, true, x, out, n, ep); // at most 7
    }

    /**
     * x prepared as for bf16 and, when every |x| is below 2^15, times 2^112 (returns true): the
     * kernel then skips the 2^112 of each widened half, as (w 2^-112)(x 2^112) = w x exactly, both
     * scalings being exact (no overflow, and w 2^-112 is the half's bits read as a float). One op
     * of five per 16 weights.
     */
    static boolean prepareF16(float[] x, int K, float[] xp) {
        prepareBf16(x, K, xp);
        int kb = K - K % (2 * L);
        float max = 0;
        for (int k = 0; k < kb; k++) max = Math.max(max, Math.abs(x[k]));
        if (!(max < 0x1p15f)) return false; // NaN too
        for (int k = 0; k < kb; k++) xp[k] *= HALF_SCALE;
        return true;
    }

    /** Eight rows; the widening is spelled out because, as calls, C2 did not always inline it here and boxed the vectors (100x slower). */
    private static void f16Rows8(
            MemorySegment seg, int K, float[] xp, float[] x, float[] out, int n0, int d, Epilogue ep) {
        int c2 = 2 * L, kb = K - K % c2;
        long rb = 2L * K, r0 = n0 * rb, dr = d * rb;
        long r1 = r0 + dr, r2 = r1 + dr, r3 = r2 + dr, r4 = r3 + dr, r5 = r4 + dr, r6 = r5 + dr, r7 = r6 + dr;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        // xp carries the 2^112 (see prepareF16)
        for (int k = 0; k < kb; k += c2) {
            FloatVector xe = FloatVector.fromArray(F, xp, k), xo = FloatVector.fromArray(F, xp, k + L);
            long o = 2L * k;
            IntVector v0 = IntVector.fromMemorySegment(I, seg, r0 + o, LE);
            a0 = v0.lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 3)
                    .and(HALF_BITS)
                    .reinterpretAsFloats()
                    .fma(
                            xe,
                            v0.lanewise(VectorOperators.ASHR, 3)
                                    .and(HALF_BITS)
                                    .reinterpretAsFloats()
                                    .fma(xo, a0));
            IntVector v1 = IntVector.fromMemorySegment(I, seg, r1 + o, LE);
            a1 = v1.lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 3)
                    .and(HALF_BITS)
                    .reinterpretAsFloats()
                    .fma(
                            xe,
                            v1.lanewise(VectorOperators.ASHR, 3)
                                    .and(HALF_BITS)
                                    .reinterpretAsFloats()
                                    .fma(xo, a1));
            IntVector v2 = IntVector.fromMemorySegment(I, seg, r2 + o, LE);
            a2 = v2.lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 3)
                    .and(HALF_BITS)
                    .reinterpretAsFloats()
                    .fma(
                            xe,
                            v2.lanewise(VectorOperators.ASHR, 3)
                                    .and(HALF_BITS)
                                    .reinterpretAsFloats()
                                    .fma(xo, a2));
            IntVector v3 = IntVector.fromMemorySegment(I, seg, r3 + o, LE);
            a3 = v3.lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 3)
                    .and(HALF_BITS)
                    .reinterpretAsFloats()
                    .fma(
                            xe,
                            v3.lanewise(VectorOperators.ASHR, 3)
                                    .and(HALF_BITS)
                                    .reinterpretAsFloats()
                                    .fma(xo, a3));
            IntVector v4 = IntVector.fromMemorySegment(I, seg, r4 + o, LE);
            a4 = v4.lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 3)
                    .and(HALF_BITS)
                    .reinterpretAsFloats()
                    .fma(
                            xe,
                            v4.lanewise(VectorOperators.ASHR, 3)
                                    .and(HALF_BITS)
                                    .reinterpretAsFloats()
                                    .fma(xo, a4));
            IntVector v5 = IntVector.fromMemorySegment(I, seg, r5 + o, LE);
            a5 = v5.lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 3)
                    .and(HALF_BITS)
                    .reinterpretAsFloats()
                    .fma(
                            xe,
                            v5.lanewise(VectorOperators.ASHR, 3)
                                    .and(HALF_BITS)
                                    .reinterpretAsFloats()
                                    .fma(xo, a5));
            IntVector v6 = IntVector.fromMemorySegment(I, seg, r6 + o, LE);
            a6 = v6.lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 3)
                    .and(HALF_BITS)
                    .reinterpretAsFloats()
                    .fma(
                            xe,
                            v6.lanewise(VectorOperators.ASHR, 3)
                                    .and(HALF_BITS)
                                    .reinterpretAsFloats()
                                    .fma(xo, a6));
            IntVector v7 = IntVector.fromMemorySegment(I, seg, r7 + o, LE);
            a7 = v7.lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 3)
                    .and(HALF_BITS)
                    .reinterpretAsFloats()
                    .fma(
                            xe,
                            v7.lanewise(VectorOperators.ASHR, 3)
                                    .and(HALF_BITS)
                                    .reinterpretAsFloats()
                                    .fma(xo, a7));
        }
        put(out, n0, a0.reduceLanes(VectorOperators.ADD) + tailF16(seg, r0, x, kb, K), ep);
        put(out, n0 + d, a1.reduceLanes(VectorOperators.ADD) + tailF16(seg, r1, x, kb, K), ep);
        put(out, n0 + 2 * d, a2.reduceLanes(VectorOperators.ADD) + tailF16(seg, r2, x, kb, K), ep);
        put(out, n0 + 3 * d, a3.reduceLanes(VectorOperators.ADD) + tailF16(seg, r3, x, kb, K), ep);
        put(out, n0 + 4 * d, a4.reduceLanes(VectorOperators.ADD) + tailF16(seg, r4, x, kb, K), ep);
        put(out, n0 + 5 * d, a5.reduceLanes(VectorOperators.ADD) + tailF16(seg, r5, x, kb, K), ep);
        put(out, n0 + 6 * d, a6.reduceLanes(VectorOperators.ADD) + tailF16(seg, r6, x, kb, K), ep);
        put(out, n0 + 7 * d, a7.reduceLanes(VectorOperators.ADD) + tailF16(seg, r7, x, kb, K), ep);
    }

    private static void f16Row(
            MemorySegment seg, int K, float[] xp, boolean scaled, float[] x, float[] out, int n, Epilogue ep) {
        int c2 = 2 * L, kb = K - K % c2;
        long r = n * 2L * K;
        FloatVector acc = FloatVector.zero(F);
        float m = scaled ? 1f : HALF_SCALE;
        for (int k = 0; k < kb; k += c2) {
            IntVector v = IntVector.fromMemorySegment(I, seg, r + 2L * k, LE);
            acc = v.lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 3)
                    .and(HALF_BITS)
                    .reinterpretAsFloats()
                    .mul(m)
                    .fma(
                            FloatVector.fromArray(F, xp, k),
                            v.lanewise(VectorOperators.ASHR, 3)
                                    .and(HALF_BITS)
                                    .reinterpretAsFloats()
                                    .mul(m)
                                    .fma(FloatVector.fromArray(F, xp, k + L), acc));
        }
        put(out, n, acc.reduceLanes(VectorOperators.ADD) + tailF16(seg, r, x, kb, K), ep);
    }

    private static float tailF16(MemorySegment seg, long rowByte, float[] x, int kb, int K) {
        float s = 0;
        for (int k = kb; k < K; k++) s += Float.float16ToFloat(seg.get(SHORT_LE, rowByte + 2L * k)) * x[k];
        return s;
    }

    private static void gemvF32(MemorySegment seg, int K, float[] x, float[] out, int a, int b, Epilogue ep) {
        int q = (b - a) / 4;
        for (int i = 0; i < q; i++) f32Rows4(seg, K, x, out, a + i, a + q + i, a + 2 * q + i, a + 3 * q + i, ep);
        for (int n = a + 4 * q; n < b; n++) f32Row(seg, K, x, out, n, ep);
    }

    private static void f32Rows4(
            MemorySegment seg, int K, float[] x, float[] out, int n0, int n1, int n2, int n3, Epilogue ep) {
        int kb = K - K % L;
        long rb = 4L * K, r0 = n0 * rb, r1 = n1 * rb, r2 = n2 * rb, r3 = n3 * rb;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int k = 0; k < kb; k += L) {
            FloatVector xv = FloatVector.fromArray(F, x, k);
            long o = 4L * k;
            a0 = FloatVector.fromMemorySegment(F, seg, r0 + o, LE).fma(xv, a0);
            a1 = FloatVector.fromMemorySegment(F, seg, r1 + o, LE).fma(xv, a1);
            a2 = FloatVector.fromMemorySegment(F, seg, r2 + o, LE).fma(xv, a2);
            a3 = FloatVector.fromMemorySegment(F, seg, r3 + o, LE).fma(xv, a3);
        }
        put(out, n0, a0.reduceLanes(VectorOperators.ADD) + tailF32(seg, r0, x, kb, K), ep);
        put(out, n1, a1.reduceLanes(VectorOperators.ADD) + tailF32(seg, r1, x, kb, K), ep);
        put(out, n2, a2.reduceLanes(VectorOperators.ADD) + tailF32(seg, r2, x, kb, K), ep);
        put(out, n3, a3.reduceLanes(VectorOperators.ADD) + tailF32(seg, r3, x, kb, K), ep);
    }

    private static void f32Row(MemorySegment seg, int K, float[] x, float[] out, int n, Epilogue ep) {
        int kb = K - K % L;
        long r = n * 4L * K;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int k = 0;
        for (; k + 4 * L <= kb; k += 4 * L) {
            long o = r + 4L * k;
            a0 = FloatVector.fromMemorySegment(F, seg, o, LE).fma(FloatVector.fromArray(F, x, k), a0);
            a1 = FloatVector.fromMemorySegment(F, seg, o + 4L * L, LE).fma(FloatVector.fromArray(F, x, k + L), a1);
            a2 = FloatVector.fromMemorySegment(F, seg, o + 8L * L, LE).fma(FloatVector.fromArray(F, x, k + 2 * L), a2);
            a3 = FloatVector.fromMemorySegment(F, seg, o + 12L * L, LE).fma(FloatVector.fromArray(F, x, k + 3 * L), a3);
        }
        for (; k < kb; k += L)
            a0 = FloatVector.fromMemorySegment(F, seg, r + 4L * k, LE).fma(FloatVector.fromArray(F, x, k), a0);
        put(out, n, a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD) + tailF32(seg, r, x, kb, K), ep);
    }

    private static float tailF32(MemorySegment seg, long rowByte, float[] x, int kb, int K) {
        float s = 0;
        for (int k = kb; k < K; k++) s += seg.get(ValueLayout.JAVA_FLOAT_UNALIGNED, rowByte + 4L * k) * x[k];
        return s;
    }

    /** q8_0: per block two (or four) byte-to-float FMAs per row, then one FMA by the block scale. */
    private static void gemvQ8(QuantMatrix m, float[] x, float[] out, int a, int b, Epilogue ep, Scratch s) {
        int K = m.cols();
        MemorySegment q = m.quants(), sc = m.scales();
        int qr = (b - a) / 4;
        for (int i = 0; i < qr; i++) {
            int n0 = a + i, n1 = n0 + qr, n2 = n1 + qr, n3 = n2 + qr;
            q8Rows4(q, sc, x, K, out, n0, n1, n2, n3, ep);
        }
        for (int n = a + 4 * qr; n < b; n++) q8Row(q, sc, x, K, out, n, ep);
    }

    /**
     * Scale of block i (f16 in the file) as a float, read where it is used: converting a row's
     * scales into an array first cost a third of the q8_0 product (a vector pass plus a scalar tail per row).
     */
    private static float scale(MemorySegment sc, long i) {
        return Float.float16ToFloat(sc.get(SHORT_LE, 2 * i));
    }

    private static void q8Rows4(
            MemorySegment q,
            MemorySegment sc,
            float[] x,
            int K,
            float[] out,
            int n0,
            int n1,
            int n2,
            int n3,
            Epilogue ep) {
        int nb = K / 32;
        long q0 = (long) n0 * K, q1 = (long) n1 * K, q2 = (long) n2 * K, q3 = (long) n3 * K;
        // row slices: offsets into them are small ints, so C2 hoists the bounds checks out of the loop
        MemorySegment r0 = q.asSlice(q0, K), r1 = q.asSlice(q1, K), r2 = q.asSlice(q2, K), r3 = q.asSlice(q3, K);
        MemorySegment c0 = sc.asSlice(2L * n0 * nb, 2L * nb), c1 = sc.asSlice(2L * n1 * nb, 2L * nb);
        MemorySegment c2 = sc.asSlice(2L * n2 * nb, 2L * nb), c3 = sc.asSlice(2L * n3 * nb, 2L * nb);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int blk = 0; blk < nb; blk++) {
            int k = blk * 32;
            FloatVector p0 = FloatVector.zero(F), p1 = p0, p2 = p0, p3 = p0;
            for (int j = 0; j < 32; j += L) {
                FloatVector xv = FloatVector.fromArray(F, x, k + j);
                p0 = q8(r0, k + j).fma(xv, p0);
                p1 = q8(r1, k + j).fma(xv, p1);
                p2 = q8(r2, k + j).fma(xv, p2);
                p3 = q8(r3, k + j).fma(xv, p3);
            }
            a0 = p0.fma(FloatVector.broadcast(F, scale(c0, blk)), a0);
            a1 = p1.fma(FloatVector.broadcast(F, scale(c1, blk)), a1);
            a2 = p2.fma(FloatVector.broadcast(F, scale(c2, blk)), a2);
            a3 = p3.fma(FloatVector.broadcast(F, scale(c3, blk)), a3);
        }
        put(out, n0, a0.reduceLanes(VectorOperators.ADD), ep);
        put(out, n1, a1.reduceLanes(VectorOperators.ADD), ep);
        put(out, n2, a2.reduceLanes(VectorOperators.ADD), ep);
        put(out, n3, a3.reduceLanes(VectorOperators.ADD), ep);
    }

    private static void q8Row(MemorySegment q, MemorySegment sc, float[] x, int K, float[] out, int n, Epilogue ep) {
        int nb = K / 32;
        MemorySegment r0 = q.asSlice((long) n * K, K), c0 = sc.asSlice(2L * n * nb, 2L * nb);
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        int blk = 0;
        for (; blk + 2 <= nb; blk += 2) {
            int k = blk * 32;
            FloatVector p0 = FloatVector.zero(F), p1 = p0;
            for (int j = 0; j < 32; j += L) {
                p0 = q8(r0, k + j).fma(FloatVector.fromArray(F, x, k + j), p0);
                p1 = q8(r0, k + 32 + j).fma(FloatVector.fromArray(F, x, k + 32 + j), p1);
            }
            a0 = p0.fma(FloatVector.broadcast(F, scale(c0, blk)), a0);
            a1 = p1.fma(FloatVector.broadcast(F, scale(c0, blk + 1)), a1);
        }
        for (; blk < nb; blk++) {
            int k = blk * 32;
            FloatVector p0 = FloatVector.zero(F);
            for (int j = 0; j < 32; j += L) p0 = q8(r0, k + j).fma(FloatVector.fromArray(F, x, k + j), p0);
            a0 = p0.fma(FloatVector.broadcast(F, scale(c0, blk)), a0);
        }
        put(out, n, a0.add(a1).reduceLanes(VectorOperators.ADD), ep);
    }

    /**
     * q4_0. Nibbles are stored signed (GGML's q - 8), so after sign-extending a byte to an int,
     * {@code v << 28} is the low weight times 2^28 and {@code v & -16} the high weight times 16;
     * xq holds x with those powers of two divided out (exact).
     */
    private static void gemvQ4(QuantMatrix m, float[] xq, float[] out, int a, int b, Epilogue ep, Scratch s) {
        int K = m.cols();
        MemorySegment q = m.quants(), sc = m.scales();
        int h = (b - a) / 2;
        for (int i = 0; i < h; i++) q4Rows2(q, sc, xq, K, out, a + i, a + h + i, ep);
        for (int n = a + 2 * h; n < b; n++) q4Row(q, sc, xq, K, out, n, ep);
    }

    private static void q4Rows2(
            MemorySegment q, MemorySegment sc, float[] xq, int K, float[] out, int n0, int n1, Epilogue ep) {
        int nb = K / 32;
        long rb = K / 2;
        MemorySegment r0 = q.asSlice(n0 * rb, rb), r1 = q.asSlice(n1 * rb, rb);
        MemorySegment c0 = sc.asSlice(2L * n0 * nb, 2L * nb), c1 = sc.asSlice(2L * n1 * nb, 2L * nb);
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int blk = 0; blk < nb; blk++) {
            int k = blk * 32, o = blk * 16;
            FloatVector p0 = FloatVector.zero(F), p1 = p0;
            for (int j = 0; j < 16; j += L) {
                FloatVector xl = FloatVector.fromArray(F, xq, k + j), xh = FloatVector.fromArray(F, xq, k + 16 + j);
                IntVector v0 = q4(r0, o + j), v1 = q4(r1, o + j);
                p0 = q4hi(v0).fma(xh, q4lo(v0).fma(xl, p0));
                p1 = q4hi(v1).fma(xh, q4lo(v1).fma(xl, p1));
            }
            a0 = p0.fma(FloatVector.broadcast(F, scale(c0, blk)), a0);
            a1 = p1.fma(FloatVector.broadcast(F, scale(c1, blk)), a1);
        }
        put(out, n0, a0.reduceLanes(VectorOperators.ADD), ep);
        put(out, n1, a1.reduceLanes(VectorOperators.ADD), ep);
    }

    private static void q4Row(MemorySegment q, MemorySegment sc, float[] xq, int K, float[] out, int n, Epilogue ep) {
        int nb = K / 32;
        MemorySegment r0 = q.asSlice((long) n * (K / 2), K / 2), c0 = sc.asSlice(2L * n * nb, 2L * nb);
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        int blk = 0;
        for (; blk + 2 <= nb; blk += 2) {
            int k = blk * 32, o = blk * 16;
            FloatVector p0 = FloatVector.zero(F), p1 = p0;
            for (int j = 0; j < 16; j += L) {
                IntVector v0 = q4(r0, o + j), v1 = q4(r0, o + 16 + j);
                p0 = q4hi(v0).fma(
                                FloatVector.fromArray(F, xq, k + 16 + j),
                                q4lo(v0).fma(FloatVector.fromArray(F, xq, k + j), p0));
                p1 = q4hi(v1).fma(
                                FloatVector.fromArray(F, xq, k + 48 + j),
                                q4lo(v1).fma(FloatVector.fromArray(F, xq, k + 32 + j), p1));
            }
            a0 = p0.fma(FloatVector.broadcast(F, scale(c0, blk)), a0);
            a1 = p1.fma(FloatVector.broadcast(F, scale(c0, blk + 1)), a1);
        }
        for (; blk < nb; blk++) {
            int k = blk * 32, o = blk * 16;
            FloatVector p0 = FloatVector.zero(F);
            for (int j = 0; j < 16; j += L) {
                IntVector v0 = q4(r0, o + j);
                p0 = q4hi(v0).fma(
                                FloatVector.fromArray(F, xq, k + 16 + j),
                                q4lo(v0).fma(FloatVector.fromArray(F, xq, k + j), p0));
            }
            a0 = p0.fma(FloatVector.broadcast(F, scale(c0, blk)), a0);
        }
        put(out, n, a0.add(a1).reduceLanes(VectorOperators.ADD), ep);
    }

    // ------------------------------------------------------------------ several tokens

    /**
     * x (T rows of K) regrouped the way {@link #gemm} walks it: tokens in the tile's blocks
     * ({@link GemmTile#block}); block at token t of m tokens holds xi[t * K + k * m + i] = x[(t + i) * K + k], so the
     * kernels read their m broadcasts per k from one place with a single induction variable (about
     * a third faster than m strided rows: fewer address streams and range checks C2 can hoist).
     * Only columns [k0, k1) are written, so threads can share the work.
     */
    static void interleave(float[] x, int T, int K, float[] xi, int k0, int k1, GemmTile tile) {
        if (tile == GemmTile.NARROW && GemmNarrow.lanes(T)) {
            GemmNarrow.interleave(x, T, K, xi, k0, k1);
            return;
        }
        for (int t = 0, m; t < T; t += m) {
            m = tile.block(T, t);
            if (m == 1) System.arraycopy(x, t * K + k0, xi, t * K + k0, k1 - k0);
            else interleaveBlock(x, t, m, K, xi, k0, k1);
        }
    }

    /** Floats of x as {@link #interleave} lays out T tokens of K for the tile (the narrow one pads tokens). */
    static int interleavedLength(int T, int K, GemmTile tile) {
        return (tile == GemmTile.NARROW && GemmNarrow.lanes(T) ? GemmNarrow.paddedTokens(T) : T) * K;
    }

    /** Wide tile: blocks of 6 in T tokens; a remainder of 2 is better as 4 + 4 than 6 + 1 + 1 (one-token passes run at a quarter speed). */
    static int sixes(int T) {
        int n6 = T / 6;
        return T % 6 == 2 && n6 > 0 ? n6 - 1 : n6;
    }

    private static void interleaveBlock(float[] x, int t, int m, int K, float[] xi, int k0, int k1) {
        int base = t * K;
        for (int i = 0; i < m; i++) {
            int src = base + i * K;
            for (int k = k0, dst = base + k0 * m + i; k < k1; k++, dst += m) xi[dst] = x[src + k];
        }
    }

    /**
     * out[t, a..b) for all T tokens; xi is x as {@link #interleave} lays it out for the same tile.
     * The wide tile's loop is here, the narrow one's in {@link GemmNarrow}: each with its panel
     * rows a constant (one loop taking the tile's rows as a value ran the wide tile 10-18% slower
     * at 512 bits).
     */
    static void gemm(Matrix w, float[] xi, int T, float[] out, int a, int b, Epilogue ep, Scratch s, GemmTile shape) {
        if (shape == GemmTile.NARROW) {
            GemmNarrow.gemm(w, xi, T, out, a, b, ep, s);
            return;
        }
        int N = w.rows(), K = w.cols();
        int np = (b - a + NR - 1) / NR;
        float[][] panels = s.panels(np);
        float[] tile = s.tile;
        // k blocks outside, panels inside: a block of x read for one panel is reused, from L1, by
        // the unit's other panels (each output element still sums its k blocks in order)
        for (int k0 = 0; k0 < K; k0 += KC) {
            int kc = Math.min(KC, K - k0);
            for (int p = 0; p < np; p++) {
                int n0 = a + p * NR;
                pack(w, n0, Math.min(NR, b - n0), k0, kc, panels[p], s);
            }
            boolean add = k0 > 0 || ep == Epilogue.ADD;
            boolean gelu = k0 + kc == K && ep == Epilogue.GELU;
            int t = 0, t6 = 6 * sixes(T);
            for (; t < t6; t += 6) {
                for (int p = 0; p < np; p++) {
                    int n0 = a + p * NR;
                    kernel6(panels[p], kc, xi, t * K + k0 * 6, tile);
                    store(tile, 6, out, t * N + n0, N, Math.min(NR, b - n0), add, gelu);
                }
            }
            for (; t + 4 <= T; t += 4) {
                for (int p = 0; p < np; p++) {
                    int n0 = a + p * NR;
                    kernel4(panels[p], kc, xi, t * K + k0 * 4, tile);
                    store(tile, 4, out, t * N + n0, N, Math.min(NR, b - n0), add, gelu);
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

    /** Moves a tile of mt tokens x nr rows to out (row stride N): stored, or added to what is there; then GELU if asked. */
    private static void store(float[] tile, int mt, float[] out, int o, int N, int nr, boolean add, boolean gelu) {
        store(tile, mt, out, o, N, nr, NR, add, gelu);
    }

    /** {@link #store} for a tile whose panels are {@code width} rows wide (GemmNarrow's are narrower). */
    static void store(float[] tile, int mt, float[] out, int o, int N, int nr, int width, boolean add, boolean gelu) {
        if (nr == width) {
            for (int t = 0; t < mt; t++) {
                int oo = o + t * N, to = t * width;
                if (add) {
                    for (int j = 0; j < width; j += L)
                        FloatVector.fromArray(F, tile, to + j)
                                .add(FloatVector.fromArray(F, out, oo + j))
                                .intoArray(out, oo + j);
                } else {
                    System.arraycopy(tile, to, out, oo, width);
                }
                if (gelu) Gelu.vector(out, oo, oo + width);
            }
        } else {
            // GELU as a full panel would run it (vector lanes from the panel start, a scalar tail):
            // panels start at multiples of L, so which rows take the scalar GELU depends on N, not the tile
            for (int t = 0; t < mt; t++) {
                int oo = o + t * N;
                for (int r = 0; r < nr; r++) {
                    float v = tile[t * width + r];
                    out[oo + r] = add ? v + out[oo + r] : v;
                }
                if (gelu) Gelu.vector(out, oo, oo + nr);
            }
        }
    }

    /** Rows [n0, n0 + nr) x columns [k0, k0 + kc) of w as floats, column-major: panel[k * NR + r]; rows past nr are zero. */
    static void pack(Matrix w, int n0, int nr, int k0, int kc, float[] panel, Scratch s) {
        float[] row = s.row, tmp = s.scales(w.cols());
        for (int r = 0; r < nr; r++) {
            widenRow(w, n0 + r, k0, kc, row, tmp);
            for (int k = 0, p = r; k < kc; k++, p += NR) panel[p] = row[k];
        }
        for (int r = nr; r < NR; r++) {
            for (int k = 0, p = r; k < kc; k++, p += NR) panel[p] = 0f;
        }
    }

    /** Row r of w widened to float into dst[0, cols) — the values {@link Matrix#row} gives, vectorized; tmp holds at least cols floats. */
    public static void widen(Matrix w, int r, float[] dst, float[] tmp) {
        widenRow(w, r, 0, w.cols(), dst, tmp);
    }

    /** Row n, columns [k0, k0 + kc), widened into dst[0, kc). For quantized matrices k0 and kc are multiples of 32; tmp holds at least cols floats. */
    static void widenRow(Matrix w, int n, int k0, int kc, float[] dst, float[] tmp) {
        widenRow(w, n, k0, kc, dst, 0, tmp);
    }

    /** As above, into dst[off, off + kc). */
    static void widenRow(Matrix w, int n, int k0, int kc, float[] dst, int off, float[] tmp) {
        switch (w) {
            case DenseMatrix dm -> {
                Tensor t = dm.tensor();
                MemorySegment seg = t.data();
                long e = (long) n * t.cols() + k0;
                int i = 0, kb = kc - kc % L;
                switch (t.dtype()) {
                    case BF16 -> {
                        for (; i < kb; i += L) bf16(seg, 2 * (e + i)).intoArray(dst, off + i);
                    }
                    case F16 -> {
                        for (; i < kb; i += L) f16(seg, 2 * (e + i)).intoArray(dst, off + i);
                    }
                    case F32 -> MemorySegment.copy(seg, Tensor.FLOAT_LE, 4 * e, dst, off, kb);
                }
                for (i = kb; i < kc; i++) dst[off + i] = t.get(e + i);
            }
            case KQuantMatrix km -> MatMulKQuant.widen(km, n, k0, kc, dst, off);
            case QuantMatrix q -> {
                int K = q.cols(), nb = K / 32, b0 = k0 / 32, nbk = kc / 32;
                if (!QVEC) {
                    q.row(n, tmp, 0);
                    System.arraycopy(tmp, k0, dst, off, kc);
                    return;
                }
                float[] d = tmp;
                halfToFloat(q.scales(), (long) n * nb + b0, nbk, d);
                MemorySegment qs = q.quants();
                if (q.type() == WeightType.Q8_0) {
                    long base = (long) n * K + k0;
                    for (int blk = 0; blk < nbk; blk++) {
                        FloatVector dv = FloatVector.broadcast(F, d[blk]);
                        for (int j = 0; j < 32; j += L)
                            q8i(qs, base + blk * 32 + j).mul(dv).intoArray(dst, off + blk * 32 + j);
                    }
                } else {
                    long base = (long) n * (K / 2) + k0 / 2;
                    for (int blk = 0; blk < nbk; blk++) {
                        FloatVector dl = FloatVector.broadcast(F, d[blk] * LO4),
                                dh = FloatVector.broadcast(F, d[blk] * HI4);
                        for (int j = 0; j < 16; j += L) {
                            IntVector v = q4(qs, base + blk * 16 + j);
                            q4lo(v).mul(dl).intoArray(dst, off + blk * 32 + j);
                            q4hi(v).mul(dh).intoArray(dst, off + blk * 32 + 16 + j);
                        }
                    }
                }
            }
        }
    }

    /** 6 tokens x NR rows over one packed panel of depth kc, into tile[t * NR + r]. */
    private static void kernel6(float[] p, int kc, float[] x, int xo, float[] tile) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z;
        FloatVector c10 = z, c11 = z, c12 = z, c13 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c23 = z;
        FloatVector c30 = z, c31 = z, c32 = z, c33 = z;
        FloatVector c40 = z, c41 = z, c42 = z, c43 = z;
        FloatVector c50 = z, c51 = z, c52 = z, c53 = z;
        for (int k = 0; k < kc; k++) {
            int pk = k * NR, xk = xo + k * 6;
            FloatVector w0 = FloatVector.fromArray(F, p, pk + 0 * L);
            FloatVector w1 = FloatVector.fromArray(F, p, pk + 1 * L);
            FloatVector w2 = FloatVector.fromArray(F, p, pk + 2 * L);
            FloatVector w3 = FloatVector.fromArray(F, p, pk + 3 * L);
            FloatVector b = FloatVector.broadcast(F, x[xk]);
            c00 = w0.fma(b, c00);
            c01 = w1.fma(b, c01);
            c02 = w2.fma(b, c02);
            c03 = w3.fma(b, c03);
            b = FloatVector.broadcast(F, x[xk + 1]);
            c10 = w0.fma(b, c10);
            c11 = w1.fma(b, c11);
            c12 = w2.fma(b, c12);
            c13 = w3.fma(b, c13);
            b = FloatVector.broadcast(F, x[xk + 2]);
            c20 = w0.fma(b, c20);
            c21 = w1.fma(b, c21);
            c22 = w2.fma(b, c22);
            c23 = w3.fma(b, c23);
            b = FloatVector.broadcast(F, x[xk + 3]);
            c30 = w0.fma(b, c30);
            c31 = w1.fma(b, c31);
            c32 = w2.fma(b, c32);
            c33 = w3.fma(b, c33);
            b = FloatVector.broadcast(F, x[xk + 4]);
            c40 = w0.fma(b, c40);
            c41 = w1.fma(b, c41);
            c42 = w2.fma(b, c42);
            c43 = w3.fma(b, c43);
            b = FloatVector.broadcast(F, x[xk + 5]);
            c50 = w0.fma(b, c50);
            c51 = w1.fma(b, c51);
            c52 = w2.fma(b, c52);
            c53 = w3.fma(b, c53);
        }
        c00.intoArray(tile, 0 * NR + 0 * L);
        c01.intoArray(tile, 0 * NR + 1 * L);
        c02.intoArray(tile, 0 * NR + 2 * L);
        c03.intoArray(tile, 0 * NR + 3 * L);
        c10.intoArray(tile, 1 * NR + 0 * L);
        c11.intoArray(tile, 1 * NR + 1 * L);
        c12.intoArray(tile, 1 * NR + 2 * L);
        c13.intoArray(tile, 1 * NR + 3 * L);
        c20.intoArray(tile, 2 * NR + 0 * L);
        c21.intoArray(tile, 2 * NR + 1 * L);
        c22.intoArray(tile, 2 * NR + 2 * L);
        c23.intoArray(tile, 2 * NR + 3 * L);
        c30.intoArray(tile, 3 * NR + 0 * L);
        c31.intoArray(tile, 3 * NR + 1 * L);
        c32.intoArray(tile, 3 * NR + 2 * L);
        c33.intoArray(tile, 3 * NR + 3 * L);
        c40.intoArray(tile, 4 * NR + 0 * L);
        c41.intoArray(tile, 4 * NR + 1 * L);
        c42.intoArray(tile, 4 * NR + 2 * L);
        c43.intoArray(tile, 4 * NR + 3 * L);
        c50.intoArray(tile, 5 * NR + 0 * L);
        c51.intoArray(tile, 5 * NR + 1 * L);
        c52.intoArray(tile, 5 * NR + 2 * L);
        c53.intoArray(tile, 5 * NR + 3 * L);
    }

    /** 4 tokens x NR rows over one packed panel of depth kc, into tile[t * NR + r]. */
    private static void kernel4(float[] p, int kc, float[] x, int xo, float[] tile) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z;
        FloatVector c10 = z, c11 = z, c12 = z, c13 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c23 = z;
        FloatVector c30 = z, c31 = z, c32 = z, c33 = z;
        for (int k = 0; k < kc; k++) {
            int pk = k * NR, xk = xo + k * 4;
            FloatVector w0 = FloatVector.fromArray(F, p, pk + 0 * L);
            FloatVector w1 = FloatVector.fromArray(F, p, pk + 1 * L);
            FloatVector w2 = FloatVector.fromArray(F, p, pk + 2 * L);
            FloatVector w3 = FloatVector.fromArray(F, p, pk + 3 * L);
            FloatVector b = FloatVector.broadcast(F, x[xk]);
            c00 = w0.fma(b, c00);
            c01 = w1.fma(b, c01);
            c02 = w2.fma(b, c02);
            c03 = w3.fma(b, c03);
            b = FloatVector.broadcast(F, x[xk + 1]);
            c10 = w0.fma(b, c10);
            c11 = w1.fma(b, c11);
            c12 = w2.fma(b, c12);
            c13 = w3.fma(b, c13);
            b = FloatVector.broadcast(F, x[xk + 2]);
            c20 = w0.fma(b, c20);
            c21 = w1.fma(b, c21);
            c22 = w2.fma(b, c22);
            c23 = w3.fma(b, c23);
            b = FloatVector.broadcast(F, x[xk + 3]);
            c30 = w0.fma(b, c30);
            c31 = w1.fma(b, c31);
            c32 = w2.fma(b, c32);
            c33 = w3.fma(b, c33);
        }
        c00.intoArray(tile, 0 * NR + 0 * L);
        c01.intoArray(tile, 0 * NR + 1 * L);
        c02.intoArray(tile, 0 * NR + 2 * L);
        c03.intoArray(tile, 0 * NR + 3 * L);
        c10.intoArray(tile, 1 * NR + 0 * L);
        c11.intoArray(tile, 1 * NR + 1 * L);
        c12.intoArray(tile, 1 * NR + 2 * L);
        c13.intoArray(tile, 1 * NR + 3 * L);
        c20.intoArray(tile, 2 * NR + 0 * L);
        c21.intoArray(tile, 2 * NR + 1 * L);
        c22.intoArray(tile, 2 * NR + 2 * L);
        c23.intoArray(tile, 2 * NR + 3 * L);
        c30.intoArray(tile, 3 * NR + 0 * L);
        c31.intoArray(tile, 3 * NR + 1 * L);
        c32.intoArray(tile, 3 * NR + 2 * L);
        c33.intoArray(tile, 3 * NR + 3 * L);
    }

    /** 1 token x NR rows over one packed panel of depth kc, into tile[t * NR + r]. */
    private static void kernel1(float[] p, int kc, float[] x, int xo, float[] tile) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z;
        for (int k = 0; k < kc; k++) {
            int pk = k * NR, xk = xo + k * 1;
            FloatVector w0 = FloatVector.fromArray(F, p, pk + 0 * L);
            FloatVector w1 = FloatVector.fromArray(F, p, pk + 1 * L);
            FloatVector w2 = FloatVector.fromArray(F, p, pk + 2 * L);
            FloatVector w3 = FloatVector.fromArray(F, p, pk + 3 * L);
            FloatVector b = FloatVector.broadcast(F, x[xk]);
            c00 = w0.fma(b, c00);
            c01 = w1.fma(b, c01);
            c02 = w2.fma(b, c02);
            c03 = w3.fma(b, c03);
        }
        c00.intoArray(tile, 0 * NR + 0 * L);
        c01.intoArray(tile, 0 * NR + 1 * L);
        c02.intoArray(tile, 0 * NR + 2 * L);
        c03.intoArray(tile, 0 * NR + 3 * L);
    }
}
