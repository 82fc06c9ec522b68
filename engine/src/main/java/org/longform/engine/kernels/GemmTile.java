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
    WIDE(4, 4, 6, 4, 1),
    /**
     * {@link GemmNarrow}: below 256 tokens the tokens in the lanes, 4 rows x 2 vectors of tokens (8
     * rows x 1 vector for a last short block); from 256 on packed panels, 4, 2 or 1 tokens x 2
     * vectors of rows: 8 accumulators + 2 vectors + 1 broadcast of 16 registers. Measured
     * under -XX:UseAVX=2 on one core (a panel in L1, thread CPU time): 8-accumulator tiles (4x2, 2x4,
     * 8x1) ran at ~100 GFLOP/s, 6x2, 5x2, 4x3 and the wide 6x4 at 40-75 (they spill, C2 unrolling the
     * k loop needs more than the tile's own registers). Units are whole pairs of vectors of rows.
     */
    NARROW(2, 16, 4, 2, 1);

    /** Vectors of rows per panel. */
    final int vectors;
    /** Rows per packed panel. */
    final int nr;
    /** Token blocks the panel kernels take, largest first, ending with 1 (narrow token lanes: {@link GemmNarrow#block}). */
    final int[] blocks;
    /**
     * Most panels in one unit of work: a unit's panels share each block of x, so x (T x K,
     * megabytes) streams from L3 less often; 4 wide or 16 narrow panels are 256 rows at 512 bits.
     */
    final int unitPanels;

    GemmTile(int vectors, int unitPanels, int... blocks) {
        this.vectors = vectors;
        this.unitPanels = unitPanels;
        // the species directly, not MatMulVector.L: MatMulVector's class init reads this enum
        this.nr = vectors * FloatVector.SPECIES_PREFERRED.length();
        this.blocks = blocks;
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

    /**
     * Tokens of the block that starts at token t of T: the largest block that fits; for the wide
     * tile a remainder of 2 after the 6s is better as 4 + 4 than 6 + 1 + 1 (one-token passes run
     * at a quarter speed).
     */
    int block(int T, int t) {
        if (blocks[0] == 6 && t < 6 * MatMulVector.sixes(T)) return 6;
        for (int m : blocks) if (m != 6 && t + m <= T) return m;
        return 1;
    }
}
