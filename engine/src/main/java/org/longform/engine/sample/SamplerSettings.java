package org.longform.engine.sample;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * How the next token is chosen, and when generation stops. Immutable; change it with the {@code with...}
 * copies. Neutral values switch a filter off: temperature 0 = greedy, topK 0, topP 1, minP 0, typicalP 1,
 * repetitionPenalty 1, DRY multiplier 0, XTC probability 0, no logit bias: the defaults change nothing.
 *
 * @param temperature       divides logits before the draw; 0 means always take the most likely token
 * @param topK              keep only the k most likely tokens; 0 = off
 * @param topP              nucleus: keep the most likely tokens until their probability reaches topP; 1 = off
 * @param minP              drop tokens less likely than minP times the most likely one; 0 = off
 * @param typicalP          locally typical sampling mass; 1 = off
 * @param repetitionPenalty CTRL-style penalty on tokens seen in the recent history; 1 = off
 * @param repetitionRange   how many of the most recent tokens the penalty looks at; 0 = the whole history
 * @param seed              random seed for reproducible stories; null = a fresh random seed per sampler
 * @param maxTokens         most tokens to generate in one request
 * @param stopSequences     generation ends before any of these strings would be shown
 * @param bannedPhrases     phrases the generation layer must never produce (the token sampler ignores it)
 * @param dry               DRY sequence-repetition penalty; {@link Dry#OFF} = off
 * @param xtc               XTC ("exclude top choices"); {@link Xtc#OFF} = off
 * @param logitBias         added to the logit of a token id before anything else; empty = none
 * @param phraseBias        added to the logit of the FIRST token of a phrase, as written and with a leading space
 *                          (the sampler tokenizes it); empty = none
 */
public record SamplerSettings(
        double temperature,
        int topK,
        double topP,
        double minP,
        double typicalP,
        double repetitionPenalty,
        int repetitionRange,
        Long seed,
        int maxTokens,
        List<String> stopSequences,
        List<String> bannedPhrases,
        Dry dry,
        Xtc xtc,
        Map<Integer, Double> logitBias,
        Map<String, Double> phraseBias) {

    public SamplerSettings {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException(
                    "temperature must be a finite number >= 0 (0 = greedy), got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0 (top-k; 0 = off), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1] (top-p; 1 = off), got " + topP);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw new IllegalArgumentException("minP must be in [0, 1] (min-p; 0 = off), got " + minP);
        }
        if (!(typicalP > 0 && typicalP <= 1)) {
            throw new IllegalArgumentException("typicalP must be in (0, 1] (typical-p; 1 = off), got " + typicalP);
        }
        if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) {
            throw new IllegalArgumentException(
                    "repetitionPenalty must be a finite number > 0 (1 = off), got " + repetitionPenalty);
        }
        if (repetitionRange < 0) {
            throw new IllegalArgumentException(
                    "repetitionRange must be >= 0 (0 = whole history), got " + repetitionRange);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
        }
        stopSequences = checkedCopy("stopSequences", stopSequences);
        bannedPhrases = checkedCopy("bannedPhrases", bannedPhrases);
        dry = dry == null ? Dry.OFF : dry;
        xtc = xtc == null ? Xtc.OFF : xtc;
        logitBias =
                checkedBias("logitBias", logitBias, id -> id == null || id < 0 ? "a negative token id " + id : null);
        phraseBias = checkedBias("phraseBias", phraseBias, p -> p == null || p.isBlank() ? "an empty phrase" : null);
    }

    /** The settings of before DRY, XTC and logit bias existed: those three off. */
    public SamplerSettings(
            double temperature,
            int topK,
            double topP,
            double minP,
            double typicalP,
            double repetitionPenalty,
            int repetitionRange,
            Long seed,
            int maxTokens,
            List<String> stopSequences,
            List<String> bannedPhrases) {
        this(
                temperature,
                topK,
                topP,
                minP,
                typicalP,
                repetitionPenalty,
                repetitionRange,
                seed,
                maxTokens,
                stopSequences,
                bannedPhrases,
                Dry.OFF,
                Xtc.OFF,
                Map.of(),
                Map.of());
    }

    /**
     * DRY ("don't repeat yourself", as in KoboldCpp and text-generation-webui): a token that would extend a
     * sequence already present in the history gets {@code multiplier * base^(length - allowedLength)} subtracted
     * from its logit, where length is the longest such repeat ending at the last token. Repeats shorter than
     * allowedLength are free. A token whose text contains a sequence breaker ends every repeat.
     *
     * @param multiplier       strength; 0 = off
     * @param base             growth per extra repeated token; at least 1
     * @param allowedLength    longest repeat that goes unpenalized; at least 1
     * @param range            how many recent tokens are searched; 0 = the whole history
     * @param sequenceBreakers strings that end a repeat (KoboldCpp's defaults: newline, colon, quote, asterisk)
     */
    public record Dry(double multiplier, double base, int allowedLength, int range, List<String> sequenceBreakers) {
        public static final List<String> DEFAULT_BREAKERS = List.of("\n", ":", "\"", "*");
        /** KoboldCpp's defaults with the multiplier at 0. */
        public static final Dry OFF = new Dry(0, 1.75, 2, 0, DEFAULT_BREAKERS);

        public Dry {
            if (!(multiplier >= 0) || Double.isInfinite(multiplier)) {
                throw new IllegalArgumentException(
                        "DRY multiplier must be a finite number >= 0 (0 = off), got " + multiplier);
            }
            if (!(base >= 1) || Double.isInfinite(base)) {
                throw new IllegalArgumentException("DRY base must be a finite number >= 1, got " + base);
            }
            if (allowedLength < 1) {
                throw new IllegalArgumentException("DRY allowed length must be >= 1, got " + allowedLength);
            }
            if (range < 0) {
                throw new IllegalArgumentException("DRY range must be >= 0 (0 = whole history), got " + range);
            }
            sequenceBreakers = checkedCopy("DRY sequence breakers", sequenceBreakers);
        }

        public boolean enabled() {
            return multiplier > 0;
        }
    }

    /**
     * XTC ("exclude top choices", as in KoboldCpp): with the given probability per token, every candidate at
     * least {@code threshold} likely is removed except the least likely of them, when two or more qualify.
     *
     * @param threshold   in [0, 1]; above 0.5 it can never apply (at most one token is more likely than 0.5)
     * @param probability chance per token of applying it, in [0, 1]; 0 = off
     */
    public record Xtc(double threshold, double probability) {
        /** KoboldCpp's defaults: threshold 0.2, probability 0. */
        public static final Xtc OFF = new Xtc(0.2, 0);

        public Xtc {
            if (!(threshold >= 0 && threshold <= 1)) {
                throw new IllegalArgumentException("XTC threshold must be in [0, 1], got " + threshold);
            }
            if (!(probability >= 0 && probability <= 1)) {
                throw new IllegalArgumentException("XTC probability must be in [0, 1] (0 = off), got " + probability);
            }
        }

        public boolean enabled() {
            return probability > 0 && threshold <= 0.5;
        }
    }

    /**
     * Defaults in the spirit of llama.cpp/KoboldCpp for fiction: some randomness, a light repetition
     * penalty over a few hundred tokens, top-k/top-p/min-p trimming the unlikely tail.
     */
    public static SamplerSettings defaults() {
        return new SamplerSettings(0.8, 40, 0.95, 0.05, 1.0, 1.1, 256, null, 256, List.of(), List.of());
    }

    /** Deterministic argmax decoding with no penalty: what the reference fixtures were generated with. */
    public static SamplerSettings greedy() {
        return new SamplerSettings(0, 0, 1, 0, 1, 1, 0, null, 256, List.of(), List.of());
    }

    /** True when the sampler will simply take the most likely token. */
    public boolean isGreedy() {
        return temperature == 0;
    }

    public SamplerSettings withTemperature(double v) {
        return new SamplerSettings(
                v,
                topK,
                topP,
                minP,
                typicalP,
                repetitionPenalty,
                repetitionRange,
                seed,
                maxTokens,
                stopSequences,
                bannedPhrases,
                dry,
                xtc,
                logitBias,
                phraseBias);
    }

    public SamplerSettings withTopK(int v) {
        return new SamplerSettings(
                temperature,
                v,
                topP,
                minP,
                typicalP,
                repetitionPenalty,
                repetitionRange,
                seed,
                maxTokens,
                stopSequences,
                bannedPhrases,
                dry,
                xtc,
                logitBias,
                phraseBias);
    }

    public SamplerSettings withTopP(double v) {
        return new SamplerSettings(
                temperature,
                topK,
                v,
                minP,
                typicalP,
                repetitionPenalty,
                repetitionRange,
                seed,
                maxTokens,
                stopSequences,
                bannedPhrases,
                dry,
                xtc,
                logitBias,
                phraseBias);
    }

    public SamplerSettings withMinP(double v) {
        return new SamplerSettings(
                temperature,
                topK,
                topP,
                v,
                typicalP,
                repetitionPenalty,
                repetitionRange,
                seed,
                maxTokens,
                stopSequences,
                bannedPhrases,
                dry,
                xtc,
                logitBias,
                phraseBias);
    }

    public SamplerSettings withTypicalP(double v) {
        return new SamplerSettings(
                temperature,
                topK,
                topP,
                minP,
                v,
                repetitionPenalty,
                repetitionRange,
                seed,
                maxTokens,
                stopSequences,
                bannedPhrases,
                dry,
                xtc,
                logitBias,
                phraseBias);
    }

    public SamplerSettings withRepetitionPenalty(double v) {
        return new SamplerSettings(
                temperature,
                topK,
                topP,
                minP,
                typicalP,
                v,
                repetitionRange,
                seed,
                maxTokens,
                stopSequences,
                bannedPhrases,
                dry,
                xtc,
                logitBias,
                phraseBias);
    }

    public SamplerSettings withRepetitionRange(int v) {
        return new SamplerSettings(
                temperature,
                topK,
                topP,
                minP,
                typicalP,
                repetitionPenalty,
                v,
                seed,
                maxTokens,
                stopSequences,
                bannedPhrases,
                dry,
                xtc,
                logitBias,
                phraseBias);
    }

    /** @param v the seed, or null for a fresh random seed */
    public SamplerSettings withSeed(Long v) {
        return new SamplerSettings(
                temperature,
                topK,
                topP,
                minP,
                typicalP,
                repetitionPenalty,
                repetitionRange,
                v,
                maxTokens,
                stopSequences,
                bannedPhrases,
                dry,
                xtc,
                logitBias,
                phraseBias);
    }

    public SamplerSettings withMaxTokens(int v) {
        return new SamplerSettings(
                temperature,
                topK,
                topP,
                minP,
                typicalP,
                repetitionPenalty,
                repetitionRange,
                seed,
                v,
                stopSequences,
                bannedPhrases,
                dry,
                xtc,
                logitBias,
                phraseBias);
    }

    public SamplerSettings withStopSequences(List<String> v) {
        return new SamplerSettings(
                temperature,
                topK,
                topP,
                minP,
                typicalP,
                repetitionPenalty,
                repetitionRange,
                seed,
                maxTokens,
                v,
                bannedPhrases,
                dry,
                xtc,
                logitBias,
                phraseBias);
    }

    public SamplerSettings withBannedPhrases(List<String> v) {
        return new SamplerSettings(
                temperature,
                topK,
                topP,
                minP,
                typicalP,
                repetitionPenalty,
                repetitionRange,
                seed,
                maxTokens,
                stopSequences,
                v,
                dry,
                xtc,
                logitBias,
                phraseBias);
    }

    public SamplerSettings withDry(Dry v) {
        return new SamplerSettings(
                temperature,
                topK,
                topP,
                minP,
                typicalP,
                repetitionPenalty,
                repetitionRange,
                seed,
                maxTokens,
                stopSequences,
                bannedPhrases,
                v,
                xtc,
                logitBias,
                phraseBias);
    }

    public SamplerSettings withXtc(Xtc v) {
        return new SamplerSettings(
                temperature,
                topK,
                topP,
                minP,
                typicalP,
                repetitionPenalty,
                repetitionRange,
                seed,
                maxTokens,
                stopSequences,
                bannedPhrases,
                dry,
                v,
                logitBias,
                phraseBias);
    }

    public SamplerSettings withLogitBias(Map<Integer, Double> v) {
        return new SamplerSettings(
                temperature,
                topK,
                topP,
                minP,
                typicalP,
                repetitionPenalty,
                repetitionRange,
                seed,
                maxTokens,
                stopSequences,
                bannedPhrases,
                dry,
                xtc,
                v,
                phraseBias);
    }

    public SamplerSettings withPhraseBias(Map<String, Double> v) {
        return new SamplerSettings(
                temperature,
                topK,
                topP,
                minP,
                typicalP,
                repetitionPenalty,
                repetitionRange,
                seed,
                maxTokens,
                stopSequences,
                bannedPhrases,
                dry,
                xtc,
                logitBias,
                v);
    }

    /** Null means none; a sorted, immutable copy so that equal settings print and apply alike. */
    private static <K extends Comparable<K>> Map<K, Double> checkedBias(
            String name, Map<K, Double> map, Function<K, String> badKey) {
        if (map == null || map.isEmpty()) {
            return Map.of();
        }
        TreeMap<K, Double> copy = new TreeMap<>();
        for (Map.Entry<K, Double> e : map.entrySet()) {
            String bad = badKey.apply(e.getKey());
            if (bad != null) {
                throw new IllegalArgumentException(name + " must not contain " + bad);
            }
            Double v = e.getValue();
            if (v == null || !Double.isFinite(v)) {
                throw new IllegalArgumentException(name + " of " + e.getKey() + " must be a finite number, got " + v);
            }
            copy.put(e.getKey(), v);
        }
        return Collections.unmodifiableMap(copy);
    }

    /** Null means none; empty strings are rejected because they would match everywhere. */
    private static List<String> checkedCopy(String name, List<String> list) {
        if (list == null) {
            return List.of();
        }
        for (int i = 0; i < list.size(); i++) {
            String s = list.get(i);
            if (s == null || s.isEmpty()) {
                throw new IllegalArgumentException(
                        name + " must not contain " + (s == null ? "null" : "an empty string") + " (entry " + i + ")");
            }
        }
        return List.copyOf(list);
    }
}
