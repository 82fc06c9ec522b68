package org.longform.engine.io;

/**
 * What {@code torch._utils._rebuild_tensor_v2} would build, described instead of built: the tensor's
 * elements are {@code shape}/{@code stride} over storage {@code data/<storageKey>} starting at element
 * {@code storageOffset}. {@code dtype} is null when the storage class is one we cannot compute with.
 */
record PickledTensor(
        String storageKey, String storageClass, DType dtype, long storageOffset, long[] shape, long[] stride) {}
