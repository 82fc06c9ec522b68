package org.longform.engine.io.gguf;

import org.longform.engine.quant.Matrix;

/**
 * Test-side GGML block encoders (the simple reference quantizations, no error search) and an
 * element-by-element decoder written from the format descriptions, independent of
 * {@link GgmlBlocks}' loops: the encoders pack bits the way ggml's {@code quantize_row_*_ref} pack
 * them; {@link #value} reads one weight the way the block layout defines it.
 */
final class GgmlEncoder {
    private GgmlEncoder() {}

    static final int[] BLOCK_TYPES = {
        GgufFile.Q4_1,
        GgufFile.Q5_0,
        GgufFile.Q5_1,
        GgufFile.Q2_K,
        GgufFile.Q3_K,
        GgufFile.Q4_K,
        GgufFile.Q5_K,
        GgufFile.Q6_K
    };

    /** A whole matrix in {@code type}, rows one after another. */
    static byte[] matrix(Matrix m, int type) {
        int cols = m.cols(), bs = GgmlBlocks.blockSize(type), bb = GgmlBlocks.blockBytes(type);
        byte[] out = new byte[m.rows() * (cols / bs) * bb];
        float[] row = new float[cols];
        for (int r = 0; r < m.rows(); r++) {
            m.row(r, row, 0);
            for (int b = 0; b < cols / bs; b++) {
                byte[] blk = block(type, row, b * bs);
                System.arraycopy(blk, 0, out, (r * (cols / bs) + b) * bb, bb);
            }
        }
        return out;
    }

    /** One block of {@code type} from x[o, o + blockSize). */
    static byte[] block(int type, float[] x, int o) {
        byte[] b = new byte[GgmlBlocks.blockBytes(type)];
        switch (type) {
            case GgufFile.Q4_1 -> minBlock(b, x, o, 15, false);
            case GgufFile.Q5_1 -> minBlock(b, x, o, 31, true);
            case GgufFile.Q5_0 -> q5_0(b, x, o);
            case GgufFile.Q2_K -> q2_K(b, x, o);
            case GgufFile.Q3_K -> q3_K(b, x, o);
            case GgufFile.Q4_K -> q45_K(b, x, o, false);
            case GgufFile.Q5_K -> q45_K(b, x, o, true);
            case GgufFile.Q6_K -> q6_K(b, x, o);
            default -> throw new IllegalArgumentException(GgufFile.typeName(type));
        }
        return b;
    }

    private static void putF16(byte[] b, int at, float v) {
        short h = Float.floatToFloat16(v);
        b[at] = (byte) h;
        b[at + 1] = (byte) (h >> 8);
    }

    private static float f16(byte[] b, int at) {
        return Float.float16ToFloat((short) ((b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8));
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /** Q4_1 / Q5_1: w = d*q + m with m the block's minimum. */
    private static void minBlock(byte[] b, float[] x, int o, int nmax, boolean five) {
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            min = Math.min(min, x[o + j]);
            max = Math.max(max, x[o + j]);
        }
        float d = (max - min) / nmax, id = d != 0 ? 1 / d : 0;
        putF16(b, 0, d);
        putF16(b, 2, min);
        int[] q = new int[32];
        for (int j = 0; j < 32; j++) q[j] = clamp(Math.round((x[o + j] - min) * id), 0, nmax);
        pack32(b, five ? 4 : -1, five ? 8 : 4, q);
    }

    private static void q5_0(byte[] b, float[] x, int o) {
        float amax = 0, max = 0;
        for (int j = 0; j < 32; j++) {
            if (Math.abs(x[o + j]) > amax) {
                amax = Math.abs(x[o + j]);
                max = x[o + j];
            }
        }
        float d = max / -16, id = d != 0 ? 1 / d : 0;
        putF16(b, 0, d);
        int[] q = new int[32];
        for (int j = 0; j < 32; j++) q[j] = clamp((int) (x[o + j] * id + 16.5f), 0, 31);
        pack32(b, 2, 6, q);
    }

    /** Nibbles of weights j and j + 16 share byte j; the fifth bit of weight j is bit j of the 32-bit qh. */
    private static void pack32(byte[] b, int qhAt, int qsAt, int[] q) {
        int qh = 0;
        for (int j = 0; j < 16; j++) {
            b[qsAt + j] = (byte) ((q[j] & 0xF) | (q[j + 16] & 0xF) << 4);
            qh |= ((q[j] >> 4) & 1) << j;
            qh |= ((q[j + 16] >> 4) & 1) << (j + 16);
        }
        if (qhAt >= 0) for (int k = 0; k < 4; k++) b[qhAt + k] = (byte) (qh >>> (8 * k));
    }

    /** 2-bit quants of weights l, l+32, l+64, l+96 (of each 128) share byte l of the 32-byte half. */
    private static void pack2(byte[] b, int qsAt, int[] L) {
        for (int j = 0; j < 256; j += 128) {
            for (int l = 0; l < 32; l++) {
                b[qsAt + j / 4 + l] = (byte) (L[j + l] | L[j + l + 32] << 2 | L[j + l + 64] << 4 | L[j + l + 96] << 6);
            }
        }
    }

    /**
     * Scales and mins of an asymmetric k-quant's sub-blocks of {@code size} weights (range over
     * nmax, the minimum clamped to at most 0 and negated), as ggml's reference quantizer starts;
     * returns the largest scale and the largest min.
     */
    private static float[] minScales(float[] x, int o, int size, int nmax, float[] scales, float[] mins) {
        float maxScale = 0, maxMin = 0;
        for (int j = 0; j < scales.length; j++) {
            float mn = 0, mx = -Float.MAX_VALUE;
            for (int l = 0; l < size; l++) {
                mn = Math.min(mn, x[o + size * j + l]);
                mx = Math.max(mx, x[o + size * j + l]);
            }
            scales[j] = (mx - mn) / nmax;
            mins[j] = -mn;
            maxScale = Math.max(maxScale, scales[j]);
            maxMin = Math.max(maxMin, mins[j]);
        }
        return new float[] {maxScale, maxMin};
    }

    private static void q2_K(byte[] b, float[] x, int o) {
        float[] scales = new float[16], mins = new float[16];
        float[] most = minScales(x, o, 16, 3, scales, mins);
        float maxScale = most[0], maxMin = most[1];
        for (int j = 0; j < 16; j++) {
            int ls = maxScale > 0 ? clamp(Math.round(15 / maxScale * scales[j]), 0, 15) : 0;
            int lm = maxMin > 0 ? clamp(Math.round(15 / maxMin * mins[j]), 0, 15) : 0;
            b[j] = (byte) (ls | lm << 4);
        }
        putF16(b, 80, maxScale / 15);
        putF16(b, 82, maxMin / 15);
        float d = f16(b, 80), dmin = f16(b, 82);
        int[] L = new int[256];
        for (int j = 0; j < 16; j++) {
            float dj = d * (b[j] & 0xF), mj = dmin * ((b[j] & 0xFF) >> 4);
            for (int l = 0; l < 16; l++)
                L[16 * j + l] = dj == 0 ? 0 : clamp(Math.round((x[o + 16 * j + l] + mj) / dj), 0, 3);
        }
        pack2(b, 16, L);
    }

    /**
     * The 16 sub-block scales of a symmetric k-quant (each sub-block's value of largest magnitude
     * over -nmax, as ggml's reference quantizer starts), then at [16] the one of largest magnitude.
     */
    private static float[] subScales(float[] x, int o, int nmax) {
        float[] scales = new float[17];
        for (int j = 0; j < 16; j++) {
            float amax = 0, max = 0;
            for (int l = 0; l < 16; l++) {
                float v = x[o + 16 * j + l];
                if (Math.abs(v) > amax) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            scales[j] = max / -nmax;
            if (Math.abs(scales[j]) > Math.abs(scales[16])) scales[16] = scales[j];
        }
        return scales;
    }

    private static void q3_K(byte[] b, float[] x, int o) {
        float[] scales = subScales(x, o, 4);
        float maxScale = scales[16];
        int sc = 96;
        if (maxScale != 0) {
            float iscale = -32f / maxScale;
            for (int j = 0; j < 16; j++) {
                int l = clamp(Math.round(iscale * scales[j]), -32, 31) + 32;
                if (j < 8) b[sc + j] = (byte) (l & 0xF);
                else b[sc + j - 8] |= (byte) ((l & 0xF) << 4);
                b[sc + 8 + j % 4] |= (byte) ((l >> 4) << (2 * (j / 4)));
            }
            putF16(b, 108, 1 / iscale);
        }
        float d = f16(b, 108);
        int[] L = new int[256];
        for (int j = 0; j < 16; j++) {
            float dj = d * GgmlBlocks.q3Scale(b, sc, j);
            for (int l = 0; l < 16; l++)
                L[16 * j + l] = (dj == 0 ? 0 : clamp(Math.round(x[o + 16 * j + l] / dj), -4, 3)) + 4;
        }
        for (int j = 0; j < 256; j++) {
            if (L[j] > 3) {
                b[j % 32] |= (byte) (1 << (j / 32));
                L[j] -= 4;
            }
        }
        pack2(b, 32, L);
    }

    private static void q45_K(byte[] b, float[] x, int o, boolean five) {
        int nmax = five ? 31 : 15;
        float[] scales = new float[8], mins = new float[8];
        float[] most = minScales(x, o, 32, nmax, scales, mins);
        float maxScale = most[0], maxMin = most[1];
        int s = 4;
        for (int j = 0; j < 8; j++) {
            int ls = maxScale > 0 ? Math.min(63, Math.round(63 / maxScale * scales[j])) : 0;
            int lm = maxMin > 0 ? Math.min(63, Math.round(63 / maxMin * mins[j])) : 0;
            if (j < 4) {
                b[s + j] = (byte) ls;
                b[s + j + 4] = (byte) lm;
            } else {
                b[s + j + 4] = (byte) ((ls & 0xF) | (lm & 0xF) << 4);
                b[s + j - 4] |= (byte) ((ls >> 4) << 6);
                b[s + j] |= (byte) ((lm >> 4) << 6);
            }
        }
        putF16(b, 0, maxScale / 63);
        putF16(b, 2, maxMin / 63);
        float d = f16(b, 0), dmin = f16(b, 2);
        int[] L = new int[256];
        for (int j = 0; j < 8; j++) {
            float dj = d * GgmlBlocks.kScaleMin(b, j, 0), mj = dmin * GgmlBlocks.kScaleMin(b, j, 1);
            for (int l = 0; l < 32; l++)
                L[32 * j + l] = dj == 0 ? 0 : clamp(Math.round((x[o + 32 * j + l] + mj) / dj), 0, nmax);
        }
        int qh = 16, ql = five ? 48 : 16;
        int m1 = 1, m2 = 2;
        for (int n = 0; n < 256; n += 64) {
            for (int j = 0; j < 32; j++) {
                int l1 = L[n + j], l2 = L[n + j + 32];
                if (l1 > 15) {
                    l1 -= 16;
                    b[qh + j] |= (byte) m1;
                }
                if (l2 > 15) {
                    l2 -= 16;
                    b[qh + j] |= (byte) m2;
                }
                b[ql + j] = (byte) (l1 | l2 << 4);
            }
            m1 <<= 2;
            m2 <<= 2;
            ql += 32;
        }
    }

    private static void q6_K(byte[] b, float[] x, int o) {
        float[] scales = subScales(x, o, 32);
        float maxScale = scales[16], amaxScale = Math.abs(maxScale);
        if (amaxScale == 0) return; // all zero: the zero block
        float iscale = -128f / maxScale;
        putF16(b, 208, 1 / iscale);
        for (int j = 0; j < 16; j++) b[192 + j] = (byte) Math.min(127, Math.round(iscale * scales[j]));
        float d = f16(b, 208);
        int[] L = new int[256];
        for (int j = 0; j < 16; j++) {
            float dj = d * b[192 + j];
            for (int l = 0; l < 16; l++)
                L[16 * j + l] = (dj == 0 ? 0 : clamp(Math.round(x[o + 16 * j + l] / dj), -32, 31)) + 32;
        }
        for (int j = 0, ql = 0, qh = 128; j < 256; j += 128, ql += 64, qh += 32) {
            for (int l = 0; l < 32; l++) {
                int q1 = L[j + l] & 0xF, q2 = L[j + l + 32] & 0xF, q3 = L[j + l + 64] & 0xF, q4 = L[j + l + 96] & 0xF;
                b[ql + l] = (byte) (q1 | q3 << 4);
                b[ql + l + 32] = (byte) (q2 | q4 << 4);
                b[qh + l] = (byte) ((L[j + l] >> 4)
                        | (L[j + l + 32] >> 4) << 2
                        | (L[j + l + 64] >> 4) << 4
                        | (L[j + l + 96] >> 4) << 6);
            }
        }
    }

    /** Q3_K's scale j unpacked as ggml does, four at a time from 32-bit words (not byte by byte as {@link GgmlBlocks}). */
    static int q3ScaleByWords(byte[] b, int j) {
        int aux0 = word(b, 96), aux1 = word(b, 100), tmp = word(b, 104);
        int[] a = {
            (aux0 & 0x0f0f0f0f) | ((tmp & 0x03030303) << 4),
            (aux1 & 0x0f0f0f0f) | (((tmp >>> 2) & 0x03030303) << 4),
            ((aux0 >>> 4) & 0x0f0f0f0f) | (((tmp >>> 4) & 0x03030303) << 4),
            ((aux1 >>> 4) & 0x0f0f0f0f) | (((tmp >>> 6) & 0x03030303) << 4)
        };
        return (byte) (a[j / 4] >>> (8 * (j % 4))) - 32;
    }

    private static int word(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }

    /**
     * Weight i of one block, read straight from the layout: which byte and bits hold its quant,
     * which scale (and min) applies. Products in ggml's order, so values match bit for bit.
     */
    static float value(int type, byte[] b, int i) {
        switch (type) {
            case GgufFile.Q4_0 -> {
                int q = i < 16 ? b[2 + i] & 0xF : (b[2 + i - 16] & 0xFF) >> 4;
                return (q - 8) * f16(b, 0);
            }
            case GgufFile.Q8_0 -> {
                return b[2 + i] * f16(b, 0);
            }
            case GgufFile.Q4_1 -> {
                int q = i < 16 ? b[4 + i] & 0xF : (b[4 + i - 16] & 0xFF) >> 4;
                return q * f16(b, 0) + f16(b, 2);
            }
            case GgufFile.Q5_0, GgufFile.Q5_1 -> {
                boolean one = type == GgufFile.Q5_1;
                int qhAt = one ? 4 : 2, qsAt = qhAt + 4;
                int nib = i < 16 ? b[qsAt + i] & 0xF : (b[qsAt + i - 16] & 0xFF) >> 4;
                int hi = ((b[qhAt + i / 8] & 0xFF) >> (i % 8)) & 1;
                int q = nib | hi << 4;
                return one ? q * f16(b, 0) + f16(b, 2) : (q - 16) * f16(b, 0);
            }
            case GgufFile.Q2_K, GgufFile.Q3_K -> {
                int half = i / 128, r = i % 128, g = r / 32, within = r % 32, sub = half * 8 + 2 * g + within / 16;
                int qsAt = type == GgufFile.Q2_K ? 16 : 32;
                int q2 = ((b[qsAt + half * 32 + within] & 0xFF) >> (2 * g)) & 3;
                if (type == GgufFile.Q2_K) {
                    int sc = b[sub] & 0xFF;
                    return f16(b, 80) * (sc & 0xF) * q2 - f16(b, 82) * (sc >> 4);
                }
                int h = ((b[within] & 0xFF) >> (half * 4 + g)) & 1;
                return f16(b, 108) * q3ScaleByWords(b, sub) * (q2 - (h == 1 ? 0 : 4));
            }
            case GgufFile.Q4_K, GgufFile.Q5_K -> {
                boolean five = type == GgufFile.Q5_K;
                int sub = i / 32, within = i % 32, pair = sub / 2;
                int qsAt = five ? 48 : 16;
                int byt = b[qsAt + pair * 32 + within] & 0xFF;
                int q = sub % 2 == 0 ? byt & 0xF : byt >> 4;
                if (five) q += (((b[16 + within] & 0xFF) >> sub) & 1) * 16;
                int sc, m;
                if (sub < 4) {
                    sc = b[4 + sub] & 63;
                    m = b[4 + sub + 4] & 63;
                } else { // low 4 bits in byte 4 + sub + 4, high 2 bits in the top of bytes sub - 4 and sub
                    sc = (b[4 + sub + 4] & 0xF) | ((b[4 + sub - 4] & 0xFF) >> 6) << 4;
                    m = ((b[4 + sub + 4] & 0xFF) >> 4) | ((b[4 + sub] & 0xFF) >> 6) << 4;
                }
                return f16(b, 0) * sc * q - f16(b, 2) * m;
            }
            case GgufFile.Q6_K -> {
                int half = i / 128, r = i % 128, g = r / 32, l = r % 32;
                int low = b[half * 64 + l + (g % 2) * 32] & 0xFF;
                int nib = g < 2 ? low & 0xF : low >> 4;
                int hi = ((b[128 + half * 32 + l] & 0xFF) >> (2 * g)) & 3;
                int q = (nib | hi << 4) - 32;
                return f16(b, 208) * b[192 + half * 8 + l / 16 + 2 * g] * q;
            }
            default -> throw new IllegalArgumentException(GgufFile.typeName(type));
        }
    }
}
