package org.conv4j.vector;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-thread heap work arrays, grown on demand and kept for the thread's life. Kernels size their tiles so that
 * what one thread holds stays at a few MB whatever the tensor sizes; {@link #peakBytes()} lets tests check that.
 */
final class Scratch {
    /** Slots for float arrays that one kernel call uses at the same time. */
    static final int IN = 0;
    static final int OUT = 1;
    static final int AUX = 2;
    static final int AUX2 = 3;
    static final int CONVERT = 4;
    private static final int SLOTS = 5;

    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);
    private static final AtomicLong PEAK = new AtomicLong();

    private final float[][] floats = new float[SLOTS][];
    private final int[][] ints = new int[SLOTS][];
    private short[] shorts = new short[0];
    private long bytes;

    private Scratch() {
        for (int i = 0; i < SLOTS; i++) {
            floats[i] = new float[0];
            ints[i] = new int[0];
        }
    }

    static Scratch get() {
        return LOCAL.get();
    }

    /** A float array of at least {@code n} elements in {@code slot}; contents are undefined. */
    float[] floats(int slot, int n) {
        float[] a = floats[slot];
        if (a.length < n) {
            bytes += 4L * (n - a.length);
            a = new float[n];
            floats[slot] = a;
            PEAK.accumulateAndGet(bytes, Math::max);
        }
        return a;
    }

    int[] ints(int slot, int n) {
        int[] a = ints[slot];
        if (a.length < n) {
            bytes += 4L * (n - a.length);
            a = new int[n];
            ints[slot] = a;
            PEAK.accumulateAndGet(bytes, Math::max);
        }
        return a;
    }

    short[] shorts(int n) {
        if (shorts.length < n) {
            bytes += 2L * (n - shorts.length);
            shorts = new short[n];
            PEAK.accumulateAndGet(bytes, Math::max);
        }
        return shorts;
    }

    /** The most bytes any one thread has held in scratch since the last reset. */
    static long peakBytes() {
        return PEAK.get();
    }

    /** Drops this thread's arrays and resets the peak (tests). */
    static void resetForTest() {
        LOCAL.remove();
        PEAK.set(0);
    }
}
