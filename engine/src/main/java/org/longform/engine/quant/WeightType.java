package org.longform.engine.quant;

import java.util.Locale;
import org.longform.engine.io.DType;

/** The form a weight matrix has in memory. */
public enum WeightType {
    F32("f32", 32, 32 * 4),
    F16("f16", 32, 32 * 2),
    BF16("bf16", 32, 32 * 2),
    /** 32 int8 weights and one f16 scale per block: w = d * q, q in [-127, 127]. */
    Q8_0("q8_0", 32, 32 + 2),
    /** 32 4-bit weights and one f16 scale per block: w = d * (q - 8), q in [0, 15]. */
    Q4_0("q4_0", 32, 16 + 2),
    /** GGML's k-quants, computed with as stored ({@link KQuantMatrix}); never a target of quantizing here. */
    Q4_K("q4_K", 256, 144),
    Q5_K("q5_K", 256, 176),
    Q6_K("q6_K", 256, 210);

    /** Weights per block (the dense types count 32 as one block, for uniform sizing). */
    public final int blockSize;
    /** Bytes per block including the scale. */
    public final int blockBytes;

    private final String label;

    WeightType(String label, int blockSize, int blockBytes) {
        this.label = label;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    public String label() {
        return label;
    }

    public boolean quantized() {
        return this == Q8_0 || this == Q4_0;
    }

    /** GGML's 256-weight k-quant blocks, held as the file stores them. */
    public boolean kQuant() {
        return this == Q4_K || this == Q5_K || this == Q6_K;
    }

    /**
     * A quantization the user asks for: "q8_0" or "q4_0" (also "q8", "q4"; any case); "none",
     * "stored" or empty mean the stored form (null).
     */
    public static WeightType parseQuant(String s) {
        if (s == null) return null;
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "", "none", "stored" -> null;
            case "q8_0", "q8" -> Q8_0;
            case "q4_0", "q4" -> Q4_0;
            default ->
                throw new IllegalArgumentException("unknown quantization '" + s + "' (choose q8_0, q4_0 or none)");
        };
    }

    public static WeightType of(DType d) {
        return switch (d) {
            case F32 -> F32;
            case F16 -> F16;
            case BF16 -> BF16;
        };
    }
}
