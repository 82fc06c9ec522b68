package org.longform.engine.kv;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.longform.engine.Fixtures;
import org.longform.engine.model.Config;
import org.longform.engine.model.Model;
import org.longform.engine.runtime.CpuSession;
import org.longform.engine.runtime.EngineOptions;

/** Weights and KV cache that do not fit the machine together are refused up front, saying what fits. */
class KvBudgetFitTest {
    static final long GIB = 1L << 30;

    static Config config() {
        try (Model m = Model.load(Fixtures.modelDir("tiny-mpt-6h"))) {
            return m.config();
        }
    }

    @Test
    void aBudgetBesideTheWeightsIsRefusedWithWhatFits() {
        Config c = config();
        long per = KvPool.bytesPerToken(c, KvDType.F32);
        // 8 GiB machine, 6 GiB of weights, 1 GiB kept: 1 GiB of room
        KvBudget.checkFits(8 * GIB, 6 * GIB, GIB, c, KvDType.F32);
        KvBudget.checkFits(8 * GIB, 6 * GIB, 0, c, KvDType.F32);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> KvBudget.checkFits(8 * GIB, 6 * GIB, 2 * GIB, c, KvDType.F32));
        assertEquals(
                "a KV budget of 2.0 GiB (" + 2 * GIB / per + " tokens at " + per + " bytes per token, f32) does not fit"
                        + " beside the weights (6.0 GiB) in this machine's 8.0 GiB of memory; "
                        + KvBudget.fitting(GIB, c) + " fit",
                e.getMessage());
        assertTrue(KvBudget.fitting(GIB, c).startsWith(String.format("%,d tokens in f32, ", GIB / per)));
        IllegalArgumentException w = assertThrows(
                IllegalArgumentException.class, () -> KvBudget.checkFits(8 * GIB, 7 * GIB, 0, c, KvDType.F32));
        assertTrue(w.getMessage().startsWith("the weights take 7.0 GiB as loaded;"), w.getMessage());
        assertTrue(w.getMessage().contains("quantize the weights at load"), w.getMessage());
    }

    @Test
    void aSessionOnThisMachineRefusesABudgetThatFitsOnlyWithoutTheWeights() {
        long phys = KvBudget.physicalBytes();
        if (phys <= 0) return; // the JVM cannot tell: nothing to check against
        try (Model m = Model.load(Fixtures.modelDir("tiny-mpt-6h"))) {
            long room = phys - KvBudget.reserveBytes(phys) - m.weights().bytesPerToken();
            EngineOptions o = EngineOptions.defaults().withBackend("scalar").withKvBudget(room + (64L << 20));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CpuSession(m, o));
            assertTrue(e.getMessage().contains("does not fit beside the weights"), e.getMessage());
            // the default budget is sized to fit
            try (CpuSession s = new CpuSession(m, EngineOptions.defaults().withBackend("scalar"))) {
                assertTrue(s.capacity() > 0);
            }
        }
    }
}
