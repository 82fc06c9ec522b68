package org.longform.engine.kernels;

import jdk.incubator.vector.FloatVector;

/**
 * The prefill GEMM's register tile, chosen once from the vector width and the register count it
 * implies: x86 at 256 bits has 16 vector registers (AVX2), at 512 bits 32 (AVX-512); 128 bits is
 * taken as NEON's 32. A tile keeps tokens x vectors accumulators, one broadcast and its weight
 * vectors live; past the register file C2 spills accumulators to the stack on every k step.
 * Every tile sums each output element's k in the same order, so the choice changes speed only.
 */
enum GemmTile {
    /** 6, 4 or 1 tokens x 4 vectors: 24 accumulators + 4 weights + 1 broadcast = 29 of 32 registers. */
    WIDE(4, true),
    /** 6, 4 or 1 tokens x 2 vectors: 12 + 2 + 1 = 15 of 16 registers. */
    NARROW(2, true),
    /** 4, 2 or 1 tokens x 3 vectors: 12 + 3 + 1 = 16 of 16 registers (candidate). */
    NARROW3(3, false);

    /** Vectors of rows per panel. */
    final int vectors;
    /** Rows per packed panel. */
    final int nr;
    /** Whether token blocks of 6 come first (then 4, then 1); else 4, 2, 1. */
    final boolean sixes;

    GemmTile(int vectors, boolean sixes) {
        this.vectors = vectors;
        // the species directly, not MatMulVector.L: MatMulVector's class init reads this enum
        this.nr = vectors * FloatVector.SPECIES_PREFERRED.length();
        this.sixes = sixes;
    }

    /** Vector registers for a vector width in bits: 16 at 256 (AVX2), else 32 (AVX-512, NEON); override > 0 wins. */
    static int registers(int bits, int override) {
        if (override > 0) return override;
        return bits == 256 ? 16 : 32;
    }

    /** The widest tile that fits the registers without spilling. */
    static GemmTile forRegisters(int registers) {
        return registers >= 32 ? WIDE : NARROW;
    }

    /** Token blocks of 6 in T tokens; a remainder of 2 is better as 4 + 4 than 6 + 1 + 1 (one-token passes run at a quarter speed). */
    int sixes(int T) {
        if (!sixes) return 0;
        int n6 = T / 6;
        return T % 6 == 2 && n6 > 0 ? n6 - 1 : n6;
    }

    /** Token blocks of 2 after the 6s and 4s (only tiles without 6s use them). */
    boolean pairs() {
        return !sixes;
    }
}
