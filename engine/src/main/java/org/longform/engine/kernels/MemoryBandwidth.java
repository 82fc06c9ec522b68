package org.longform.engine.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Measures how fast this machine streams memory with the given threads: the bound for decode. */
public final class MemoryBandwidth {
    private MemoryBandwidth() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Bytes per work unit: small enough that threads share the buffer evenly, large enough to stream. */
    private static final long UNIT = 1L << 20;

    /** Sums bytes [from, to) as floats, four independent accumulators so loads are the limit. */
    static float sum(MemorySegment seg, long from, long to) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        long step = F.vectorByteSize();
        for (long o = from; o < to; o += 4 * step) {
            a0 = a0.add(FloatVector.fromMemorySegment(F, seg, o, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(F, seg, o + step, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(F, seg, o + 2 * step, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(F, seg, o + 3 * step, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    }

    /** Sums bytes [from, to) as floats read as 8 equal parts at once (to - from a multiple of 8 vectors). */
    static float sum8(MemorySegment seg, long from, long to) {
        long part = (to - from) / 8, step = F.vectorByteSize();
        long p0 = from,
                p1 = p0 + part,
                p2 = p1 + part,
                p3 = p2 + part,
                p4 = p3 + part,
                p5 = p4 + part,
                p6 = p5 + part,
                p7 = p6 + part;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (long o = 0; o < part; o += step) {
            a0 = a0.add(FloatVector.fromMemorySegment(F, seg, p0 + o, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(F, seg, p1 + o, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(F, seg, p2 + o, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(F, seg, p3 + o, ByteOrder.LITTLE_ENDIAN));
            a4 = a4.add(FloatVector.fromMemorySegment(F, seg, p4 + o, ByteOrder.LITTLE_ENDIAN));
            a5 = a5.add(FloatVector.fromMemorySegment(F, seg, p5 + o, ByteOrder.LITTLE_ENDIAN));
            a6 = a6.add(FloatVector.fromMemorySegment(F, seg, p6 + o, ByteOrder.LITTLE_ENDIAN));
            a7 = a7.add(FloatVector.fromMemorySegment(F, seg, p7 + o, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).reduceLanes(VectorOperators.ADD);
    }

    /**
     * Best of {@code reps} full reads of a buffer of {@code bytes}, in GB/s (1e9 bytes), each pass
     * read two ways: one stream per thread in 1 MiB units, and a few long pieces per thread, each
     * read as 8 streams at once. The second is what the decode kernels do (4 rows far apart, long
     * pieces); on this box's Zen 5 it reads 1.3-1.8x faster than one stream per core, so a bound
     * from one stream alone would flatter the kernels. The summing loops are compiled first (on a
     * small buffer), so the passes measure memory, not the interpreter.
     */
    public static double measure(Parallel par, long bytes, int reps) {
        try (Arena arena = Arena.ofShared()) {
            long units = Math.max(1, bytes / UNIT);
            MemorySegment seg = arena.allocate(units * UNIT, 64);
            seg.fill((byte) 1);
            float[] sink = new float[par.threads() * 16];
            MemorySegment small = seg.asSlice(0, 64 * 1024);
            for (int i = 0; i < 20_000; i++)
                sink[0] += sum(small, 0, small.byteSize()) + sum8(small, 0, small.byteSize());
            int pieces = 4 * par.threads();
            long piece = units * UNIT / pieces / (8 * 64) * (8 * 64);
            AtomicInteger next = new AtomicInteger();
            Parallel.Job oneStream = w -> {
                long u;
                float s = 0;
                while ((u = next.getAndIncrement()) < units) s += sum(seg, u * UNIT, (u + 1) * UNIT);
                sink[w * 16] += s;
            };
            Parallel.Job eightStreams = w -> {
                long u;
                float s = 0;
                while ((u = next.getAndIncrement()) < pieces) s += sum8(seg, u * piece, (u + 1) * piece);
                sink[w * 16] += s;
            };
            double best = 0;
            for (int r = 0; r < reps + 1; r++) {
                for (int way = 0; way < 2; way++) {
                    next.set(0);
                    long t0 = System.nanoTime();
                    par.run(way == 0 ? oneStream : eightStreams);
                    double s = (System.nanoTime() - t0) / 1e9;
                    long read = way == 0 ? units * UNIT : pieces * piece;
                    if (r > 0) best = Math.max(best, read / s / 1e9); // the first pass warms up
                }
            }
            return best;
        }
    }
}
