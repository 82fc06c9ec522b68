package org.longform.engine.cuda;

import static org.junit.jupiter.api.Assertions.*;
import static org.longform.engine.Fixtures.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.longform.engine.kernels.Backend;
import org.longform.engine.kernels.Backends;
import org.longform.engine.model.Model;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.runtime.Session;

/** Without a usable GPU, "auto" runs on the CPU and says why once; "cuda" is an error naming the reason. */
class CudaFallbackTest {

    @Test
    void probeNamesAMissingDriverLibrary() {
        CudaProbe.Result r = CudaProbe.probe("libcuda-does-not-exist.so.1", 0);
        assertFalse(r.ok());
        assertTrue(r.reason().contains("libcuda-does-not-exist.so.1"), r.reason());
        assertTrue(r.describe().startsWith("no CUDA: "), r.describe());
    }

    @Test
    void probeIsCachedAndExplainsItself() {
        CudaProbe.Result a = CudaProbe.probe(), b = CudaProbe.probe();
        assertSame(a, b);
        assertEquals(a.ok(), a.reason().isEmpty(), "a reason exactly when unavailable: " + a);
    }

    @Test
    void autoFallsBackToTheCpuAndLogsTheReasonOnce() {
        CudaAssume.noGpu();
        List<LogRecord> seen = new ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getMessage().contains("cuda backend skipped")) seen.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger log = Logger.getLogger(CudaProbe.class.getName());
        log.addHandler(h);
        try {
            CudaProbe.resetLogOnce();
            try (Backend a = Backends.create("auto", 1);
                    Backend b = Backends.create("auto", 1)) {
                assertTrue(a.name().startsWith("vector"), a.name());
                assertTrue(b.name().startsWith("vector"), b.name());
            }
        } finally {
            log.removeHandler(h);
        }
        assertEquals(1, seen.size(), "logged once");
        assertTrue(
                seen.get(0).getMessage().contains(CudaProbe.reason()),
                seen.get(0).getMessage());
    }

    @Test
    void forcingCudaWithoutAGpuIsAClearError() {
        CudaAssume.noGpu();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.create("cuda", 1));
        assertTrue(
                e.getMessage().contains("cuda backend was requested")
                        && e.getMessage().contains(CudaProbe.reason()),
                e.getMessage());
    }

    @Test
    void unknownBackendListsCuda() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.create("tpu", 1));
        assertTrue(e.getMessage().contains("cuda"), e.getMessage());
    }

    /** The default path of a machine without CUDA: an "auto" session on the CPU reproduces the fixture's greedy run. */
    @Test
    void cpuFallbackSessionMatchesTheFixtures() {
        CudaAssume.noGpu();
        String m = MODELS[0];
        JsonNode c = testCase(expected(m), "greedy");
        int[] ids = ints(c.get("prompt_ids"));
        try (Model model = Model.load(modelDir(m));
                Session s = Session.open(model, EngineOptions.defaults().withBackend("auto"))) {
            assertTrue(s.backend().name().startsWith("vector"), s.backend().name());
            int V = model.config().vocabSize();
            float[] logits = s.feed(ids);
            int[] out = new int[40];
            for (int i = 0; i < out.length; i++) {
                out[i] = argmax(logits, 0, V);
                logits = s.feed(out[i]);
            }
            assertArrayEquals(ints(c.get("generated")), out);
        }
    }
}
