package org.conv4j;

/**
 * Element types of conv4j tensors. Reduced-precision types are storage formats: every engine widens them to
 * fp32, accumulates in fp32 and rounds once on store.
 */
public enum DType {
    /** IEEE 754 binary32. */
    F32(4),
    /** IEEE 754 binary16 (half). */
    F16(2),
    /** bfloat16: the upper 16 bits of a binary32. */
    BF16(2);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** Lower-case name used on command lines and in reports: {@code f32}, {@code f16}, {@code bf16}. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses {@link #id()} (case-insensitive). */
    public static DType parse(String id) {
        for (DType t : values()) {
            if (t.id().equalsIgnoreCase(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException("dtype must be one of f32, f16, bf16, was '" + id + "'");
    }

    /** Widens a stored 16-bit pattern of this type to float. */
    public float widen(short bits) {
        return switch (this) {
            case F16 -> Float.float16ToFloat(bits);
            case BF16 -> Float.intBitsToFloat((bits & 0xffff) << 16);
            case F32 -> throw new IllegalStateException("F32 is not a 16-bit type");
        };
    }

    /** Rounds a float to this 16-bit type, to nearest even; NaN stays NaN. */
    public short narrow(float value) {
        return switch (this) {
            case F16 -> Float.floatToFloat16(value);
            case BF16 -> floatToBf16(value);
            case F32 -> throw new IllegalStateException("F32 is not a 16-bit type");
        };
    }

    /** Rounds a float to bfloat16, to nearest even, keeping NaN a (quiet) NaN. */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** Rounds a float to the nearest value representable in this type (identity for F32). */
    public float round(float value) {
        return this == F32 ? value : widen(narrow(value));
    }
}
