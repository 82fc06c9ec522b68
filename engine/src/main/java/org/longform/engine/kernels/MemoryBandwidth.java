package org.longform.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/** Measures how fast this machine streams memory with the given threads: the bound for decode. */
public final class MemoryBandwidth {
    private MemoryBandwidth() {}

    private static final jdk.incubator.vector.VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /** Sums bytes [from, to) as floats, four independent accumulators so loads are the limit. */
    private static float sum(MemorySegment seg, long from, long to) {
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

    /** Best of {@code reps} full reads of a buffer of {@code bytes}, in GB/s (1e9 bytes). */
    public static double measure(Parallel par, long bytes, int reps) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(bytes, 64);
            seg.fill((byte) 1);
            int L = FloatVector.SPECIES_PREFERRED.length();
            long floats = bytes / 4;
            int blocks = (int) (floats / (L * 1024L));
            double best = 0;
            float[] sink = new float[par.threads() * 16];
            for (int r = 0; r < reps; r++) {
                long t0 = System.nanoTime();
                par.range(blocks, 1, (a, b) -> sink[(a * 16) % sink.length] += sum(seg, (long) a * L * 4096, (long) b * L * 4096));
                double s = (System.nanoTime() - t0) / 1e9;
                best = Math.max(best, (double) blocks * L * 4096 / s / 1e9);
            }
            return best;
        }
    }
}
