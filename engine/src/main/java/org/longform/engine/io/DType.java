package org.longform.engine.io;

/** Element types a checkpoint may store. Weights stay in this form in mapped memory. */
public enum DType {
    F32(4),
    F16(2),
    BF16(2);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** Parses safetensors ("BF16") and torch storage names ("BFloat16Storage"); null if unknown. */
    public static DType fromSafetensors(String s) {
        return switch (s) {
            case "F32" -> F32;
            case "F16" -> F16;
            case "BF16" -> BF16;
            default -> null;
        };
    }

    public static DType fromTorchStorage(String storageClass) {
        return switch (storageClass) {
            case "FloatStorage" -> F32;
            case "HalfStorage" -> F16;
            case "BFloat16Storage" -> BF16;
            default -> null;
        };
    }
}
