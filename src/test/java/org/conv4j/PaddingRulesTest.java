package org.conv4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The seed's output-size rules, with TensorFlow's SAME/VALID formulas. */
class PaddingRulesTest {
    @Test
    void sameGivesCeilOfInputOverStride() {
        // the seed: 13 inputs, stride 5, SAME -> ceil(13/5) = 3
        assertEquals(3, Padding.SAME.resolve("W", 0, 13, 6, 5, 1)[0]);
        for (int in = 1; in < 40; in++) {
            for (int s = 1; s < 7; s++) {
                for (int k = 1; k < 9; k++) {
                    assertEquals((in + s - 1) / s, Padding.SAME.resolve("W", 0, in, k, s, 1)[0], "in " + in + " s " + s + " k " + k);
                }
            }
        }
    }

    @Test
    void validDropsTheCellsThatDoNotFit() {
        // the seed's figure: 13 inputs, window 6, stride 5, VALID -> 2 outputs, cells 11 and 12 ignored
        assertArrayEquals(new int[] {2, 0, 0}, Padding.VALID.resolve("W", 0, 13, 6, 5, 1));
        // ceil((in - k + 1) / s)
        for (int in = 1; in < 30; in++) {
            for (int s = 1; s < 6; s++) {
                for (int k = 1; k <= in; k++) {
                    int expected = (in - k + 1 + s - 1) / s;
                    assertEquals(expected, Padding.VALID.resolve("W", 0, in, k, s, 1)[0]);
                }
            }
        }
    }

    @Test
    void fiveBySevenWithThreeByThreeStrideTwoAndZeroPaddingGivesThreeByFour() {
        ConvSpec spec = ConvSpec.conv2d(1, 5, 7, 1, 1, 3, 3, 2, Padding.SAME);
        assertArrayEquals(new int[] {1, 3, 4, 1}, spec.output().dims());
        assertArrayEquals(new int[] {1, 1}, spec.padBefore());
        assertArrayEquals(new int[] {1, 1}, spec.padAfter());
    }

    @Test
    void sameSplitsPaddingWithTheOddCellAtTheEnd() {
        // 13 inputs, window 6, stride 5: out 3, total pad (3-1)*5+6-13 = 3 -> 1 before, 2 after
        assertArrayEquals(new int[] {3, 1, 2}, Padding.SAME.resolve("W", 0, 13, 6, 5, 1));
        // even kernel, stride 1: total k-1 = 1 -> 0 before, 1 after
        assertArrayEquals(new int[] {10, 0, 1}, Padding.SAME.resolve("W", 0, 10, 2, 1, 1));
        // 224 input, 7x7 stride 2 (ResNet stem): total (112-1)*2+7-224 = 5 -> 2 before, 3 after
        assertArrayEquals(new int[] {112, 2, 3}, Padding.SAME.resolve("H", 0, 224, 7, 2, 1));
        // no negative padding when the stride skips past the window
        assertArrayEquals(new int[] {2, 0, 0}, Padding.SAME.resolve("W", 0, 4, 1, 3, 1));
    }

    @Test
    void dilationEnlargesTheEffectiveWindow() {
        // k=3, d=2 -> effective 5
        assertArrayEquals(new int[] {6, 0, 0}, Padding.VALID.resolve("W", 0, 10, 3, 1, 2));
        assertArrayEquals(new int[] {10, 2, 2}, Padding.SAME.resolve("W", 0, 10, 3, 1, 2));
    }

    @Test
    void explicitPaddingUsesFloor() {
        Padding p = Padding.explicit(new int[] {1}, new int[] {2});
        // floor((10 + 3 - 3) / 3) + 1 = 4
        assertArrayEquals(new int[] {4, 1, 2}, p.resolve("W", 0, 10, 3, 3, 1));
    }
}
