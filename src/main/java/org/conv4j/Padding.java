package org.conv4j;

import java.util.Arrays;
import java.util.Objects;

/**
 * How a sliding window (convolution or pooling) treats the borders, with TensorFlow's rules.
 *
 * <ul>
 *   <li>{@link #VALID}: no padding; windows that do not fit are dropped, {@code out = ceil((in - k_eff + 1) / s)}.
 *       A window larger than the input is an error, as in TensorFlow's shape inference.</li>
 *   <li>{@link #SAME}: {@code out = ceil(in / s)}; the total padding {@code max((out - 1) s + k_eff - in, 0)} is split
 *       with the odd extra cell at the end (bottom/right).</li>
 *   <li>{@link #explicit(int[], int[])}: given pads before and after each spatial axis (D, H, W order);
 *       {@code out = floor((in + before + after - k_eff) / s) + 1}.</li>
 * </ul>
 * Here {@code k_eff = (k - 1) d + 1} for dilation {@code d}.
 */
public final class Padding {
    /** Mode of a padding. */
    public enum Mode { SAME, VALID, EXPLICIT }

    public static final Padding SAME = new Padding(Mode.SAME, null, null);
    public static final Padding VALID = new Padding(Mode.VALID, null, null);

    private final Mode mode;
    private final int[] before;
    private final int[] after;

    private Padding(Mode mode, int[] before, int[] after) {
        this.mode = mode;
        this.before = before;
        this.after = after;
    }

    /** Explicit pads per spatial axis, in D, H, W order. */
    public static Padding explicit(int[] before, int[] after) {
        Objects.requireNonNull(before, "padding before");
        Objects.requireNonNull(after, "padding after");
        if (before.length != after.length) {
            throw new IllegalArgumentException("padding: before has " + before.length + " axes, after has " + after.length);
        }
        for (int i = 0; i < before.length; i++) {
            if (before[i] < 0 || after[i] < 0) {
                throw new IllegalArgumentException("padding[" + i + "] must be non-negative, was before="
                        + before[i] + " after=" + after[i]);
            }
        }
        return new Padding(Mode.EXPLICIT, before.clone(), after.clone());
    }

    /** The same explicit pad on both sides of every axis. */
    public static Padding symmetric(int... pads) {
        return explicit(pads, pads);
    }

    public Mode mode() {
        return mode;
    }

    /** Parses {@code SAME} or {@code VALID} (case-insensitive). */
    public static Padding parse(String s) {
        return switch (s.toUpperCase(java.util.Locale.ROOT)) {
            case "SAME" -> SAME;
            case "VALID" -> VALID;
            default -> throw new IllegalArgumentException("padding must be SAME or VALID, was '" + s + "'");
        };
    }

    /**
     * Resolves one spatial axis: returns {@code {out, padBefore, padAfter}}.
     *
     * @param axisName used in error messages, e.g. "H"
     */
    public int[] resolve(String axisName, int axis, int in, int kernel, int stride, int dilation) {
        long kEff = (long) (kernel - 1) * dilation + 1;
        switch (mode) {
            case VALID -> {
                if (kEff > in) {
                    throw new IllegalArgumentException("VALID padding: negative dimension size on axis " + axisName
                            + ": effective window " + kEff + " (kernel " + kernel + ", dilation " + dilation
                            + ") is larger than the input " + in);
                }
                int out = (int) ((in - kEff) / stride + 1);
                return new int[] {out, 0, 0};
            }
            case SAME -> {
                int out = (int) ((in + (long) stride - 1) / stride);
                long total = Math.max((long) (out - 1) * stride + kEff - in, 0);
                if (total > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("SAME padding on axis " + axisName + " is too large: " + total);
                }
                int pb = (int) (total / 2);
                return new int[] {out, pb, (int) total - pb};
            }
            default -> {
                if (axis >= before.length) {
                    throw new IllegalArgumentException("padding has " + before.length + " axes, axis " + axisName
                            + " needs index " + axis);
                }
                long span = (long) in + before[axis] + after[axis] - kEff;
                if (span < 0) {
                    throw new IllegalArgumentException("explicit padding: negative dimension size on axis " + axisName
                            + ": effective window " + kEff + " is larger than the padded input "
                            + ((long) in + before[axis] + after[axis]));
                }
                long out = span / stride + 1;
                return new int[] {(int) out, before[axis], after[axis]};
            }
        }
    }

    /** Number of spatial axes an explicit padding covers, or -1 for SAME/VALID. */
    public int axes() {
        return before == null ? -1 : before.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Padding p && p.mode == mode && Arrays.equals(p.before, before) && Arrays.equals(p.after, after);
    }

    @Override
    public int hashCode() {
        return mode.hashCode() * 31 + Arrays.hashCode(before) * 7 + Arrays.hashCode(after);
    }

    @Override
    public String toString() {
        return mode == Mode.EXPLICIT ? "EXPLICIT(" + Arrays.toString(before) + "," + Arrays.toString(after) + ")" : mode.name();
    }
}
