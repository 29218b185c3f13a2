package org.conv4j.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.conv4j.DType;
import org.junit.jupiter.api.Test;

/** The vectorised bf16 conversions give the bits of the scalar rules, on every kind of value and every run length. */
class ConvertTest {
    private static float[] values() {
        float[] special = {0f, -0f, 1f, -1f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
            -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
            Float.intBitsToFloat(0x7f800001), Float.intBitsToFloat(0xffc00001), // signalling and negative NaNs
            Float.intBitsToFloat(0x3f808000), Float.intBitsToFloat(0x3f818000), // ties to even, down and up
            Float.intBitsToFloat(0x3f808001), Float.intBitsToFloat(0x7f7fffff), Float.intBitsToFloat(0x807fffff)};
        Random r = new Random(3);
        float[] v = new float[1000];
        for (int i = 0; i < v.length; i++) {
            v[i] = i < special.length ? special[i] : Float.intBitsToFloat(r.nextInt());
        }
        return v;
    }

    @Test
    void bf16StoreRoundsLikeTheScalarRule() {
        float[] v = values();
        try (Arena arena = Arena.ofConfined()) {
            for (int n : new int[] {1, 7, 16, 33, 1000}) {
                for (int from : new int[] {0, 3}) {
                    int count = Math.min(n, v.length - from);
                    MemorySegment seg = arena.allocate(2L * (count + 2), 2);
                    Convert.store(v, from, seg, DType.BF16, 1, count);
                    for (int i = 0; i < count; i++) {
                        assertEquals(DType.floatToBf16(v[from + i]), seg.getAtIndex(ValueLayout.JAVA_SHORT, 1 + i),
                                "n " + n + " element " + i + " bits " + Integer.toHexString(Float.floatToRawIntBits(v[from + i])));
                    }
                    assertEquals(0, seg.getAtIndex(ValueLayout.JAVA_SHORT, 0), "before the run");
                    assertEquals(0, seg.getAtIndex(ValueLayout.JAVA_SHORT, count + 1), "after the run");
                }
            }
        }
    }

    @Test
    void bf16LoadWidensEveryBitPattern() {
        try (Arena arena = Arena.ofConfined()) {
            int n = 65536 + 5;
            MemorySegment seg = arena.allocate(2L * n, 2);
            for (int i = 0; i < n; i++) {
                seg.setAtIndex(ValueLayout.JAVA_SHORT, i, (short) (i - 3));
            }
            float[] out = new float[n + 1];
            Convert.load(seg, DType.BF16, 1, out, 1, n - 1);
            for (int i = 1; i < n; i++) {
                assertEquals((i - 3) << 16, Float.floatToRawIntBits(out[i]), "bits " + Integer.toHexString((i - 3) & 0xffff));
            }
            assertEquals(0, Float.floatToRawIntBits(out[0]), "before the run");
        }
    }

    /** {@code addTo} adds what {@code get} widens, element by element, for every 16-bit pattern and odd run lengths. */
    @Test
    void addToAddsTheWidenedValues() {
        Random r = new Random(9);
        try (Arena arena = Arena.ofConfined()) {
            for (DType t : new DType[] {DType.F16, DType.BF16}) {
                for (int n : new int[] {1, 15, 65536 + 5}) {
                    MemorySegment seg = arena.allocate(2L * (n + 1), 2);
                    for (int i = 0; i <= n; i++) {
                        seg.setAtIndex(ValueLayout.JAVA_SHORT, i, (short) (n > 100 ? i - 3 : r.nextInt()));
                    }
                    float[] acc = new float[n];
                    float[] want = new float[n];
                    for (int i = 0; i < n; i++) {
                        acc[i] = r.nextFloat() * 4 - 2;
                        want[i] = acc[i] + Convert.get(seg, t, 1 + i);
                    }
                    Convert.addTo(seg, t, 1, acc, 0, n);
                    for (int i = 0; i < n; i++) {
                        assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(acc[i]), t + " n " + n + " element " + i);
                    }
                }
            }
        }
    }
}
