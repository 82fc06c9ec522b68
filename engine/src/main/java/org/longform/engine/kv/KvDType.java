package org.longform.engine.kv;

import java.util.Locale;

/**
 * Element type of the KV pages. f32 is exact; bf16 and f16 halve the memory (f16 keeps 3 more
 * mantissa bits, bf16 the f32 range); int8 quarters it with one f32 scale per cached row
 * (head_dim values of one token, one head, one layer), i.e. per-row absmax quantisation.
 */
public enum KvDType {
    F32(4),
    BF16(2),
    F16(2),
    INT8(1);

    /** Bytes per cached element (scales of int8 rows come on top, see {@link KvPool#bytesPerToken}). */
    public final int bytes;

    KvDType(int bytes) {
        this.bytes = bytes;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static KvDType parse(String s) {
        String k = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        return switch (k) {
            case "f32", "fp32", "float32", "float" -> F32;
            case "bf16", "bfloat16" -> BF16;
            case "f16", "fp16", "float16", "half" -> F16;
            case "int8", "i8", "q8" -> INT8;
            default -> throw new IllegalArgumentException("unknown KV dtype '" + s + "' (f32, bf16, f16 or int8)");
        };
    }
}
