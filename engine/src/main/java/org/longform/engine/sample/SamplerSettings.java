package org.longform.engine.sample;

import java.util.List;

/**
 * How the next token is chosen, and when generation stops. Immutable; change it with the {@code with...}
 * copies. Neutral values switch a filter off: temperature 0 = greedy, topK 0, topP 1, minP 0, typicalP 1,
 * repetitionPenalty 1.
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
        List<String> bannedPhrases) {

    public SamplerSettings {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0 (0 = greedy), got " + temperature);
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
            throw new IllegalArgumentException("repetitionRange must be >= 0 (0 = whole history), got " + repetitionRange);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
        }
        stopSequences = checkedCopy("stopSequences", stopSequences);
        bannedPhrases = checkedCopy("bannedPhrases", bannedPhrases);
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
        return new SamplerSettings(v, topK, topP, minP, typicalP, repetitionPenalty, repetitionRange, seed, maxTokens, stopSequences, bannedPhrases);
    }

    public SamplerSettings withTopK(int v) {
        return new SamplerSettings(temperature, v, topP, minP, typicalP, repetitionPenalty, repetitionRange, seed, maxTokens, stopSequences, bannedPhrases);
    }

    public SamplerSettings withTopP(double v) {
        return new SamplerSettings(temperature, topK, v, minP, typicalP, repetitionPenalty, repetitionRange, seed, maxTokens, stopSequences, bannedPhrases);
    }

    public SamplerSettings withMinP(double v) {
        return new SamplerSettings(temperature, topK, topP, v, typicalP, repetitionPenalty, repetitionRange, seed, maxTokens, stopSequences, bannedPhrases);
    }

    public SamplerSettings withTypicalP(double v) {
        return new SamplerSettings(temperature, topK, topP, minP, v, repetitionPenalty, repetitionRange, seed, maxTokens, stopSequences, bannedPhrases);
    }

    public SamplerSettings withRepetitionPenalty(double v) {
        return new SamplerSettings(temperature, topK, topP, minP, typicalP, v, repetitionRange, seed, maxTokens, stopSequences, bannedPhrases);
    }

    public SamplerSettings withRepetitionRange(int v) {
        return new SamplerSettings(temperature, topK, topP, minP, typicalP, repetitionPenalty, v, seed, maxTokens, stopSequences, bannedPhrases);
    }

    /** @param v the seed, or null for a fresh random seed */
    public SamplerSettings withSeed(Long v) {
        return new SamplerSettings(temperature, topK, topP, minP, typicalP, repetitionPenalty, repetitionRange, v, maxTokens, stopSequences, bannedPhrases);
    }

    public SamplerSettings withMaxTokens(int v) {
        return new SamplerSettings(temperature, topK, topP, minP, typicalP, repetitionPenalty, repetitionRange, seed, v, stopSequences, bannedPhrases);
    }

    public SamplerSettings withStopSequences(List<String> v) {
        return new SamplerSettings(temperature, topK, topP, minP, typicalP, repetitionPenalty, repetitionRange, seed, maxTokens, v, bannedPhrases);
    }

    public SamplerSettings withBannedPhrases(List<String> v) {
        return new SamplerSettings(temperature, topK, topP, minP, typicalP, repetitionPenalty, repetitionRange, seed, maxTokens, stopSequences, v);
    }

    /** Null means none; empty strings are rejected because they would match everywhere. */
    private static List<String> checkedCopy(String name, List<String> list) {
        if (list == null) {
            return List.of();
        }
        for (int i = 0; i < list.size(); i++) {
            String s = list.get(i);
            if (s == null || s.isEmpty()) {
                throw new IllegalArgumentException(name + " must not contain " + (s == null ? "null" : "an empty string")
                        + " (entry " + i + ")");
            }
        }
        return List.copyOf(list);
    }
}
