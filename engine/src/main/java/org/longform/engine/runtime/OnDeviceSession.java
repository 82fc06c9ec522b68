package org.longform.engine.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.longform.engine.context.KvFile;
import org.longform.engine.context.KvStore;
import org.longform.engine.context.ModelIdentity;
import org.longform.engine.kernels.Backend;
import org.longform.engine.model.Config;
import org.longform.engine.model.Model;

/**
 * The {@link Session} over a {@link DeviceSession} (the CUDA one): every sequence operation goes
 * to the device, and what the device does not do yet is refused here once for every device
 * (saved caches) or done exactly (approximate reuse falls back to exact prefix reuse; nothing is
 * ever approximate, so {@link #repair} has nothing to do).
 */
final class OnDeviceSession implements Session {
    private final Model model;
    private final EngineOptions options;
    private final Backend backend;
    private final DeviceSession device;
    private int approximate;
    private byte[] identity;

    OnDeviceSession(Model model, EngineOptions options, Backend backend, DeviceSession device) {
        this.model = model;
        this.options = options;
        this.backend = backend;
        this.device = device;
    }

    @Override
    public Model model() {
        return model;
    }

    @Override
    public Config config() {
        return model.config();
    }

    @Override
    public EngineOptions options() {
        return options;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public boolean onDevice() {
        return true;
    }

    @Override
    public int capacity() {
        return device.capacity();
    }

    @Override
    public String kvDType() {
        return device.kvDType();
    }

    @Override
    public long kvBytesPerToken() {
        return device.kvBytesPerToken();
    }

    @Override
    public String describeKv() {
        return device.describe();
    }

    @Override
    public int length() {
        return device.length();
    }

    @Override
    public int[] tokens() {
        return device.tokens();
    }

    @Override
    public float[] lastLogits() {
        return device.lastLogits();
    }

    @Override
    public int lastRecomputed() {
        return device.lastRecomputed();
    }

    @Override
    public int lastApproximate() {
        return approximate;
    }

    @Override
    public int approximateFrom() {
        return -1;
    }

    @Override
    public void checkWindow(int window) {
        if (window > device.capacity()) {
            throw new ContextFullException("a window of " + window + " tokens does not fit the GPU's cache, which"
                    + " holds " + device.capacity() + " (" + device.describe() + ")");
        }
    }

    @Override
    public float[] feed(
            int[] ids, int from, int to, LogitsConsumer each, Progress progress, BooleanSupplier cancelled) {
        return device.feed(ids, from, to, each, progress, cancelled);
    }

    @Override
    public float[] sync(int[] prompt, Reuse reuse, Progress progress, BooleanSupplier cancelled) {
        if (prompt.length == 0) throw new IllegalArgumentException("empty prompt");
        approximate = 0;
        return device.sync(prompt, progress, cancelled); // approximate reuse is CPU-only: exact here
    }

    @Override
    public void evict(int start, int end) {
        device.evict(start, end);
    }

    @Override
    public boolean repair(Progress progress, BooleanSupplier cancelled) {
        return true;
    }

    @Override
    public void reset() {
        device.reset();
    }

    @Override
    public byte[] modelIdentity() {
        if (identity == null) identity = ModelIdentity.of(model.dir());
        return identity.clone();
    }

    @Override
    public void saveKv(Path file) throws IOException {
        throw new IOException("the KV cache is on the GPU; saving it to " + file + " is not supported yet");
    }

    @Override
    public KvStore.Stats saveKv(KvStore store) throws IOException {
        throw new IOException("the KV cache is on the GPU; saving it to " + store.dir() + " is not supported yet");
    }

    @Override
    public KvFile.Restore loadKv(KvStore store, int[] prompt) {
        return onGpu();
    }

    @Override
    public KvFile.Restore loadKv(Path file, int[] prompt) {
        return onGpu();
    }

    private static KvFile.Restore onGpu() {
        return new KvFile.Restore(
                false, new int[0], "the KV cache is on the GPU; a saved cache is not loaded there yet");
    }

    @Override
    public void close() {
        device.close();
        backend.close();
    }
}
