package org.longform.ui.gen;

import java.nio.file.Path;

/**
 * What the model panel shows. {@code contextWindow} is what the KV budget holds;
 * {@code trainedContext} the model's max_seq_len (ALiBi can go beyond it); {@code demo} marks the
 * embedded demo model, which the UI must label honestly.
 */
public record ModelInfo(String name, Path dir, long parameters, int contextWindow, int trainedContext,
                        String kvDtype, long kvBytesPerToken, boolean demo) {}
