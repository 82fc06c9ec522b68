package org.longform.engine.kernels;

import java.util.Locale;

/**
 * How a one-token matrix product treats its activation vector x. {@link #EXACT} (the default) keeps
 * x as floats: results are the weights' values times x, rounded only by the float sums. {@link #Q8}
 * is an opt-in approximation (llama.cpp's q8_K): x is rounded to int8 per 256-block with one float
 * scale ({@link Q8Activations}) and k-quant rows take integer dot products ({@link MatMulInt8})
 * where that kernel is the faster one at this vector width ({@link MatMulInt8#handles}: Q4_K at 128 and
 * 256 bits, Q6_K at 512); other weight types (q8_0 and q4_0 included), prompts (several tokens) and
 * the scalar backend stay exact.
 */
public enum Activations {
    EXACT,
    Q8;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A name as the command line gives it: exact or q8 (any case; "f32" and "none" mean exact). */
    public static Activations parse(String s) {
        return switch (s == null ? "" : s.trim().toLowerCase(Locale.ROOT)) {
            case "exact", "f32", "none", "" -> EXACT;
            case "q8", "int8", "q8_k" -> Q8;
            default ->
                throw new IllegalArgumentException("unknown activation quantization '" + s + "' (choose exact or q8)");
        };
    }
}
