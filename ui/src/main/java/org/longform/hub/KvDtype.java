package org.longform.hub;

/**
 * Element types a KV cache can be stored in, with what one value costs. Q8 counts a 4-byte scale
 * per 32 values (1.125 bytes), the usual blockwise int8 layout.
 */
public enum KvDtype {
    F32(4.0, "full precision"),
    F16(2.0, "half precision, no visible quality loss"),
    Q8(1.125, "8-bit blocks, slight quality loss");

    public final double bytesPerValue;
    public final String description;

    KvDtype(double bytesPerValue, String description) {
        this.bytesPerValue = bytesPerValue;
        this.description = description;
    }

    public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
}
