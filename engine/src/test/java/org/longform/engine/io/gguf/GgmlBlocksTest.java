package org.longform.engine.io.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link GgmlBlocks} decodes every bit pattern as the block layouts define it: random blocks
 * (every quant, high bit, scale and min bit random; only the f16 scales kept finite) decoded by
 * its loops and by {@link GgmlEncoder#value}, an element-by-element reading of the layout, agree
 * bit for bit. The test encoders round-trip within their format's precision.
 */
class GgmlBlocksTest {
    static final int[] ALL = {
        GgufFile.Q4_0,
        GgufFile.Q8_0,
        GgufFile.Q4_1,
        GgufFile.Q5_0,
        GgufFile.Q5_1,
        GgufFile.Q2_K,
        GgufFile.Q3_K,
        GgufFile.Q4_K,
        GgufFile.Q5_K,
        GgufFile.Q6_K
    };

    /** Byte offsets of each format's f16 scales (d, and dmin / m where it has one). */
    private static int[] f16At(int type) {
        return switch (type) {
            case GgufFile.Q4_0, GgufFile.Q8_0, GgufFile.Q5_0 -> new int[] {0};
            case GgufFile.Q4_1, GgufFile.Q5_1, GgufFile.Q4_K, GgufFile.Q5_K -> new int[] {0, 2};
            case GgufFile.Q2_K -> new int[] {80, 82};
            case GgufFile.Q3_K -> new int[] {108};
            case GgufFile.Q6_K -> new int[] {208};
            default -> throw new IllegalArgumentException();
        };
    }

    @Test
    void decodesEveryBitAsTheLayoutDefines() {
        Random rnd = new Random(7);
        for (int type : ALL) {
            int bs = GgmlBlocks.blockSize(type), bb = GgmlBlocks.blockBytes(type), blocks = 64;
            byte[] data = new byte[blocks * bb];
            rnd.nextBytes(data);
            for (int k = 0; k < blocks; k++) {
                for (int at : f16At(type)) {
                    short h = Float.floatToFloat16((float) rnd.nextGaussian() * 0.05f);
                    data[k * bb + at] = (byte) h;
                    data[k * bb + at + 1] = (byte) (h >> 8);
                }
            }
            float[] got = new float[blocks * bs + 3];
            GgmlBlocks.dequantizeRow(type, MemorySegment.ofArray(data), 0, blocks * bs, got, 3);
            for (int k = 0; k < blocks; k++) {
                byte[] blk = Arrays.copyOfRange(data, k * bb, (k + 1) * bb);
                for (int i = 0; i < bs; i++) {
                    float want = GgmlEncoder.value(type, blk, i);
                    assertEquals(
                            Float.floatToIntBits(want),
                            Float.floatToIntBits(got[3 + k * bs + i]),
                            GgufFile.typeName(type) + " block " + k + " weight " + i + ": " + want + " vs "
                                    + got[3 + k * bs + i]);
                }
            }
        }
    }

    @Test
    void blockSizesAreGgmls() {
        // ggml-common.h: sizeof(block_*) for QK = 32 and QK_K = 256
        int[][] want = {
            {GgufFile.Q4_0, 32, 18},
            {GgufFile.Q4_1, 32, 20},
            {GgufFile.Q5_0, 32, 22},
            {GgufFile.Q5_1, 32, 24},
            {GgufFile.Q8_0, 32, 34},
            {GgufFile.Q2_K, 256, 84},
            {GgufFile.Q3_K, 256, 110},
            {GgufFile.Q4_K, 256, 144},
            {GgufFile.Q5_K, 256, 176},
            {GgufFile.Q6_K, 256, 210}
        };
        for (int[] w : want) {
            assertEquals(w[1], GgmlBlocks.blockSize(w[0]), GgufFile.typeName(w[0]));
            assertEquals(w[2], GgmlBlocks.blockBytes(w[0]), GgufFile.typeName(w[0]));
        }
        assertEquals(0, GgmlBlocks.blockSize(16), "IQ2_XXS is not readable");
    }

    /** RMS error relative to the weights' RMS, for Gaussian weights, per format (the test encoders: no error search). */
    @Test
    void testEncodersRoundTripWithinTheirFormatsPrecision() {
        Random rnd = new Random(11);
        int n = 256 * 64;
        float[] x = new float[n];
        double ss = 0;
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian() * 0.02f;
            ss += x[i] * x[i];
        }
        double rms = Math.sqrt(ss / n);
        for (int type : GgmlEncoder.BLOCK_TYPES) {
            int bs = GgmlBlocks.blockSize(type), bb = GgmlBlocks.blockBytes(type);
            byte[] data = new byte[n / bs * bb];
            for (int k = 0; k < n / bs; k++) System.arraycopy(GgmlEncoder.block(type, x, k * bs), 0, data, k * bb, bb);
            float[] y = new float[n];
            GgmlBlocks.dequantizeRow(type, MemorySegment.ofArray(data), 0, n, y, 0);
            double es = 0;
            for (int i = 0; i < n; i++) es += (y[i] - x[i]) * (y[i] - x[i]);
            double rel = Math.sqrt(es / n) / rms;
            // uniform rounding over the block's range: step / sqrt(12), the step being range / levels
            double bound = switch (type) {
                case GgufFile.Q2_K -> 0.45;
                case GgufFile.Q3_K -> 0.25;
                case GgufFile.Q4_1, GgufFile.Q4_K -> 0.12;
                case GgufFile.Q5_0, GgufFile.Q5_1, GgufFile.Q5_K -> 0.06;
                case GgufFile.Q6_K -> 0.03;
                default -> throw new IllegalStateException();
            };
            System.out.printf("%s: relative RMS error %.4f (bound %.2f)%n", GgufFile.typeName(type), rel, bound);
            assertTrue(rel < bound, GgufFile.typeName(type) + " relative RMS error " + rel);
            assertTrue(rel > bound / 20, GgufFile.typeName(type) + " is suspiciously exact: " + rel);
        }
    }
}
