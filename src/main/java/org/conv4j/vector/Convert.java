package org.conv4j.vector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.conv4j.DType;

/**
 * Moves runs of elements between a tensor's segment and a heap {@code float[]}, widening on load and rounding
 * (to nearest even) on store. fp16 goes through a heap {@code short[]}: {@code Float.float16ToFloat} and
 * {@code floatToFloat16} loops over heap arrays are auto-vectorised, loops that touch a segment element by element
 * are not. bf16 is plain bit work, which C2 did not vectorise ({@code intBitsToFloat} in the loop; pooling ran at
 * 0.15 of its fp32 speed), so it is written with vectors: exact integer operations, the same bits at any width.
 */
final class Convert {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    /** As many shorts as {@link #IS} has ints. */
    private static final VectorSpecies<Short> SS =
            VectorSpecies.of(short.class, VectorShape.forBitSize(IS.vectorBitSize() / 2));
    private static final ByteOrder ORDER = S16.order();

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
        if (t == DType.BF16) {
            loadBf16(seg, index, dst, off, n);
            return;
        }
        short[] tmp = Scratch.get().shorts(n);
        MemorySegment.copy(seg, S16, index * 2, tmp, 0, n);
        widen(tmp, DType.F16, dst, off, n);
    }

    /**
     * {@code acc[off + i] += seg[index + i]} widened, for {@code i < n}, of the 16-bit type {@code t}: the same sums
     * as {@link #load} into a row and an add, without writing the row and reading it back.
     */
    static void addTo(MemorySegment seg, DType t, long index, float[] acc, int off, int n) {
        if (t == DType.F16) {
            short[] tmp = Scratch.get().shorts(n);
            MemorySegment.copy(seg, S16, index * 2, tmp, 0, n);
            for (int i = 0; i < n; i++) {
                acc[off + i] += Float.float16ToFloat(tmp[i]);
            }
            return;
        }
        MemorySegment run = seg.asSlice(index * 2, 2L * n);
        int lanes = IS.length();
        int i = 0;
        for (; i <= n - lanes; i += lanes) {
            bf16Vector(run, i).add(FloatVector.fromArray(FS, acc, off + i)).intoArray(acc, off + i);
        }
        for (; i < n; i++) {
            acc[off + i] += bf16At(run, i);
        }
    }

    /** {@code dst[off .. off+n) = src[0 .. n)}, bit patterns of the 16-bit type {@code t} widened to float. */
    static void widen(short[] src, DType t, float[] dst, int off, int n) {
        if (t == DType.F16) {
            for (int i = 0; i < n; i++) {
                dst[off + i] = Float.float16ToFloat(src[i]);
            }
            return;
        }
        int lanes = IS.length();
        int i = 0;
        for (; i <= n - lanes; i += lanes) {
            IntVector wide = (IntVector) ShortVector.fromArray(SS, src, i).convertShape(VectorOperators.S2I, IS, 0);
            wide.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, off + i);
        }
        for (; i < n; i++) {
            dst[off + i] = Float.intBitsToFloat(src[i] << 16);
        }
    }

    private static void loadBf16(MemorySegment seg, long index, float[] dst, int off, int n) {
        MemorySegment run = seg.asSlice(index * 2, 2L * n);
        int lanes = IS.length();
        int i = 0;
        for (; i <= n - lanes; i += lanes) {
            bf16Vector(run, i).intoArray(dst, off + i);
        }
        for (; i < n; i++) {
            dst[off + i] = bf16At(run, i);
        }
    }

    /** bf16 elements {@code i ..} of {@code run}, a vector of them, widened: the bits move up 16 places. */
    private static FloatVector bf16Vector(MemorySegment run, int i) {
        IntVector wide = (IntVector) ShortVector.fromMemorySegment(SS, run, 2L * i, ORDER).convertShape(VectorOperators.S2I, IS, 0);
        return wide.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static float bf16At(MemorySegment run, int i) {
        return Float.intBitsToFloat(run.getAtIndex(S16, i) << 16);
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
        if (t == DType.BF16) {
            storeBf16(src, off, seg, index, n);
            return;
        }
        short[] tmp = Scratch.get().shorts(n);
        for (int i = 0; i < n; i++) {
            tmp[i] = Float.floatToFloat16(src[off + i]);
        }
        MemorySegment.copy(tmp, 0, seg, S16, index * 2, n);
    }

    /** {@link #toBf16} lane by lane. */
    private static void storeBf16(float[] src, int off, MemorySegment seg, long index, int n) {
        MemorySegment run = seg.asSlice(index * 2, 2L * n);
        int lanes = IS.length();
        int i = 0;
        for (; i <= n - lanes; i += lanes) {
            IntVector bits = FloatVector.fromArray(FS, src, off + i).reinterpretAsInts();
            IntVector high = bits.lanewise(VectorOperators.LSHR, 16);
            IntVector rounded = bits.add(0x7fff).add(high.and(1)).lanewise(VectorOperators.LSHR, 16);
            VectorMask<Integer> nan = bits.and(0x7fffffff).compare(VectorOperators.GT, 0x7f800000);
            ShortVector narrow = (ShortVector) rounded.blend(high.or(0x0040), nan).convertShape(VectorOperators.I2S, SS, 0);
            narrow.intoMemorySegment(run, 2L * i, ORDER);
        }
        for (; i < n; i++) {
            run.setAtIndex(S16, i, toBf16(src[off + i]));
        }
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
