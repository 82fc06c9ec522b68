package org.longform.cli;

/** Small helpers over a logits row. */
final class TopK {
    private TopK() {}

    /** Ids of the k largest values, largest first (ties: lower id first). */
    static int[] indices(float[] row, int off, int n, int k) {
        k = Math.min(k, n);
        int[] best = new int[k];
        int size = 0;
        for (int i = 0; i < n; i++) {
            float v = row[off + i];
            if (size == k && v <= row[off + best[k - 1]]) continue;
            int j = size < k ? size++ : k - 1;
            while (j > 0 && row[off + best[j - 1]] < v) {
                best[j] = best[j - 1];
                j--;
            }
            best[j] = i;
        }
        return best;
    }

    static double logSumExp(float[] row, int off, int n) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) m = Math.max(m, row[off + i]);
        double s = 0;
        for (int i = 0; i < n; i++) s += Math.exp(row[off + i] - m);
        return m + Math.log(s);
    }
}
