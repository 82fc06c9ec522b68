package org.longform.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;

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

    /**
     * Best of {@code reps} full reads of a buffer of {@code bytes}, in GB/s (1e9 bytes). The summing
     * loop is compiled first (on a small buffer), so the passes measure memory, not the interpreter.
     */
    public static double measure(Parallel par, long bytes, int reps) {
        try (Arena arena = Arena.ofShared()) {
            long units = Math.max(1, bytes / UNIT);
            MemorySegment seg = arena.allocate(units * UNIT, 64);
            seg.fill((byte) 1);
            float[] sink = new float[par.threads() * 16];
            MemorySegment small = seg.asSlice(0, 64 * 1024);
            for (int i = 0; i < 20_000; i++) sink[0] += sum(small, 0, small.byteSize());
            AtomicInteger next = new AtomicInteger();
            Parallel.Job pass = w -> {
                long u;
                float s = 0;
                while ((u = next.getAndIncrement()) < units) s += sum(seg, u * UNIT, (u + 1) * UNIT);
                sink[w * 16] += s;
            };
            double best = 0;
            for (int r = 0; r < reps + 1; r++) {
                next.set(0);
                long t0 = System.nanoTime();
                par.run(pass);
                double s = (System.nanoTime() - t0) / 1e9;
                if (r > 0) best = Math.max(best, units * UNIT / s / 1e9);   // the first pass warms up
            }
            return best;
        }
    }
}
