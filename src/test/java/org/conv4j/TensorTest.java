package org.conv4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class TensorTest {
    @Test
    void ownedTensorFreesOnClose() {
        Tensor t = Tensor.allocate(DType.F32, Layout.NHWC, 1, 2, 2, 3);
        assertTrue(t.ownsMemory());
        assertEquals(12, t.elementCount());
        assertEquals(48, t.byteSize());
        t.close();
        assertFalse(t.isAlive());
        t.close();
    }

    @Test
    void arenaOwnedTensorIsFreedByItsArena() {
        Tensor t;
        try (Arena arena = Arena.ofConfined()) {
            t = Tensor.allocate(arena, DType.F16, Layout.NCHW, 1, 3, 2, 2);
            t.close(); // not the owner: nothing happens
            assertTrue(t.isAlive());
            assertEquals(24, t.byteSize());
        }
        assertFalse(t.isAlive());
    }

    @Test
    void wrapIsZeroCopy() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(4 * 6);
            Tensor t = Tensor.wrap(seg, DType.F32, Layout.NC, 2, 3);
            t.setFloat(4, 7.5f);
            assertEquals(7.5f, seg.getAtIndex(ValueLayout.JAVA_FLOAT, 4));
            assertEquals(seg.address(), t.segment().address());
            Tensor flat = t.view(Layout.NC, 1, 6);
            assertEquals(7.5f, flat.get(0, 4));
            assertThrows(IllegalArgumentException.class, () -> t.view(Layout.NC, 1, 5));
        }
    }

    @Test
    void physicalIndexFollowsTheLayout() {
        try (Tensor t = Tensor.allocate(DType.F32, Layout.NHWC, 2, 3, 4, 5)) {
            assertEquals(((1 * 3 + 2) * 4 + 3) * 5 + 4, t.index(1, 2, 3, 4));
            assertEquals(3, t.extent('H'));
            assertThrows(IndexOutOfBoundsException.class, () -> t.index(2, 0, 0, 0));
        }
        assertArrayEquals(new int[] {2, 5, 3, 4}, Layout.NCHW.activationDims(2, 5, 3, 4));
        assertArrayEquals(new int[] {3, 4, 5, 6}, Layout.HWIO.filterDims(6, 5, 3, 4));
        assertArrayEquals(new int[] {6, 5, 3, 4}, Layout.OIHW.filterDims(6, 5, 3, 4));
    }

    @Test
    void halfAndBfloatConversionsRoundToNearestEven() {
        float[] values = {0f, -0f, 1f, -2.5f, 65504f, 1e-8f, 3.14159f, 1f + 0x1p-11f, 1f + 0x1p-8f + 0x1p-9f};
        try (Tensor h = Tensor.of(values, DType.F16, Layout.NC, 1, values.length);
             Tensor b = Tensor.of(values, DType.BF16, Layout.NC, 1, values.length)) {
            float[] hv = h.toFloatArray();
            float[] bv = b.toFloatArray();
            for (int i = 0; i < values.length; i++) {
                assertEquals(Float.float16ToFloat(Float.floatToFloat16(values[i])), hv[i]);
            }
            assertEquals(1f, hv[7]); // tie to even: 1 + 2^-11 -> 1
            assertEquals(1f + 0x1p-7f, bv[8]); // 1 + 2^-8 + 2^-9 rounds up in bf16
            assertEquals(-2.5f, bv[3]);
            assertEquals(3.140625f, bv[6]);
        }
        assertTrue(Float.isNaN(DType.BF16.widen(DType.floatToBf16(Float.NaN))));
        assertEquals(Float.POSITIVE_INFINITY, DType.BF16.widen(DType.floatToBf16(Float.POSITIVE_INFINITY)));
        assertEquals(Float.POSITIVE_INFINITY, DType.BF16.widen(DType.floatToBf16(Float.MAX_VALUE)));
    }

    @Test
    void convertToAndCopy() {
        try (Tensor f = Tensor.of(new float[] {1.5f, -3.25f}, Layout.X, 2);
             Tensor h = f.convertTo(DType.F16);
             Tensor c = h.copy()) {
            assertEquals(DType.F16, c.dtype());
            assertArrayEquals(new float[] {1.5f, -3.25f}, c.toFloatArray());
            assertThrows(IllegalArgumentException.class, () -> f.copyFrom(new float[3]));
        }
    }
}
