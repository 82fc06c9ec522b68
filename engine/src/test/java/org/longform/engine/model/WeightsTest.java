package org.longform.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.longform.engine.Fixtures;
import org.longform.engine.quant.WeightType;

/** The weight size known before loading is the size the loaded weights have. */
class WeightsTest {
    @Test
    void bytesForAShapeMatchWhatLoadingGives() {
        Path dir = Fixtures.modelDir("tiny-mpt-4h");
        try (Model stored = Model.load(dir, null, false)) {
            Weights w = stored.weights();
            assertEquals(w.bytesPerToken(), Weights.bytesFor(stored.config(), w.wte.type()), "stored " + w.wte.type());
        }
        for (WeightType q : new WeightType[] {WeightType.Q8_0, WeightType.Q4_0}) {
            try (Model m = Model.load(dir, q, false)) {
                assertEquals(
                        m.weights().bytesPerToken(),
                        Weights.bytesFor(m.config(), q),
                        q.label() + ": " + m.weightForm());
            }
        }
    }

    @Test
    void storyWriterInQ4WeighsUnderFourGigabytes() {
        Config sw = new Config(4096, 32, 32, 4, 50432, 65536, 1e-5f, 8f, 0f, (float) (1 / Math.sqrt(128)), 1f);
        // 32 layers x 12 d^2 values at 18 bytes a block of 32, the tied 50432 x 4096 embedding at q8_0 (34 bytes)
        assertEquals(32L * 12 * 4096 * 4096 / 32 * 18 + 50432L * 4096 / 32 * 34, Weights.bytesFor(sw, WeightType.Q4_0));
        assertEquals(3_843_358_720L, Weights.bytesFor(sw, WeightType.Q4_0));
        assertEquals(
                sw.parameterCount() * 2 - 2L * (2 * 32 + 1) * 4096,
                Weights.bytesFor(sw, WeightType.BF16),
                "bf16: every parameter but the LayerNorm vectors, 2 bytes each");
    }
}
