package org.conv4j.vector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.conv4j.DType;

/**
 * Moves runs of elements between a tensor's segment and a heap {@code float[]}, widening on load and rounding
 * (to nearest even) on store. 16-bit types go through a heap {@code short[]}: conversion loops over heap arrays
 * are auto-vectorised, loops that touch a segment element by element are not.
 */
final class Convert {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    private Convert() {
    }

    /** {@code dst[off .. off+n) = seg[index .. index+n)} widened to float. */
    static void load(MemorySegment seg, DType t, long index, float[] dst, int off, int n) {
        if (n <= 0) {
            return;
        }
        if (t == DType.F32) {
            MemorySegment.copy(seg, F32, index * 4, dst, off, n);
            return;
        }
        short[] tmp = Scratch.get().shorts(n);
        MemorySegment.copy(seg, S16, index * 2, tmp, 0, n);
        if (t == DType.F16) {
            for (int i = 0; i < n; i++) {
                dst[off + i] = Float.float16ToFloat(tmp[i]);
            }
        } else {
            for (int i = 0; i < n; i++) {
                dst[off + i] = Float.intBitsToFloat(tmp[i] << 16);
            }
        }
    }

    /** {@code seg[index .. index+n) = src[off .. off+n)} rounded to the segment's dtype. */
    static void store(float[] src, int off, MemorySegment seg, DType t, long index, int n) {
        if (n <= 0) {
            return;
        }
        if (t == DType.F32) {
            MemorySegment.copy(src, off, seg, F32, index * 4, n);
            return;
        }
        short[] tmp = Scratch.get().shorts(n);
        if (t == DType.F16) {
            for (int i = 0; i < n; i++) {
                tmp[i] = Float.floatToFloat16(src[off + i]);
            }
        } else {
            for (int i = 0; i < n; i++) {
                tmp[i] = toBf16(src[off + i]);
            }
        }
        MemorySegment.copy(tmp, 0, seg, S16, index * 2, n);
    }

    /** Same rounding as {@link DType#floatToBf16}: nearest even, NaN stays a quiet NaN. */
    static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    /** One element widened to float. */
    static float get(MemorySegment seg, DType t, long index) {
        return switch (t) {
            case F32 -> seg.getAtIndex(F32, index);
            case F16 -> Float.float16ToFloat(seg.getAtIndex(S16, index));
            case BF16 -> Float.intBitsToFloat(seg.getAtIndex(S16, index) << 16);
        };
    }
}
