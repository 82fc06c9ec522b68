package org.longform.engine.sample;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.random.RandomGenerator;

/**
 * Picks the next token from the model's logits.
 *
 * <p>Order, as in KoboldCpp's SampleLogits with its default sampler order: logit bias (added to the raw
 * logits), then DRY (it must see every token, before any filter reorders or drops them), then the repetition
 * penalty over the recent history, then top-k, typical, top-p and min-p (each on the softmax of the
 * candidates still alive), then temperature, then XTC last (it judges the final probabilities), then a draw
 * from a seeded generator, so the same seed and the same logits always give the same story. Temperature 0
 * takes the most likely token after bias and penalties, the lowest id on ties; XTC does not apply to it.
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
    /** Logit bias by token id (token ids and phrases merged), ascending ids; empty when none. */
    private final int[] biasIds;

    private final double[] biasValues;
    /** breaker[id]: the token's text contains a DRY sequence breaker; null when DRY is off. */
    private final boolean[] breaker;
    /** XTC's dice has a generator of its own, so turning XTC on leaves the main draws' sequence as it was. */
    private final RandomGenerator xtcRandom;
    /** DRY scratch: dryLen[id] = longest repeat that id would extend, valid where dryStamp[id] == stamp. */
    private int[] dryLen;

    private int[] dryStamp;
    private int[] dryTouched;
    private int dryStampNow;

    /**
     * What DRY's sequence breakers and phrase biases need from the tokenizer.
     *
     * @param encode     token ids of a text
     * @param tokenBytes the UTF-8 bytes one token contributes to the text
     * @param size       number of token ids
     */
    public record Vocabulary(Function<String, int[]> encode, IntFunction<byte[]> tokenBytes, int size) {
        public Vocabulary {
            Objects.requireNonNull(encode, "encode");
            Objects.requireNonNull(tokenBytes, "tokenBytes");
        }
    }

    /** A sampler for settings that need no tokenizer (no phrase bias, no DRY sequence breakers). */
    public Sampler(SamplerSettings settings) {
        this(settings, null);
    }

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
    /** The last step's softmax over the whole vocabulary at temperature 1, computed when {@link #top} asks. */
    private boolean softmaxKnown;

    private float softmaxMax;
    private double softmaxSum;

    /**
     * @param vocab the tokenizer's view, for phrase biases and DRY's sequence breakers; may be null when the
     *              settings have neither
     * @throws IllegalArgumentException when the settings need a vocabulary and none is given
     */
    public Sampler(SamplerSettings settings, Vocabulary vocab) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.seed = settings.seed() != null
                ? settings.seed()
                : ThreadLocalRandom.current().nextLong();
        // SplittableRandom's sequence is fixed by its specification, so seeds reproduce across JDKs.
        this.random = new SplittableRandom(seed);
        this.xtcRandom = new SplittableRandom(~seed);
        this.logMinP = Math.log(settings.minP());

        TreeMap<Integer, Double> bias = new TreeMap<>(settings.logitBias());
        if (!settings.phraseBias().isEmpty() && vocab == null) {
            throw new IllegalArgumentException("a phrase bias needs the tokenizer; none was given to the sampler");
        }
        for (Map.Entry<String, Double> e : settings.phraseBias().entrySet()) {
            // A phrase mid-text usually follows a space, so both spellings' first tokens get the bias (once each).
            String t = e.getKey().strip();
            int[] plain = vocab.encode().apply(t);
            int[] spaced = vocab.encode().apply(" " + t);
            if (plain.length > 0) {
                bias.merge(plain[0], e.getValue(), Double::sum);
            }
            if (spaced.length > 0 && (plain.length == 0 || spaced[0] != plain[0])) {
                bias.merge(spaced[0], e.getValue(), Double::sum);
            }
        }
        biasIds = bias.keySet().stream().mapToInt(Integer::intValue).toArray();
        biasValues = bias.values().stream().mapToDouble(Double::doubleValue).toArray();

        SamplerSettings.Dry dry = settings.dry();
        if (!dry.enabled()) {
            breaker = null;
        } else if (dry.sequenceBreakers().isEmpty()) {
            breaker = new boolean[0];
        } else {
            if (vocab == null) {
                throw new IllegalArgumentException(
                        "DRY sequence breakers need the tokenizer; none was given to the sampler");
            }
            breaker = breakers(vocab, dry.sequenceBreakers());
        }
    }

    /** Marks every token whose bytes contain a breaker's bytes: "\n" also breaks at ".\n" or "\n\n" tokens. */
    private static boolean[] breakers(Vocabulary vocab, List<String> strings) {
        byte[][] needles =
                strings.stream().map(x -> x.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        boolean[] out = new boolean[vocab.size()];
        for (int id = 0; id < out.length; id++) {
            byte[] b = vocab.tokenBytes().apply(id);
            for (byte[] needle : needles) {
                if (contains(b, needle)) {
                    out[id] = true;
                    break;
                }
            }
        }
        return out;
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
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

    /**
     * The {@code n} most likely tokens of the last {@link #sample} call, best first (the lowest id among equals),
     * as {@link Alternative}s: the model's probabilities at temperature 1 after bias and penalties, and whether
     * the filters kept each one. A partial selection over the vocabulary (an n-sized heap, no sort) and one
     * vectorized exp pass for the softmax's sum; allocates only the small result. Call it only when someone
     * shows the alternatives: {@link #sample} itself never pays for them.
     */
    public List<Alternative> top(int n) {
        if (vocab < 0) throw new IllegalStateException("top() before the first sample()");
        n = Math.max(0, Math.min(n, vocab));
        long[] heap = new long[n];
        int size = 0;
        for (; size < n; size++) {
            heap[size] = key(work[size], size);
            siftUpMin(heap, size);
        }
        // Only an entry above the heap's weakest can enter (ids only grow: an equal value keeps the earlier id).
        for (int i = n; n > 0 && (i = VocabScan.firstAbove(work, i, vocab, value(heap[0]))) < vocab; i++) {
            heap[0] = key(work[i], i);
            siftDownMin(heap, 0, size);
        }
        Arrays.sort(heap); // n entries, ascending keys: the best is last
        if (size > 0 && !softmaxKnown) softmax(value(heap[size - 1])); // the best is the maximum: no second pass
        Alternative[] out = new Alternative[size];
        for (int j = 0; j < size; j++) out[j] = alternative(position(heap[size - 1 - j]));
        return List.of(out);
    }

    /** One token's {@link Alternative} for the last {@link #sample} call (the chosen one, when outside the top). */
    public Alternative alternative(int id) {
        if (vocab < 0) throw new IllegalStateException("alternative() before the first sample()");
        if (!softmaxKnown) {
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < vocab; i++) if (work[i] > max) max = work[i];
            softmax(max);
        }
        double p = softmaxSum > 0 ? Math.exp(work[id] - softmaxMax) / softmaxSum : 0;
        return new Alternative(id, p, drawable(id));
    }

    private void softmax(float max) {
        softmaxMax = max;
        softmaxSum = max == Float.NEGATIVE_INFINITY ? 0 : VocabScan.sumExp(work, vocab, max);
        softmaxKnown = true;
    }

    /** Whether the last draw could have picked {@code id}: a final candidate with a positive weight. */
    private boolean drawable(int id) {
        if (count == 1 || totalWeight <= 0 || Double.isNaN(totalWeight)) return candId[0] == id;
        for (int i = 0; i < count; i++) if (candId[i] == id) return weight[i] > 0;
        return false;
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
        softmaxKnown = false;
        for (int i = 0; i < n; i++) {
            float l = logits[i];
            work[i] = Float.isNaN(l) ? Float.NEGATIVE_INFINITY : l; // a NaN must never win or poison the sums
        }
        applyBias(n);
        applyDry(history, historyLen, n);
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
        applyXtc();
    }

    private void applyBias(int n) {
        for (int i = 0; i < biasIds.length; i++) {
            int id = biasIds[i];
            if (id >= n) {
                throw new IllegalArgumentException("logit bias names token id " + id + ", but the vocabulary has only "
                        + n + " tokens (0.." + (n - 1) + ")");
            }
            work[id] = (float) (work[id] + biasValues[i]);
        }
    }

    /** Longest repeat DRY follows back (as text-generation-webui): bounds the cost on degenerate histories. */
    static final int DRY_MAX_LENGTH = 50;

    /**
     * DRY: for every earlier occurrence of the last token, the token that followed it would extend a repeat;
     * the repeat's length is how far the text before that occurrence matches the text before the end (never
     * across a breaker). Each such token loses multiplier * base^(length - allowedLength) once its longest
     * repeat reaches allowedLength.
     */
    private void applyDry(int[] history, int historyLen, int n) {
        if (breaker == null || historyLen < 2) {
            return;
        }
        SamplerSettings.Dry dry = settings.dry();
        int from = dry.range() == 0 ? 0 : Math.max(0, historyLen - dry.range());
        int end = historyLen - 1;
        int last = history[end];
        if (end - from < 1 || isBreaker(last)) {
            return;
        }
        if (dryLen == null || dryLen.length != n) {
            dryLen = new int[n];
            dryStamp = new int[n];
            dryTouched = new int[n];
            dryStampNow = 0;
        }
        if (++dryStampNow == Integer.MAX_VALUE) {
            Arrays.fill(dryStamp, 0);
            dryStampNow = 1;
        }
        int touched = 0;
        for (int i = end - 1; i >= from; i--) {
            if (history[i] != last) {
                continue;
            }
            int next = history[i + 1];
            if (next < 0 || next >= n || isBreaker(next)) {
                continue;
            }
            int length = 1;
            while (length < DRY_MAX_LENGTH) {
                int j = i - length;
                if (j < from) {
                    break;
                }
                int prev = history[end - length];
                if (history[j] != prev || isBreaker(prev)) {
                    break;
                }
                length++;
            }
            if (dryStamp[next] != dryStampNow) {
                dryStamp[next] = dryStampNow;
                dryLen[next] = length;
                dryTouched[touched++] = next;
            } else if (length > dryLen[next]) {
                dryLen[next] = length;
            }
        }
        for (int k = 0; k < touched; k++) {
            int t = dryTouched[k];
            if (dryLen[t] >= dry.allowedLength()) {
                work[t] = (float) (work[t] - dry.multiplier() * Math.pow(dry.base(), dryLen[t] - dry.allowedLength()));
            }
        }
    }

    private boolean isBreaker(int id) {
        return id >= 0 && id < breaker.length && breaker[id];
    }

    /**
     * XTC, on the final weights: with probability p, of the candidates at least threshold likely (two or more),
     * all but the least likely are removed (among equally likely ones, the highest id stays, as it sorts last).
     */
    private void applyXtc() {
        SamplerSettings.Xtc xtc = settings.xtc();
        if (!xtc.enabled() || count <= 1 || !(totalWeight > 0)) {
            return;
        }
        if (xtcRandom.nextDouble() >= xtc.probability()) {
            return;
        }
        double cut = xtc.threshold() * totalWeight;
        int above = 0;
        int keep = -1;
        for (int i = 0; i < count; i++) {
            if (weight[i] >= cut && weight[i] > 0) {
                above++;
                if (keep < 0 || weight[i] < weight[keep] || (weight[i] == weight[keep] && candId[i] > candId[keep])) {
                    keep = i;
                }
            }
        }
        if (above < 2) {
            return;
        }
        double total = 0;
        for (int i = 0; i < count; i++) {
            if (i != keep && weight[i] >= cut) {
                weight[i] = 0;
            }
            total += weight[i];
        }
        totalWeight = total;
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
        siftUpMin(keys, i);
    }

    private void siftDownMin(int i, int size) {
        siftDownMin(keys, i, size);
    }

    private static void siftUpMin(long[] keys, int i) {
        long k = keys[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (keys[parent] <= k) break;
            keys[i] = keys[parent];
            i = parent;
        }
        keys[i] = k;
    }

    private static void siftDownMin(long[] keys, int i, int size) {
        long k = keys[i];
        int child;
        while ((child = 2 * i + 1) < size) {
            if (child + 1 < size && keys[child + 1] < keys[child]) child++;
            if (k <= keys[child]) break;
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
