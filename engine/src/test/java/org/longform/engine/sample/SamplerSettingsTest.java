package org.longform.engine.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class SamplerSettingsTest {
    private static void rejects(String expectedInMessage, Supplier<SamplerSettings> make) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
        assertTrue(e.getMessage().contains(expectedInMessage), e.getMessage());
    }

    @Test
    void defaultsAreValidAndCopiesChangeOneField() {
        SamplerSettings d = SamplerSettings.defaults();
        assertNull(d.seed());
        assertEquals(List.of(), d.stopSequences());
        SamplerSettings t = d.withTemperature(0.3).withTopK(7).withSeed(9L).withStopSequences(List.of("\n\n"));
        assertEquals(0.3, t.temperature());
        assertEquals(7, t.topK());
        assertEquals(9L, t.seed());
        assertEquals(List.of("\n\n"), t.stopSequences());
        assertEquals(d.topP(), t.topP());
        assertEquals(d, SamplerSettings.defaults());
        assertTrue(SamplerSettings.greedy().isGreedy());
    }

    @Test
    void invalidValuesAreRejectedWithClearMessages() {
        SamplerSettings d = SamplerSettings.defaults();
        rejects("temperature", () -> d.withTemperature(-0.1));
        rejects("temperature", () -> d.withTemperature(Double.NaN));
        rejects("topK", () -> d.withTopK(-1));
        rejects("topP must be in (0, 1]", () -> d.withTopP(0));
        rejects("topP", () -> d.withTopP(1.01));
        rejects("minP", () -> d.withMinP(-0.01));
        rejects("typicalP", () -> d.withTypicalP(0));
        rejects("repetitionPenalty", () -> d.withRepetitionPenalty(0));
        rejects("repetitionRange", () -> d.withRepetitionRange(-5));
        rejects("maxTokens", () -> d.withMaxTokens(0));
        rejects("stopSequences", () -> d.withStopSequences(List.of("")));
        rejects("bannedPhrases", () -> d.withBannedPhrases(Arrays.asList("ok", null)));
    }

    @Test
    void listsAreDefensiveImmutableCopies() {
        List<String> stops = new ArrayList<>(List.of("THE END"));
        SamplerSettings s = SamplerSettings.defaults().withStopSequences(stops).withBannedPhrases(null);
        stops.add("more");
        assertEquals(List.of("THE END"), s.stopSequences());
        assertEquals(List.of(), s.bannedPhrases());
        assertThrows(
                UnsupportedOperationException.class, () -> s.stopSequences().add("x"));
    }
}
