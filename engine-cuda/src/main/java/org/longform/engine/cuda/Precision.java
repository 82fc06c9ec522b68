package org.longform.engine.cuda;

import java.util.Locale;
import org.longform.engine.kv.KvDType;

/**
 * How exactly the GPU computes. {@code exact}: f32 KV cache, fp32 attention and a three-term bf16
 * split of the activations in the tensor-core GEMM, so logits match the fp32 reference within the
 * fixtures' 2e-3. {@code fast}: bf16 KV cache (half the memory: the 84k-token window of MPT-7B
 * fits an 80 GB GPU), one-term GEMM and tensor-core prefill attention, the numerics of a bf16
 * PyTorch run. {@code auto} (default, {@code -Dlongform.cuda.precision}) picks exact when the f32
 * cache for the window takes at most half the free memory, else fast.
 */
record Precision(String name, boolean bf16Cache, int gemmTerms) {
    static final Precision EXACT = new Precision("exact", false, 3);
    static final Precision FAST = new Precision("fast", true, 1);

    int kvBytes() {
        return bf16Cache ? 2 : 4;
    }

    /** The KV cache's element type, as the CPU's dtypes are named ("f32", "bf16"). */
    String kvDType() {
        return (bf16Cache ? KvDType.BF16 : KvDType.F32).label();
    }

    static Precision resolve(String setting, long windowTokens, long f32BytesPerToken, long freeBytes) {
        String s = setting == null ? "auto" : setting.trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "exact" -> EXACT;
            case "fast" -> FAST;
            case "auto" -> windowTokens * f32BytesPerToken <= freeBytes / 2 ? EXACT : FAST;
            default ->
                throw new IllegalArgumentException(
                        "longform.cuda.precision is '" + setting + "' (choose auto, exact or fast)");
        };
    }
}
