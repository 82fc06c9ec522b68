package org.longform.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Exact GELU, x * 0.5 * (1 + erf(x / sqrt 2)). Java has no erf; erfc uses the Chebyshev fit from
 * Numerical Recipes (fractional error below 1.2e-7 everywhere), close to float precision.
 */
public final class Gelu {
    private Gelu() {}

    private static final float INV_SQRT2 = 0.70710678118654752f;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    public static float erf(float x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double r = t
                * Math.exp(
                        -z * z
                                - 1.26551223
                                + t
                                        * (1.00002368
                                                + t
                                                        * (0.37409196
                                                                + t
                                                                        * (0.09678418
                                                                                + t
                                                                                        * (-0.18628806
                                                                                                + t
                                                                                                        * (0.27886807
                                                                                                                + t
                                                                                                                        * (-1.13520398
                                                                                                                                + t
                                                                                                                                        * (1.48851587
                                                                                                                                                + t
                                                                                                                                                        * (-0.82215223
                                                                                                                                                                + t
                                                                                                                                                                        * 0.17087277)))))))));
        return (float) (x >= 0 ? 1.0 - r : r - 1.0);
    }

    public static void scalar(float[] x, int n) {
        for (int i = 0; i < n; i++) x[i] = scalar(x[i]);
    }

    /**
     * GELU over x[from, to) in place. The polynomial is written out in the loop (not in a helper
     * taking a vector): a vector passed to a method C2 does not inline loses its exact class, and
     * every op on it becomes a call on a boxed vector.
     */
    public static void vector(float[] x, int from, int to) {
        int i = from;
        int upper = from + F.loopBound(to - from);
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (; i < upper; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector z = v.mul(INV_SQRT2).abs();
            FloatVector t = one.div(z.mul(0.5f).add(1f));
            FloatVector p = t.mul(0.17087277f).add(-0.82215223f);
            p = p.mul(t).add(1.48851587f);
            p = p.mul(t).add(-1.13520398f);
            p = p.mul(t).add(0.27886807f);
            p = p.mul(t).add(-0.18628806f);
            p = p.mul(t).add(0.09678418f);
            p = p.mul(t).add(0.37409196f);
            p = p.mul(t).add(1.00002368f);
            p = p.mul(t).add(-1.26551223f);
            FloatVector r = t.mul(p.sub(z.mul(z)).lanewise(VectorOperators.EXP)); // erfc(|u|)
            FloatVector erfAbs = one.sub(r); // erf(|u|)
            FloatVector erf = erfAbs.blend(erfAbs.neg(), v.compare(VectorOperators.LT, 0f));
            v.mul(0.5f).mul(erf.add(1f)).intoArray(x, i);
        }
        for (; i < to; i++) x[i] = scalar(x[i]);
    }

    public static float scalar(float x) {
        return 0.5f * x * (1f + erf(x * INV_SQRT2));
    }
}
