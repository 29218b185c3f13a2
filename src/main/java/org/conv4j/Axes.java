package org.conv4j;

import java.util.Arrays;

/** Helpers for per-spatial-axis parameters (strides, dilations, window sizes). */
final class Axes {
    private Axes() {
    }

    /** Expands a single value to every axis, or checks one value per axis; every value must be positive. */
    static int[] positive(String name, int[] values, int rank) {
        if (values == null) {
            throw new IllegalArgumentException(name + " must be given");
        }
        int[] out;
        if (values.length == 1) {
            out = new int[rank];
            Arrays.fill(out, values[0]);
        } else if (values.length == rank) {
            out = values.clone();
        } else {
            throw new IllegalArgumentException(name + " must have 1 or " + rank + " values, was " + Arrays.toString(values));
        }
        for (int i = 0; i < out.length; i++) {
            if (out[i] <= 0) {
                throw new IllegalArgumentException(name + "[" + i + "] must be positive, was " + out[i]);
            }
        }
        return out;
    }

    static String letter(int rank, int axis) {
        return String.valueOf(Layout.spatialLetters(rank).charAt(axis));
    }

    static long product(int[] v) {
        long p = 1;
        for (int x : v) {
            p = Math.multiplyExact(p, (long) x);
        }
        return p;
    }
}
