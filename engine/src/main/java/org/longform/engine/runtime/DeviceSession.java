package org.longform.engine.runtime;

import org.longform.engine.model.Model;

/**
 * A session that keeps weights, KV cache and activations on an accelerator (the CUDA backend's
 * {@code CudaSession}). {@link Session#open} hands every sequence operation to one when its backend
 * offers it, so callers (generator, editor, CLI, server) never know which one runs. Semantics are
 * {@link Session}'s ({@link Sequence}): chunked feeding, logits per position on request, prefix reuse, eviction.
 */
public interface DeviceSession extends Sequence, AutoCloseable {
    /** A backend that can run a whole model on its device. */
    interface Factory {
        /** A device session for this model, or null (the reason logged) when the device cannot take it. */
        DeviceSession openSession(Model model, EngineOptions options);
    }

    /** One line for logs and the model panel: device, precision, KV form and capacity. */
    String describe();

    @Override
    void close();
}
