package org.longform.engine.io.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * GGML's block formats as stored in GGUF files: their sizes, and rows decoded to float the way
 * ggml's {@code dequantize_row_*} functions decode them (same products in the same order). The
 * engine computes directly with F32/F16/BF16, Q8_0 and Q4_0; the other formats community files
 * use (Q4_1, Q5_0, Q5_1 and the k-quants Q2_K..Q6_K that "Q4_K_M"-style files mix) are decoded
 * here once at load and re-quantized into a form the kernels read.
 * <p>
 * Block layouts (bytes, little-endian, "f16" a half-precision scale):
 * <ul>
 * <li>Q4_0 (32 weights, 18 B): f16 d, 16 B nibbles. w = d·(q − 8)</li>
 * <li>Q4_1 (32, 20 B): f16 d, f16 m, 16 B nibbles. w = d·q + m</li>
 * <li>Q5_0 (32, 22 B): f16 d, 4 B fifth bits, 16 B nibbles. w = d·(q − 16)</li>
 * <li>Q5_1 (32, 24 B): f16 d, f16 m, 4 B fifth bits, 16 B nibbles. w = d·q + m</li>
 * <li>Q8_0 (32, 34 B): f16 d, 32 int8. w = d·q</li>
 * <li>Q2_K (256, 84 B): 16 B scales (4-bit scale, 4-bit min per 16), 64 B 2-bit quants, f16 d, f16 dmin</li>
 * <li>Q3_K (256, 110 B): 32 B high-bit mask, 64 B 2-bit quants, 12 B 6-bit scales, f16 d</li>
 * <li>Q4_K (256, 144 B): f16 d, f16 dmin, 12 B 6-bit scales and mins (per 32), 128 B nibbles</li>
 * <li>Q5_K (256, 176 B): f16 d, f16 dmin, 12 B scales and mins, 32 B fifth bits, 128 B nibbles</li>
 * <li>Q6_K (256, 210 B): 128 B low nibbles, 64 B high 2 bits, 16 int8 scales (per 16), f16 d</li>
 * </ul>
 */
public final class GgmlBlocks {
    private GgmlBlocks() {}

    /** Weights per block of {@code type} (1 for the plain float types); 0 if this engine cannot read it. */
    public static int blockSize(int type) {
        return switch (type) {
            case GgufFile.F32, GgufFile.F16, GgufFile.BF16 -> 1;
            case GgufFile.Q4_0, GgufFile.Q4_1, GgufFile.Q5_0, GgufFile.Q5_1, GgufFile.Q8_0 -> 32;
            case GgufFile.Q2_K, GgufFile.Q3_K, GgufFile.Q4_K, GgufFile.Q5_K, GgufFile.Q6_K -> 256;
            default -> 0;
        };
    }

    /** Bytes per block of {@code type}; 0 if this engine cannot read it. */
    public static int blockBytes(int type) {
        return switch (type) {
            case GgufFile.F32 -> 4;
            case GgufFile.F16, GgufFile.BF16 -> 2;
            case GgufFile.Q4_0 -> 18;
            case GgufFile.Q4_1 -> 20;
            case GgufFile.Q5_0 -> 22;
            case GgufFile.Q5_1 -> 24;
            case GgufFile.Q8_0 -> 34;
            case GgufFile.Q2_K -> 84;
            case GgufFile.Q3_K -> 110;
            case GgufFile.Q4_K -> 144;
            case GgufFile.Q5_K -> 176;
            case GgufFile.Q6_K -> 210;
            default -> 0;
        };
    }

    /** The block types decoded here (every readable type but the plain float ones). */
    public static boolean isBlockType(int type) {
        return blockSize(type) > 1;
    }

    /**
     * Decodes {@code n} weights (a whole number of blocks) starting at byte {@code off} of
     * {@code src} into {@code dst[dstOff, dstOff + n)}.
     */
    public static void dequantizeRow(int type, MemorySegment src, long off, int n, float[] dst, int dstOff) {
        int bs = blockSize(type), bb = blockBytes(type);
        if (bs <= 1) throw new IllegalArgumentException("not a block type: " + GgufFile.typeName(type));
        if (n % bs != 0)
            throw new IllegalArgumentException(n + " weights is not a whole number of " + bs + "-weight blocks");
        byte[] b = new byte[bb];
        for (int blk = 0; blk < n / bs; blk++) {
            MemorySegment.copy(src, ValueLayout.JAVA_BYTE, off + (long) blk * bb, b, 0, bb);
            int y = dstOff + blk * bs;
            switch (type) {
                case GgufFile.Q4_0 -> q4_0(b, dst, y);
                case GgufFile.Q4_1 -> q4_1(b, dst, y);
                case GgufFile.Q5_0 -> q5(b, dst, y, false);
                case GgufFile.Q5_1 -> q5(b, dst, y, true);
                case GgufFile.Q8_0 -> q8_0(b, dst, y);
                case GgufFile.Q2_K -> q2_K(b, dst, y);
                case GgufFile.Q3_K -> q3_K(b, dst, y);
                case GgufFile.Q4_K -> q45_K(b, dst, y, false);
                case GgufFile.Q5_K -> q45_K(b, dst, y, true);
                case GgufFile.Q6_K -> q6_K(b, dst, y);
                default -> throw new IllegalArgumentException(GgufFile.typeName(type));
            }
        }
    }

    private static float f16(byte[] b, int at) {
        return Float.float16ToFloat((short) ((b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8));
    }

    private static int u8(byte[] b, int at) {
        return b[at] & 0xFF;
    }

    private static int u32(byte[] b, int at) {
        return u8(b, at) | u8(b, at + 1) << 8 | u8(b, at + 2) << 16 | u8(b, at + 3) << 24;
    }

    private static void q4_0(byte[] b, float[] y, int o) {
        float d = f16(b, 0);
        for (int j = 0; j < 16; j++) {
            y[o + j] = ((u8(b, 2 + j) & 0xF) - 8) * d;
            y[o + j + 16] = ((u8(b, 2 + j) >> 4) - 8) * d;
        }
    }

    private static void q4_1(byte[] b, float[] y, int o) {
        float d = f16(b, 0), m = f16(b, 2);
        for (int j = 0; j < 16; j++) {
            y[o + j] = (u8(b, 4 + j) & 0xF) * d + m;
            y[o + j + 16] = (u8(b, 4 + j) >> 4) * d + m;
        }
    }

    /** Q5_0 (offset 16, no min) or Q5_1 (a min, no offset): the fifth bit of weight j is bit j of qh. */
    private static void q5(byte[] b, float[] y, int o, boolean withMin) {
        float d = f16(b, 0), m = withMin ? f16(b, 2) : 0;
        int h = withMin ? 4 : 2, qs = h + 4;
        int qh = u32(b, h);
        for (int j = 0; j < 16; j++) {
            int x0 = (u8(b, qs + j) & 0xF) | ((qh >>> j) << 4 & 0x10);
            int x1 = (u8(b, qs + j) >> 4) | ((qh >>> (j + 12)) & 0x10);
            if (withMin) {
                y[o + j] = x0 * d + m;
                y[o + j + 16] = x1 * d + m;
            } else {
                y[o + j] = (x0 - 16) * d;
                y[o + j + 16] = (x1 - 16) * d;
            }
        }
    }

    private static void q8_0(byte[] b, float[] y, int o) {
        float d = f16(b, 0);
        for (int j = 0; j < 32; j++) y[o + j] = b[2 + j] * d;
    }

    private static void q2_K(byte[] b, float[] y, int o) {
        float d = f16(b, 80), min = f16(b, 82);
        int q = 16, is = 0;
        for (int n = 0; n < 256; n += 128) {
            for (int shift = 0; shift < 8; shift += 2) {
                for (int half = 0; half < 2; half++) {
                    int sc = u8(b, is++);
                    float dl = d * (sc & 0xF), ml = min * (sc >> 4);
                    for (int l = 0; l < 16; l++) y[o++] = dl * ((u8(b, q + 16 * half + l) >> shift) & 3) - ml;
                }
            }
            q += 32;
        }
    }

    /** Q3_K's sixteen 6-bit scales: low 4 bits in bytes 0-7 (two per byte), high 2 bits in bytes 8-11. */
    static int q3Scale(byte[] b, int scales, int j) {
        int lo = j < 8 ? u8(b, scales + j) & 0xF : u8(b, scales + j - 8) >> 4;
        int hi = (u8(b, scales + 8 + j % 4) >> (2 * (j / 4))) & 3;
        return (lo | hi << 4) - 32;
    }

    private static void q3_K(byte[] b, float[] y, int o) {
        float dAll = f16(b, 108);
        int q = 32, is = 0, m = 1;
        for (int n = 0; n < 256; n += 128) {
            for (int shift = 0; shift < 8; shift += 2) {
                for (int half = 0; half < 2; half++) {
                    float dl = dAll * q3Scale(b, 96, is++);
                    for (int l = 16 * half; l < 16 * half + 16; l++) {
                        int v = ((u8(b, q + l) >> shift) & 3) - ((u8(b, l) & m) != 0 ? 0 : 4);
                        y[o++] = dl * v;
                    }
                }
                m <<= 1;
            }
            q += 32;
        }
    }

    /** Q4_K / Q5_K's 6-bit scale (which = 0) or min (which = 1) of sub-block j (of 32 weights), scales at byte 4. */
    static int kScaleMin(byte[] b, int j, int which) {
        int s = 4;
        if (j < 4) return u8(b, s + j + 4 * which) & 63;
        return which == 0
                ? (u8(b, s + j + 4) & 0xF) | ((u8(b, s + j - 4) >> 6) << 4)
                : (u8(b, s + j + 4) >> 4) | ((u8(b, s + j) >> 6) << 4);
    }

    private static void q45_K(byte[] b, float[] y, int o, boolean five) {
        float d = f16(b, 0), min = f16(b, 2);
        int qh = 16, ql = five ? 48 : 16;
        for (int j = 0; j < 4; j++) {
            float d1 = d * kScaleMin(b, 2 * j, 0), m1 = min * kScaleMin(b, 2 * j, 1);
            float d2 = d * kScaleMin(b, 2 * j + 1, 0), m2 = min * kScaleMin(b, 2 * j + 1, 1);
            int u1 = 1 << (2 * j), u2 = 2 << (2 * j);
            for (int l = 0; l < 32; l++) {
                int q = u8(b, ql + l) & 0xF;
                if (five && (u8(b, qh + l) & u1) != 0) q += 16;
                y[o++] = d1 * q - m1;
            }
            for (int l = 0; l < 32; l++) {
                int q = u8(b, ql + l) >> 4;
                if (five && (u8(b, qh + l) & u2) != 0) q += 16;
                y[o++] = d2 * q - m2;
            }
            ql += 32;
        }
    }

    private static void q6_K(byte[] b, float[] y, int o) {
        float d = f16(b, 208);
        int ql = 0, qh = 128, sc = 192;
        for (int n = 0; n < 256; n += 128) {
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int q1 = ((u8(b, ql + l) & 0xF) | ((u8(b, qh + l) & 3) << 4)) - 32;
                int q2 = ((u8(b, ql + l + 32) & 0xF) | (((u8(b, qh + l) >> 2) & 3) << 4)) - 32;
                int q3 = ((u8(b, ql + l) >> 4) | (((u8(b, qh + l) >> 4) & 3) << 4)) - 32;
                int q4 = ((u8(b, ql + l + 32) >> 4) | (((u8(b, qh + l) >> 6) & 3) << 4)) - 32;
                y[o + n + l] = d * b[sc + is] * q1;
                y[o + n + l + 32] = d * b[sc + is + 2] * q2;
                y[o + n + l + 64] = d * b[sc + is + 4] * q3;
                y[o + n + l + 96] = d * b[sc + is + 6] * q4;
            }
            ql += 64;
            qh += 32;
            sc += 8;
        }
    }
}
