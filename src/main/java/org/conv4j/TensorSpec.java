package org.conv4j;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a tensor argument of an operation must look like: dtype (or {@code null} where any dtype is accepted,
 * as for weights, which engines convert once when preparing), layout and extents.
 */
public record TensorSpec(DType dtype, Layout layout, int[] dims) {
    public TensorSpec {
        Objects.requireNonNull(layout, "layout");
        dims = Tensor.checkDims(dtype == null ? DType.F32 : dtype, layout, dims);
    }

    public long elementCount() {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    /** Bytes of such a tensor stored as {@code t}. */
    public long byteSize(DType t) {
        return Tensor.byteSize(t, dims);
    }

    /** Extent of the axis named by a layout letter. */
    public int extent(char axis) {
        return layout.extent(dims, axis);
    }

    /** Dims in layout order (a copy). */
    @Override
    public int[] dims() {
        return dims.clone();
    }

    /** The dims array itself, for hot-path checks inside the package (never handed out). */
    int[] dimsRef() {
        return dims;
    }

    /**
     * Checks that {@code t} matches this spec; {@code name} names the argument in the exception.
     *
     * @throws IllegalArgumentException on a dtype, layout or shape mismatch
     * @throws IllegalStateException when the tensor's memory is already freed
     */
    public void check(String name, Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException(name + ": tensor is null, expected " + describe());
        }
        if (!t.segment().scope().isAlive()) {
            throw new IllegalStateException(name + ": tensor " + t.describe() + " has a closed arena");
        }
        if (dtype != null && t.dtype() != dtype) {
            throw new IllegalArgumentException(name + ": dtype is " + t.dtype().id() + ", expected " + dtype.id());
        }
        if (t.layout() != layout) {
            throw new IllegalArgumentException(name + ": layout is " + t.layout() + ", expected " + layout);
        }
        if (!Arrays.equals(t.dimsRef(), dims)) {
            String axes = layout.name();
            StringBuilder why = new StringBuilder();
            int[] td = t.dims();
            for (int i = 0; i < dims.length; i++) {
                if (td[i] != dims[i]) {
                    why.append(why.isEmpty() ? "" : ", ").append("axis ").append(axes.charAt(i)).append(" is ")
                            .append(td[i]).append(" but must be ").append(dims[i]);
                }
            }
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(td) + " " + layout
                    + " does not match " + Arrays.toString(dims) + " (" + why + ")");
        }
    }

    /** Allocates a self-owned tensor of this spec, with {@code fallback} as dtype where the spec has none. */
    public Tensor allocate(DType fallback) {
        return Tensor.allocate(dtype == null ? fallback : dtype, layout, dims);
    }

    public String describe() {
        return (dtype == null ? "any dtype" : dtype.id()) + " " + layout + " " + Arrays.toString(dims);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec s && s.dtype == dtype && s.layout == layout && Arrays.equals(s.dims, dims);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, layout) * 31 + Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return describe();
    }
}
