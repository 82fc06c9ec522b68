package org.longform.ui.gen;

import java.net.URI;
import java.nio.file.Path;

/**
 * What the model panel shows. {@code contextWindow} is what the KV budget holds;
 * {@code trainedContext} the model's max_seq_len (ALiBi can go beyond it); {@code demo} marks the
 * embedded demo model, which the UI must label honestly; {@code remote} is the server's {@code /v1/}
 * endpoint when the text comes from a remote server (then {@code dir} is null and
 * {@code contextWindow} is the window the writer set for it), null for a local model;
 * {@code weights} the form the weights run in ("bf16", "q8_0", ...), null when unknown.
 */
public record ModelInfo(
        String name,
        Path dir,
        long parameters,
        int contextWindow,
        int trainedContext,
        String kvDtype,
        long kvBytesPerToken,
        boolean demo,
        URI remote,
        String weights) {
    public ModelInfo(
            String name,
            Path dir,
            long parameters,
            int contextWindow,
            int trainedContext,
            String kvDtype,
            long kvBytesPerToken,
            boolean demo,
            URI remote) {
        this(name, dir, parameters, contextWindow, trainedContext, kvDtype, kvBytesPerToken, demo, remote, null);
    }

    /** A local model. */
    public ModelInfo(
            String name,
            Path dir,
            long parameters,
            int contextWindow,
            int trainedContext,
            String kvDtype,
            long kvBytesPerToken,
            boolean demo) {
        this(name, dir, parameters, contextWindow, trainedContext, kvDtype, kvBytesPerToken, demo, null);
    }

    public boolean isRemote() {
        return remote != null;
    }
}
