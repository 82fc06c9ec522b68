package org.longform.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** LayerNorm without bias (MPT's low_precision_layernorm computed in fp32). */
public final class LayerNorm {
    private LayerNorm() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    public static void scalarRow(float[] x, int off, float[] w, float eps, int d, float[] out) {
        double sum = 0;
        for (int i = 0; i < d; i++) sum += x[off + i];
        float mean = (float) (sum / d);
        double var = 0;
        for (int i = 0; i < d; i++) {
            float c = x[off + i] - mean;
            var += c * c;
        }
        float inv = (float) (1.0 / Math.sqrt(var / d + eps));
        for (int i = 0; i < d; i++) out[off + i] = (x[off + i] - mean) * inv * w[i];
    }

    public static void vectorRow(float[] x, int off, float[] w, float eps, int d, float[] out) {
        int upper = F.loopBound(d);
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i < upper; i += F.length()) acc = acc.add(FloatVector.fromArray(F, x, off + i));
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < d; i++) sum += x[off + i];
        float mean = sum / d;
        FloatVector m = FloatVector.broadcast(F, mean);
        acc = FloatVector.zero(F);
        for (i = 0; i < upper; i += F.length()) {
            FloatVector c = FloatVector.fromArray(F, x, off + i).sub(m);
            acc = c.fma(c, acc);
        }
        float var = acc.reduceLanes(VectorOperators.ADD);
        for (; i < d; i++) {
            float c = x[off + i] - mean;
            var += c * c;
        }
        float inv = (float) (1.0 / Math.sqrt(var / d + eps));
        for (i = 0; i < upper; i += F.length()) {
            FloatVector.fromArray(F, x, off + i)
                    .sub(m)
                    .mul(inv)
                    .mul(FloatVector.fromArray(F, w, i))
                    .intoArray(out, off + i);
        }
        for (; i < d; i++) out[off + i] = (x[off + i] - mean) * inv * w[i];
    }
}
