package org.longform.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/** Measures how fast this machine streams memory with the given threads: the bound for decode. */
public final class MemoryBandwidth {
    private MemoryBandwidth() {}

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
                par.range(blocks, 1, (a, b) -> {
                    FloatVector acc = FloatVector.zero(FloatVector.SPECIES_PREFERRED);
                    for (long i = (long) a * L * 1024; i < (long) b * L * 1024; i += L) {
                        acc = acc.add(FloatVector.fromMemorySegment(FloatVector.SPECIES_PREFERRED, seg, i * 4, ByteOrder.LITTLE_ENDIAN));
                    }
                    sink[(a * 16) % sink.length] += acc.reduceLanes(VectorOperators.ADD);
                });
                double s = (System.nanoTime() - t0) / 1e9;
                best = Math.max(best, (double) blocks * L * 1024 * 4 / s / 1e9);
            }
            return best;
        }
    }
}
