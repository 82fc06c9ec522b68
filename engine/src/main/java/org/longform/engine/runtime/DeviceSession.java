package org.longform.engine.runtime;

import java.util.function.BooleanSupplier;
import org.longform.engine.model.Model;

/**
 * A session that keeps weights, KV cache and activations on an accelerator (the CUDA backend's
 * {@code CudaSession}). {@link Session#open} hands every sequence operation to one when its backend
 * offers it, so callers (generator, editor, CLI, server) never know which one runs. Semantics are
 * {@link Session}'s: chunked feeding, logits per position on request, prefix reuse, eviction.
 */
public interface DeviceSession extends AutoCloseable {
    /** A backend that can run a whole model on its device. */
    interface Factory {
        /** A device session for this model, or null (the reason logged) when the device cannot take it. */
        DeviceSession openSession(Model model, EngineOptions options);
    }

    int capacity();

    int length();

    int[] tokens();

    float[] lastLogits();

    int lastRecomputed();

    float[] feed(
            int[] ids,
            int from,
            int to,
            Session.LogitsConsumer each,
            Session.Progress progress,
            BooleanSupplier cancelled);

    /** Keeps the longest common prefix with what is cached, recomputes the rest (at least the last token). */
    float[] sync(int[] prompt, Session.Progress progress, BooleanSupplier cancelled);

    void evict(int start, int end);

    void reset();

    /** The KV cache's element type on the device, lower case ("f32", "bf16"). */
    String kvDType();

    /** Bytes of K and V per token on the device. */
    long kvBytesPerToken();

    /** One line for logs and the model panel: device, precision, KV form and capacity. */
    String describe();

    @Override
    void close();
}
