package org.conv4j;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;

/**
 * A dense tensor in an off-heap (or heap) {@link MemorySegment}: a {@link DType}, a {@link Layout} and the
 * extent of each axis in that layout's order. Elements are packed row-major in little-endian order, the
 * layout's last axis varying fastest.
 *
 * <p>The memory belongs either to an {@link Arena} the caller passes ({@link #allocate(Arena, DType, Layout, int...)}),
 * to the tensor itself ({@link #allocate(DType, Layout, int...)}, freed by {@link #close()}), or to whoever made the
 * segment a tensor wraps without copying ({@link #wrap(MemorySegment, DType, Layout, int...)}). Only a tensor that
 * owns its memory frees it on close; closing any other tensor does nothing.
 *
 * <p>Engines that run on several threads need segments those threads may touch: tensors from a shared, global or
 * automatic arena. A segment of a confined arena is used from its owner thread only.
 */
public final class Tensor implements AutoCloseable {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    private final MemorySegment segment;
    private final DType dtype;
    private final Layout layout;
    private final int[] dims;
    private final long elementCount;
    private final Arena ownArena;

    private Tensor(MemorySegment segment, DType dtype, Layout layout, int[] dims, long elementCount, Arena ownArena) {
        this.segment = segment;
        this.dtype = dtype;
        this.layout = layout;
        this.dims = dims;
        this.elementCount = elementCount;
        this.ownArena = ownArena;
    }

    /** A zero-filled tensor whose memory the caller's arena owns. */
    public static Tensor allocate(Arena arena, DType dtype, Layout layout, int... dims) {
        Objects.requireNonNull(arena, "arena");
        int[] d = checkDims(dtype, layout, dims);
        long bytes = byteSize(dtype, d);
        MemorySegment seg;
        try {
            seg = arena.allocate(bytes, 64);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("arena is closed or not accessible from this thread: " + e.getMessage(), e);
        }
        return new Tensor(seg, dtype, layout, d, bytes / dtype.byteSize(), null);
    }

    /** A zero-filled tensor that owns its memory (a shared arena), freed by {@link #close()}. */
    public static Tensor allocate(DType dtype, Layout layout, int... dims) {
        int[] d = checkDims(dtype, layout, dims);
        long bytes = byteSize(dtype, d);
        Arena arena = Arena.ofShared();
        try {
            MemorySegment seg = arena.allocate(bytes, 64);
            return new Tensor(seg, dtype, layout, d, bytes / dtype.byteSize(), arena);
        } catch (RuntimeException | OutOfMemoryError e) {
            arena.close();
            throw e;
        }
    }

    /** A self-owned tensor holding {@code values}, rounded to {@code dtype}. */
    public static Tensor of(float[] values, DType dtype, Layout layout, int... dims) {
        Tensor t = allocate(dtype, layout, dims);
        try {
            t.copyFrom(values);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    /** A self-owned F32 tensor holding {@code values}. */
    public static Tensor of(float[] values, Layout layout, int... dims) {
        return of(values, DType.F32, layout, dims);
    }

    /**
     * A zero-copy view of an existing segment, which must hold at least the tensor's bytes. The view does not own
     * the memory: closing it does nothing, and the segment's owner must keep it alive while the view is used.
     */
    public static Tensor wrap(MemorySegment segment, DType dtype, Layout layout, int... dims) {
        Objects.requireNonNull(segment, "segment");
        int[] d = checkDims(dtype, layout, dims);
        long bytes = byteSize(dtype, d);
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException("segment: its arena is already closed");
        }
        if (segment.isReadOnly()) {
            throw new IllegalArgumentException("segment: read-only segments cannot back a tensor");
        }
        if (segment.byteSize() < bytes) {
            throw new IllegalArgumentException("segment: byteSize " + segment.byteSize() + " is smaller than the "
                    + bytes + " bytes of a " + dtype.id() + " tensor " + Arrays.toString(d) + " " + layout);
        }
        return new Tensor(segment.asSlice(0, bytes), dtype, layout, d, bytes / dtype.byteSize(), null);
    }

    /** Checks dims against the layout and returns a private copy. */
    static int[] checkDims(DType dtype, Layout layout, int[] dims) {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(dims, "dims");
        if (dims.length != layout.rank()) {
            throw new IllegalArgumentException("dims: layout " + layout + " needs " + layout.rank() + " dims, got "
                    + dims.length + " " + Arrays.toString(dims));
        }
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] <= 0) {
                throw new IllegalArgumentException("dims[" + i + "] (axis " + layout.name().charAt(i) + " of "
                        + layout + ") must be positive, was " + dims[i]);
            }
        }
        byteSize(dtype, dims);
        return dims.clone();
    }

    /** Bytes of a tensor, rejecting products that overflow a long. */
    static long byteSize(DType dtype, int[] dims) {
        try {
            long n = dtype.byteSize();
            for (int d : dims) {
                n = Math.multiplyExact(n, (long) d);
            }
            return n;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("dims " + Arrays.toString(dims) + ": the byte size of a " + dtype.id()
                    + " tensor overflows a 64-bit count");
        }
    }

    public MemorySegment segment() {
        return segment;
    }

    public DType dtype() {
        return dtype;
    }

    public Layout layout() {
        return layout;
    }

    /** Extents in layout order (a copy). */
    public int[] dims() {
        return dims.clone();
    }

    /** The dims array itself, for hot-path checks inside the package (never handed out). */
    int[] dimsRef() {
        return dims;
    }

    /** Extent of axis {@code i} in layout order. */
    public int dim(int i) {
        return dims[i];
    }

    /** Extent of the axis named by a layout letter (N, C, H, ...). */
    public int extent(char axis) {
        return layout.extent(dims, axis);
    }

    public long elementCount() {
        return elementCount;
    }

    public long byteSize() {
        return elementCount * dtype.byteSize();
    }

    /** Whether the memory can still be used. */
    public boolean isAlive() {
        return segment.scope().isAlive();
    }

    /** Whether this tensor frees its memory on close. */
    public boolean ownsMemory() {
        return ownArena != null;
    }

    /** Element {@code i} (in memory order) widened to float. */
    public float getFloat(long i) {
        return switch (dtype) {
            case F32 -> segment.getAtIndex(F32, i);
            case F16 -> Float.float16ToFloat(segment.getAtIndex(S16, i));
            case BF16 -> Float.intBitsToFloat((segment.getAtIndex(S16, i) & 0xffff) << 16);
        };
    }

    /** Stores {@code v} as element {@code i}, rounded to this tensor's dtype. */
    public void setFloat(long i, float v) {
        switch (dtype) {
            case F32 -> segment.setAtIndex(F32, i, v);
            case F16 -> segment.setAtIndex(S16, i, Float.floatToFloat16(v));
            case BF16 -> segment.setAtIndex(S16, i, DType.floatToBf16(v));
        }
    }

    /** Memory index of the element at physical coordinates (layout order). */
    public long index(int... coords) {
        if (coords.length != dims.length) {
            throw new IllegalArgumentException("coords: need " + dims.length + " coordinates, got " + coords.length);
        }
        long idx = 0;
        for (int i = 0; i < dims.length; i++) {
            if (coords[i] < 0 || coords[i] >= dims[i]) {
                throw new IndexOutOfBoundsException("coords[" + i + "] = " + coords[i] + " outside [0, " + dims[i] + ")");
            }
            idx = idx * dims[i] + coords[i];
        }
        return idx;
    }

    /** Element at physical coordinates, widened to float. */
    public float get(int... coords) {
        return getFloat(index(coords));
    }

    /** Stores the element at physical coordinates. */
    public void set(float v, int... coords) {
        setFloat(index(coords), v);
    }

    /** Copies {@code values} (memory order) in, rounding to this dtype. */
    public Tensor copyFrom(float[] values) {
        Objects.requireNonNull(values, "values");
        if (values.length != elementCount) {
            throw new IllegalArgumentException("values: length " + values.length + " differs from the tensor's "
                    + elementCount + " elements " + Arrays.toString(dims));
        }
        checkAlive();
        if (dtype == DType.F32) {
            MemorySegment.copy(values, 0, segment, F32, 0, values.length);
        } else {
            short[] tmp = new short[values.length];
            for (int i = 0; i < tmp.length; i++) {
                tmp[i] = dtype.narrow(values[i]);
            }
            MemorySegment.copy(tmp, 0, segment, S16, 0, tmp.length);
        }
        return this;
    }

    /** All elements in memory order, widened to float. */
    public float[] toFloatArray() {
        checkAlive();
        if (elementCount > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor of " + elementCount + " elements does not fit a Java array");
        }
        float[] out = new float[(int) elementCount];
        if (dtype == DType.F32) {
            MemorySegment.copy(segment, F32, 0, out, 0, out.length);
        } else {
            short[] tmp = new short[out.length];
            MemorySegment.copy(segment, S16, 0, tmp, 0, tmp.length);
            for (int i = 0; i < out.length; i++) {
                out[i] = dtype.widen(tmp[i]);
            }
        }
        return out;
    }

    /**
     * A zero-copy view of the same memory with another layout and dims of the same element count (a reshape in
     * memory order, e.g. flattening {@code NHWC [N, H, W, C]} into {@code NC [N, H*W*C]}). The view never owns memory.
     */
    public Tensor view(Layout newLayout, int... newDims) {
        int[] d = checkDims(dtype, newLayout, newDims);
        long n = byteSize(dtype, d) / dtype.byteSize();
        if (n != elementCount) {
            throw new IllegalArgumentException("dims: view " + Arrays.toString(d) + " has " + n + " elements, the tensor "
                    + describe() + " has " + elementCount);
        }
        checkAlive();
        return new Tensor(segment, dtype, newLayout, d, n, null);
    }

    /** A self-owned copy converted to {@code target} (rounded to nearest even). */
    public Tensor convertTo(DType target) {
        Tensor t = allocate(target, layout, dims);
        t.copyFrom(toFloatArray());
        return t;
    }

    /** A self-owned copy with the same contents. */
    public Tensor copy() {
        checkAlive();
        Tensor t = allocate(dtype, layout, dims);
        MemorySegment.copy(segment, 0, t.segment, 0, byteSize());
        return t;
    }

    /** Throws {@link IllegalStateException} when the backing arena is closed. */
    public void checkAlive() {
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException("tensor " + describe() + ": its arena is closed");
        }
    }

    /** Short description, e.g. {@code f32 NHWC [1, 28, 28, 16]}. */
    public String describe() {
        return dtype.id() + " " + layout + " " + Arrays.toString(dims);
    }

    /** Frees the memory if this tensor owns it; otherwise does nothing. Idempotent. */
    @Override
    public synchronized void close() {
        if (ownArena != null && ownArena.scope().isAlive()) {
            ownArena.close();
        }
    }

    @Override
    public String toString() {
        return "Tensor[" + describe() + "]";
    }
}
