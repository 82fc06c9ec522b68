package org.longform.engine.runtime;

import static org.junit.jupiter.api.Assertions.*;
import static org.longform.engine.Fixtures.*;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.longform.engine.kernels.Backend;
import org.longform.engine.kernels.Backends;
import org.longform.engine.kernels.Epilogue;
import org.longform.engine.kv.KvCache;
import org.longform.engine.model.Model;
import org.longform.engine.quant.Matrix;

/**
 * {@link Session#open} hands every sequence operation to a {@link DeviceSession} when its backend
 * offers one (the CUDA backend does). Without a GPU, a stand-in device runs a second CPU session, so what
 * is checked here is the hand-over: the same logits, prefix reuse and eviction as a plain session,
 * the CPU cache left empty, and clear refusals for what the device does not do (saved caches).
 * The real device runs the same path in cuda.CudaSessionWiringTest on a GPU.
 */
class DeviceSessionDelegationTest {
    /** A backend (the vector one) that also offers a "device": another CPU session, with a log of calls. */
    static final class StandInBackend implements Backend, DeviceSession.Factory {
        final Backend cpu = Backends.create("vector", 1);
        final List<String> calls = new ArrayList<>();
        StandIn opened;

        @Override
        public String name() {
            return "stand-in device + " + cpu.name();
        }

        @Override
        public void matmul(Matrix w, float[] x, int T, float[] out, Epilogue ep) {
            fail("the CPU path ran: matmul");
        }

        @Override
        public void layerNorm(float[] x, float[] w, float eps, int T, int d, float[] out) {
            fail("the CPU path ran: layerNorm");
        }

        @Override
        public void attention(float[] qkv, int T, KvCache c, int l, int first, float[] s, float sc, float[] o) {
            fail("the CPU path ran: attention");
        }

        @Override
        public void close() {
            cpu.close();
        }

        @Override
        public DeviceSession openSession(Model model, EngineOptions options) {
            opened = new StandIn(Session.open(model, options.withBackend("vector")), calls);
            return opened;
        }
    }

    static final class StandIn implements DeviceSession {
        final Session s;
        final List<String> calls;
        boolean closed;

        StandIn(Session s, List<String> calls) {
            this.s = s;
            this.calls = calls;
        }

        @Override
        public int capacity() {
            return 300;
        }

        @Override
        public int length() {
            return s.length();
        }

        @Override
        public int[] tokens() {
            return s.tokens();
        }

        @Override
        public float[] lastLogits() {
            return s.lastLogits();
        }

        @Override
        public int lastRecomputed() {
            return s.lastRecomputed();
        }

        @Override
        public String kvDType() {
            return "bf16";
        }

        @Override
        public long kvBytesPerToken() {
            return 1234;
        }

        @Override
        public String describe() {
            return "stand-in device, 300-token cache";
        }

        @Override
        public float[] feed(
                int[] ids, int from, int to, Session.LogitsConsumer each, Session.Progress p, BooleanSupplier c) {
            calls.add("feed " + (to - from));
            return s.feed(ids, from, to, each, p, c);
        }

        @Override
        public float[] sync(int[] prompt, Session.Progress p, BooleanSupplier c) {
            calls.add("sync " + prompt.length);
            return s.sync(prompt, p, c);
        }

        @Override
        public void evict(int start, int end) {
            calls.add("evict " + start + " " + end);
            s.evict(start, end);
        }

        @Override
        public void reset() {
            calls.add("reset");
            s.reset();
        }

        @Override
        public void close() {
            closed = true;
            s.close();
        }
    }

    /** Two CPU sessions with dynamically scheduled threads may differ in the last bits of a sum; a wrong hand-over differs by whole logits. */
    private static final float EPS = 1e-4f;

    private static int[] prompt() {
        int[] ids = ints(testCase(expected(MODELS[1]), "long").get("prompt_ids"));
        return Arrays.copyOf(ids, 120);
    }

    @Test
    void everySequenceOperationGoesToTheDeviceWithTheSameResults() {
        int[] ids = prompt();
        int[] edited = ids.clone();
        edited[100] = (edited[100] + 1) % 50_000;
        EngineOptions o =
                EngineOptions.defaults().withBackend("vector").withChunkSize(32).withBlockSize(16);
        StandInBackend dev = new StandInBackend();
        try (Model m = Model.load(modelDir(MODELS[1]));
                Session plain = Session.open(m, o);
                Session wired = Session.open(m, o, b -> {
                    b.close();
                    return dev;
                })) {
            assertTrue(wired.onDevice());
            assertFalse(plain.onDevice());
            assertEquals(300, wired.capacity());
            assertEquals("bf16", wired.kvDType());
            assertEquals(1234, wired.kvBytesPerToken());
            assertTrue(wired.describeKv().contains("stand-in device"), wired.describeKv());

            assertArrayEquals(
                    plain.feed(ids, 0, 110, null, null, null), wired.feed(ids, 0, 110, null, null, null), EPS);
            assertArrayEquals(
                    plain.sync(edited, null, null), wired.sync(edited, Session.Reuse.APPROXIMATE, null, null), EPS);
            assertEquals(plain.lastRecomputed(), wired.lastRecomputed());
            assertEquals(20, wired.lastRecomputed(), "prefix reuse: positions 100..119 recomputed");
            plain.evict(10, 40);
            wired.evict(10, 40);
            assertArrayEquals(plain.tokens(), wired.tokens());
            assertEquals(plain.length(), wired.length());
            assertArrayEquals(plain.feed(ids[5]), wired.feed(ids[5]), EPS);
            assertArrayEquals(plain.lastLogits(), wired.lastLogits(), EPS);

            assertFalse(wired instanceof CpuSession, "no CPU cache: the device holds K and V");
            assertEquals(List.of("feed 110", "sync 120", "evict 10 40", "feed 1"), dev.calls);

            ContextFullException full = assertThrows(ContextFullException.class, () -> wired.checkWindow(301));
            assertTrue(full.getMessage().contains("300"), full.getMessage());
            wired.checkWindow(300);

            IOException save = assertThrows(IOException.class, () -> wired.saveKv(Path.of("story.kv")));
            assertTrue(
                    save.getMessage().contains("story.kv") && save.getMessage().contains("GPU"), save.getMessage());
            var restore = wired.loadKv(Path.of("story.kv"), ids);
            assertFalse(restore.used());
            assertTrue(restore.reason().contains("GPU"), restore.reason());
            assertEquals(plain.length(), wired.length(), "a refused restore changes nothing");

            wired.reset();
            assertEquals(0, wired.length());
        }
        assertTrue(dev.opened.closed, "closing the session closes the device session");
    }

    @Test
    void aBackendWithoutADeviceKeepsTheCpuPath() {
        try (Model m = Model.load(modelDir(MODELS[0]));
                Session opened = Session.open(m, EngineOptions.defaults().withBackend("vector"))) {
            CpuSession s = assertInstanceOf(CpuSession.class, opened);
            assertFalse(s.onDevice());
            s.feed(prompt());
            assertEquals(120, s.cache().length());
            assertEquals(s.cache().capacity(), s.capacity());
            assertEquals(s.cache().describe(), s.describeKv());
        }
    }
}
