package org.longform.ui.gen;

import java.util.List;

/**
 * The sampler settings a story carries (mirrors the engine's SamplerSettings field for field, so the
 * story file and the panel do not depend on the engine's class). Neutral values switch a filter off.
 */
public record Sampling(
        double temperature, int topK, double topP, double minP, double typicalP,
        double repetitionPenalty, int repetitionRange, Long seed, int maxTokens,
        List<String> stopSequences, List<String> bannedPhrases) {

    public Sampling {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) throw new IllegalArgumentException("temperature must be >= 0 (0 = greedy), got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("top-k must be >= 0 (0 = off), got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1] (1 = off), got " + topP);
        if (!(minP >= 0 && minP <= 1)) throw new IllegalArgumentException("min-p must be in [0, 1] (0 = off), got " + minP);
        if (!(typicalP > 0 && typicalP <= 1)) throw new IllegalArgumentException("typical-p must be in (0, 1] (1 = off), got " + typicalP);
        if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) throw new IllegalArgumentException("repetition penalty must be > 0 (1 = off), got " + repetitionPenalty);
        if (repetitionRange < 0) throw new IllegalArgumentException("repetition range must be >= 0 (0 = all), got " + repetitionRange);
        if (maxTokens < 1) throw new IllegalArgumentException("max tokens must be >= 1, got " + maxTokens);
        stopSequences = stopSequences == null ? List.of() : List.copyOf(stopSequences);
        bannedPhrases = bannedPhrases == null ? List.of() : List.copyOf(bannedPhrases);
    }

    /** Balanced defaults for story writing. */
    public static Sampling defaults() {
        return new Sampling(0.8, 40, 0.95, 0.0, 1.0, 1.1, 256, null, 80, List.of(), List.of());
    }

    public Sampling withTemperature(double v) { return new Sampling(v, topK, topP, minP, typicalP, repetitionPenalty, repetitionRange, seed, maxTokens, stopSequences, bannedPhrases); }
    public Sampling withTopK(int v) { return new Sampling(temperature, v, topP, minP, typicalP, repetitionPenalty, repetitionRange, seed, maxTokens, stopSequences, bannedPhrases); }
    public Sampling withTopP(double v) { return new Sampling(temperature, topK, v, minP, typicalP, repetitionPenalty, repetitionRange, seed, maxTokens, stopSequences, bannedPhrases); }
    public Sampling withMinP(double v) { return new Sampling(temperature, topK, topP, v, typicalP, repetitionPenalty, repetitionRange, seed, maxTokens, stopSequences, bannedPhrases); }
    public Sampling withTypicalP(double v) { return new Sampling(temperature, topK, topP, minP, v, repetitionPenalty, repetitionRange, seed, maxTokens, stopSequences, bannedPhrases); }
    public Sampling withRepetitionPenalty(double v) { return new Sampling(temperature, topK, topP, minP, typicalP, v, repetitionRange, seed, maxTokens, stopSequences, bannedPhrases); }
    public Sampling withRepetitionRange(int v) { return new Sampling(temperature, topK, topP, minP, typicalP, repetitionPenalty, v, seed, maxTokens, stopSequences, bannedPhrases); }
    public Sampling withSeed(Long v) { return new Sampling(temperature, topK, topP, minP, typicalP, repetitionPenalty, repetitionRange, v, maxTokens, stopSequences, bannedPhrases); }
    public Sampling withMaxTokens(int v) { return new Sampling(temperature, topK, topP, minP, typicalP, repetitionPenalty, repetitionRange, seed, v, stopSequences, bannedPhrases); }
    public Sampling withStopSequences(List<String> v) { return new Sampling(temperature, topK, topP, minP, typicalP, repetitionPenalty, repetitionRange, seed, maxTokens, v, bannedPhrases); }
    public Sampling withBannedPhrases(List<String> v) { return new Sampling(temperature, topK, topP, minP, typicalP, repetitionPenalty, repetitionRange, seed, maxTokens, stopSequences, v); }
}
