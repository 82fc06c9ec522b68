package org.longform.engine.sample;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Picks the next token from the model's logits.
 *
 * <p>Order, as in llama.cpp / KoboldCpp: repetition penalty over the recent history, then top-k, typical,
 * top-p and min-p (each on the softmax of the candidates still alive), then temperature, then a draw from
 * a seeded generator, so the same seed and the same logits always give the same story. Temperature 0
 * takes the most likely token after the penalty, the lowest id on ties.
 *
 * <p>Vocabulary-sized buffers are allocated on the first call and reused: sampling a token allocates
 * nothing. Top-k uses a k-sized heap and top-p / typical pop only the tokens they keep from a heap, so
 * no step sorts the whole 50k vocabulary. Not thread-safe: one sampler per generation.
 */
public final class Sampler {
    private final SamplerSettings settings;
    private final long seed;
    private final RandomGenerator random;
    /** ln(minP): min-p keeps tokens whose logit is within this of the best, which needs no exp(). */
    private final double logMinP;

    private int vocab = -1;
    /** Logits after the repetition penalty (the caller's array is never modified). */
    private float[] work;
    /** seen[id] == stamp marks a token already penalized in this call, so repeats count once. */
    private int[] seen;
    private int stamp;
    /** Surviving candidates: token id and penalized logit; count of them. */
    private int[] candId;
    private float[] candLogit;
    private int count;
    /** Output buffers of a filter, swapped with cand* afterwards. */
    private int[] nextId;
    private float[] nextLogit;
    /** Heap of packed (sort value, candidate position) keys. */
    private long[] keys;
    /** Unnormalized probabilities of the candidates: scratch for the filters, final after temperature. */
    private double[] weight;
    private double totalWeight;
    /** Softmax of the current candidates: weight[i] = exp(logit - maxLogit), partition = their sum. */
    private double maxLogit;
    private double partition;

    public Sampler(SamplerSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.seed = settings.seed() != null ? settings.seed() : ThreadLocalRandom.current().nextLong();
        // SplittableRandom's sequence is fixed by its specification, so seeds reproduce across JDKs.
        this.random = new SplittableRandom(seed);
        this.logMinP = Math.log(settings.minP());
    }

    public SamplerSettings settings() {
        return settings;
    }

    /** The seed actually in use (drawn at construction when the settings ask for a random one). */
    public long seed() {
        return seed;
    }

    /**
     * Chooses a token id.
     *
     * @param logits     one score per vocabulary entry; not modified
     * @param history    tokens so far (prompt and generated), oldest first; may be null when historyLen is 0
     * @param historyLen how many entries of {@code history} are valid
     */
    public int sample(float[] logits, int[] history, int historyLen) {
        prepare(logits, history, historyLen);
        if (count == 1 || totalWeight <= 0 || Double.isNaN(totalWeight)) {
            return candId[0];
        }
        double u = random.nextDouble() * totalWeight;
        double acc = 0;
        int last = 0;
        for (int i = 0; i < count; i++) {
            if (weight[i] > 0) {
                acc += weight[i];
                last = i;
                if (u < acc) {
                    return candId[i];
                }
            }
        }
        return candId[last]; // rounding left u just above the sum
    }

    /** {@link #sample(float[], int[], int)} without a history (no repetition penalty). */
    public int sample(float[] logits) {
        return sample(logits, null, 0);
    }

    /**
     * The distribution the next draw comes from: every filter and the temperature applied, normalized,
     * zero for filtered-out tokens. For tests and diagnostics; allocates.
     */
    float[] probabilities(float[] logits, int[] history, int historyLen) {
        prepare(logits, history, historyLen);
        float[] p = new float[logits.length];
        if (count == 1 || totalWeight <= 0 || Double.isNaN(totalWeight)) {
            p[candId[0]] = 1;
            return p;
        }
        for (int i = 0; i < count; i++) {
            p[candId[i]] = (float) (weight[i] / totalWeight);
        }
        return p;
    }

    /** Leaves the final candidates in candId[0, count) with their weights. */
    private void prepare(float[] logits, int[] history, int historyLen) {
        int n = logits.length;
        if (n == 0) {
            throw new IllegalArgumentException("logits are empty");
        }
        if (historyLen < 0 || (historyLen > 0 && (history == null || historyLen > history.length))) {
            throw new IllegalArgumentException("historyLen " + historyLen + " does not fit history of length "
                    + (history == null ? "null" : history.length));
        }
        ensureBuffers(n);
        for (int i = 0; i < n; i++) {
            float l = logits[i];
            work[i] = Float.isNaN(l) ? Float.NEGATIVE_INFINITY : l; // a NaN must never win or poison the sums
        }
        penalizeRepetitions(history, historyLen, n);

        if (settings.isGreedy()) {
            int best = 0;
            for (int i = 1; i < n; i++) {
                if (work[i] > work[best]) {
                    best = i; // strict '>' keeps the lowest id on ties
                }
            }
            candId[0] = best;
            weight[0] = 1;
            count = 1;
            totalWeight = 1;
            return;
        }

        boolean sorted;
        if (settings.topK() > 0 && settings.topK() < n) {
            selectTopK(settings.topK(), n);
            sorted = true;
        } else {
            for (int i = 0; i < n; i++) {
                candId[i] = i;
                candLogit[i] = work[i];
            }
            count = n;
            sorted = false;
        }
        if (settings.typicalP() < 1) {
            keepTypical(settings.typicalP());
            sorted = false;
        }
        if (settings.topP() < 1) {
            keepNucleus(settings.topP(), sorted);
        }
        if (settings.minP() > 0) {
            keepMinP();
        }
        applyTemperature(settings.temperature());
    }

    /** CTRL-style: shrink the logit of each token seen in the window towards "less likely", once per token. */
    private void penalizeRepetitions(int[] history, int historyLen, int n) {
        double penalty = settings.repetitionPenalty();
        if (penalty == 1 || historyLen == 0) {
            return;
        }
        int range = settings.repetitionRange();
        int from = range == 0 ? 0 : Math.max(0, historyLen - range);
        if (++stamp == Integer.MAX_VALUE) {
            Arrays.fill(seen, 0);
            stamp = 1;
        }
        for (int i = from; i < historyLen; i++) {
            int t = history[i];
            if (t < 0 || t >= n || seen[t] == stamp) {
                continue;
            }
            seen[t] = stamp;
            float l = work[t];
            // Dividing a negative logit would raise it, so negative ones are multiplied instead.
            work[t] = l > 0 ? (float) (l / penalty) : (float) (l * penalty);
        }
    }

    /** The k best tokens, best first (lowest id first among equals), via a k-sized min-heap. */
    private void selectTopK(int k, int n) {
        int size = 0;
        float floor = Float.NEGATIVE_INFINITY; // value of the heap's weakest member once the heap is full
        for (int i = 0; i < n; i++) {
            float v = work[i];
            if (size < k) {
                keys[size] = key(v, i);
                siftUpMin(size++);
                if (size == k) {
                    floor = value(keys[0]);
                }
            } else if (v > floor) {
                // Ids only grow, so an equal value never displaces an earlier id: '>' is enough.
                keys[0] = key(v, i);
                siftDownMin(0, size);
                floor = value(keys[0]);
            }
        }
        // Heapsort in place: repeatedly moving the minimum to the end leaves the keys in descending order.
        for (int end = size - 1; end > 0; end--) {
            long t = keys[0];
            keys[0] = keys[end];
            keys[end] = t;
            siftDownMin(0, end);
        }
        for (int j = 0; j < size; j++) {
            int id = position(keys[j]);
            candId[j] = id;
            candLogit[j] = work[id];
        }
        count = size;
    }

    /** Locally typical sampling: keep tokens whose surprise is closest to the entropy until their mass reaches p. */
    private void keepTypical(double p) {
        softmaxStats();
        double logPartition = Math.log(partition);
        double entropy = 0;
        for (int i = 0; i < count; i++) {
            if (weight[i] > 0) {
                double logProb = candLogit[i] - maxLogit - logPartition;
                entropy -= weight[i] / partition * logProb;
            }
        }
        for (int i = 0; i < count; i++) {
            double logProb = candLogit[i] - maxLogit - logPartition;
            double distance = Math.abs(-logProb - entropy);
            keys[i] = key((float) -distance, i); // max-heap pops the smallest distance first
        }
        popUntilMass(p, true, count);
    }

    /** Nucleus: the most likely tokens until their probability reaches p. */
    private void keepNucleus(double p, boolean sorted) {
        softmaxStats();
        if (sorted) {
            double cumulative = 0;
            for (int i = 0; i < count; i++) {
                cumulative += weight[i] / partition;
                if (cumulative >= p) {
                    count = i + 1;
                    return;
                }
            }
            return;
        }
        // Top-p and the min-p step after it each keep a best-first prefix, so together they keep the
        // shorter one: tokens min-p will drop anyway need not enter the heap (often most of the vocabulary).
        boolean minP = settings.minP() > 0;
        int size = 0;
        for (int i = 0; i < count; i++) {
            if (!minP || candLogit[i] - maxLogit >= logMinP) {
                keys[size++] = key(candLogit[i], i);
            }
        }
        popUntilMass(p, false, size);
    }

    /** Keep tokens at least minP times as likely as the best one (same test as keepNucleus); order is preserved. */
    private void keepMinP() {
        double best = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < count; i++) {
            best = Math.max(best, candLogit[i]);
        }
        int out = 0;
        for (int i = 0; i < count; i++) {
            if (candLogit[i] - best >= logMinP) {
                candId[out] = candId[i];
                candLogit[out] = candLogit[i];
                out++;
            }
        }
        count = Math.max(out, 1);
    }

    private void applyTemperature(double temperature) {
        double best = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < count; i++) {
            best = Math.max(best, candLogit[i]);
        }
        if (best == Double.NEGATIVE_INFINITY) {
            count = 1; // everything was masked; fall back to the first candidate rather than divide by zero
            weight[0] = 1;
            totalWeight = 1;
            return;
        }
        double total = 0;
        for (int i = 0; i < count; i++) {
            double w = candLogit[i] == Float.NEGATIVE_INFINITY ? 0 : Math.exp((candLogit[i] - best) / temperature);
            weight[i] = w;
            total += w;
        }
        totalWeight = total;
    }

    /**
     * Pops candidates from the max-heap in keys[0, size) into next* until their probability mass reaches
     * p (strictly exceeds it when {@code strict}, as llama.cpp's typical sampler does); at least one stays.
     * Cost: O(size) to heapify plus O(log size) per kept token.
     */
    private void popUntilMass(double p, boolean strict, int size) {
        for (int i = size / 2 - 1; i >= 0; i--) {
            siftDownMax(i, size);
        }
        double cumulative = 0;
        int out = 0;
        while (size > 0) {
            int pos = position(keys[0]);
            nextId[out] = candId[pos];
            nextLogit[out] = candLogit[pos];
            out++;
            cumulative += weight[pos] / partition;
            if (strict ? cumulative > p : cumulative >= p) {
                break;
            }
            keys[0] = keys[--size];
            siftDownMax(0, size);
        }
        int[] ids = candId;
        candId = nextId;
        nextId = ids;
        float[] ls = candLogit;
        candLogit = nextLogit;
        nextLogit = ls;
        count = out;
    }

    private void softmaxStats() {
        double best = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < count; i++) {
            best = Math.max(best, candLogit[i]);
        }
        double sum = 0;
        for (int i = 0; i < count; i++) {
            double w = candLogit[i] == Float.NEGATIVE_INFINITY ? 0 : Math.exp(candLogit[i] - best);
            weight[i] = w;
            sum += w;
        }
        maxLogit = best;
        partition = sum;
    }

    private void ensureBuffers(int n) {
        if (vocab == n) {
            return;
        }
        vocab = n;
        work = new float[n];
        seen = new int[n];
        stamp = 0;
        candId = new int[n];
        candLogit = new float[n];
        nextId = new int[n];
        nextLogit = new float[n];
        keys = new long[n];
        weight = new double[n];
    }

    // Keys pack a float's order-preserving bits above the inverted position, so comparing two longs
    // compares values first and, among equal values, prefers the smaller position (lower token id).

    static long key(float value, int position) {
        int bits = Float.floatToRawIntBits(value);
        int ordered = bits ^ ((bits >> 31) & 0x7FFFFFFF);
        return ((long) ordered << 32) | (0xFFFFFFFFL - position);
    }

    static float value(long key) {
        int ordered = (int) (key >> 32);
        return Float.intBitsToFloat(ordered ^ ((ordered >> 31) & 0x7FFFFFFF));
    }

    static int position(long key) {
        return (int) (0xFFFFFFFFL - (key & 0xFFFFFFFFL));
    }

    private void siftUpMin(int i) {
        long k = keys[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (keys[parent] <= k) {
                break;
            }
            keys[i] = keys[parent];
            i = parent;
        }
        keys[i] = k;
    }

    private void siftDownMin(int i, int size) {
        long k = keys[i];
        int child;
        while ((child = 2 * i + 1) < size) {
            if (child + 1 < size && keys[child + 1] < keys[child]) {
                child++;
            }
            if (k <= keys[child]) {
                break;
            }
            keys[i] = keys[child];
            i = child;
        }
        keys[i] = k;
    }

    private void siftDownMax(int i, int size) {
        long k = keys[i];
        int child;
        while ((child = 2 * i + 1) < size) {
            if (child + 1 < size && keys[child + 1] > keys[child]) {
                child++;
            }
            if (k >= keys[child]) {
                break;
            }
            keys[i] = keys[child];
            i = child;
        }
        keys[i] = k;
    }
}
