package org.longform.engine.sample;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two passes over a whole vocabulary that the alternatives pop-up needs, each with its scalar twin: the
 * softmax's partition sum(exp(x[i] - max)), and the next entry above a floor (what a top-N selection does
 * for almost every entry: compare and move on). The Vector API versions compare and exponentiate a vector
 * at a time, which is what keeps the alternatives within about a percent of a decode step on the demo model;
 * the tests hold them to their twins.
 */
final class VocabScan {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VocabScan() {}

    static double sumExpScalar(float[] x, int n, float max) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(x[i] - max);
        return sum;
    }

    static double sumExp(float[] x, int n, float max) {
        double sum = 0;
        int i = 0, upper = S.loopBound(n);
        // Float lanes summed over a block of at most 32 vectors, then into a double: the rounding stays that of
        // a 32-term float sum however large the vocabulary.
        while (i < upper) {
            FloatVector acc = FloatVector.zero(S);
            for (int end = Math.min(upper, i + 32 * S.length()); i < end; i += S.length())
                acc = acc.add(FloatVector.fromArray(S, x, i).sub(max).lanewise(VectorOperators.EXP));
            sum += acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) sum += Math.exp(x[i] - max);
        return sum;
    }

    /** The first i in [from, n) with x[i] > floor, or n. */
    static int firstAboveScalar(float[] x, int from, int n, float floor) {
        for (int i = from; i < n; i++) if (x[i] > floor) return i;
        return n;
    }

    static int firstAbove(float[] x, int from, int n, float floor) {
        int i = from;
        for (int upper = from + S.loopBound(n - from); i < upper; i += S.length()) {
            VectorMask<Float> m = FloatVector.fromArray(S, x, i).compare(VectorOperators.GT, floor);
            if (m.anyTrue()) return i + m.firstTrue();
        }
        return firstAboveScalar(x, i, n, floor);
    }
}
