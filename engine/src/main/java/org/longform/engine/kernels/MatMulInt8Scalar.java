package org.longform.engine.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.longform.engine.quant.KQuantMatrix;
import org.longform.engine.quant.WeightType;

/**
 * The scalar twin of {@link MatMulInt8}: one row of k-quant weights times int8 activations
 * ({@link Q8Activations}), one value at a time. Per 256-block the weight codes times the activation
 * codes are summed as integers (exact, so any order gives the same sum) and scaled by the block's
 * integer sub-block scales: isum = Σ_s sc_s·Σ q·a, and for Q4_K / Q5_K the mins imin = Σ_s m_s·bsum_s.
 * The floats then follow one fixed order, which the vector kernel keeps:
 * sum = fma(d·dx, (float) isum, sum), mn = fma(dmin·dx, (float) imin, mn), block by block; the row is
 * sum − mn. That is ggml's q8_K structure; the result differs from the exact product by the rounding
 * of x to 8 bits (about 0.4 % of each block's largest |x| per value).
 */
public final class MatMulInt8Scalar {
    private MatMulInt8Scalar() {}

    private static int u8(MemorySegment w, long at) {
        return w.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    /** Row r of m times the quantized x. */
    public static float dot(KQuantMatrix m, int r, Q8Activations x) {
        MemorySegment w = m.data();
        int nb = m.cols() / KQuantMatrix.BLOCK, bb = m.type().blockBytes;
        WeightType t = m.type();
        float sum = 0, mn = 0;
        for (int blk = 0; blk < nb; blk++) {
            long bo = m.rowOffset(r) + (long) blk * bb;
            int k = blk * 256;
            float dx = x.d[blk];
            if (t == WeightType.Q6_K) {
                sum = Math.fma(m.f16(bo + 208) * dx, (float) isum6(w, bo, x.q, k), sum);
                continue;
            }
            boolean five = t == WeightType.Q5_K;
            long qs = bo + (five ? 48 : 16), qh = bo + 16;
            int isum = 0, imin = 0;
            for (int s = 0; s < 8; s++) {
                int dot = 0;
                for (int l = 0; l < 32; l++) {
                    int v = u8(w, qs + 32 * (s / 2) + l);
                    int q = s % 2 == 0 ? v & 15 : v >> 4;
                    if (five) q |= (u8(w, qh + l) >> s & 1) << 4;
                    dot += q * x.q[k + 32 * s + l];
                }
                int sm = KQuantMatrix.scaleMin(w, bo, s);
                isum += (sm & 0xFF) * dot;
                imin += (sm >> 8) * x.bsum[k / 32 + s];
            }
            sum = Math.fma(m.f16(bo) * dx, (float) isum, sum);
            mn = Math.fma(m.f16(bo + 2) * dx, (float) imin, mn);
        }
        return sum - mn;
    }

    /** Q6_K block at bo against codes a[k, k + 256): Σ over 16-wide groups of sc·Σ (q − 32)·a. */
    private static int isum6(MemorySegment w, long bo, short[] a, int k) {
        int isum = 0;
        for (int i = 0; i < 256; i += 16) {
            int n = i / 128, g = i % 128 / 32, l0 = i % 32; // half, quarter within it, offset in the 32
            long ql = bo + 64 * n + (g % 2 == 1 ? 32 : 0), qh = bo + 128 + 32 * n;
            int dot = 0;
            for (int l = l0; l < l0 + 16; l++) {
                int c = u8(w, ql + l);
                int q = ((g < 2 ? c & 15 : c >> 4) | (u8(w, qh + l) >> 2 * g & 3) << 4) - 32;
                dot += q * a[k + i + l - l0];
            }
            isum += w.get(ValueLayout.JAVA_BYTE, bo + 192 + 8 * n + 2 * g + l0 / 16) * dot;
        }
        return isum;
    }
}
