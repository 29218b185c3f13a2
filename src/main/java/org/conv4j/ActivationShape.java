package org.conv4j;

import java.util.Arrays;

/** The logical view of an activation tensor's dims: batch, channels and spatial extents in D, H, W order. */
public record ActivationShape(Layout layout, int batch, int channels, int[] spatial) {
    public ActivationShape {
        spatial = spatial.clone();
    }

    /** Reads an activation shape from physical dims; rejects non-activation layouts and bad dims. */
    public static ActivationShape of(String name, Layout layout, int[] dims) {
        if (layout == null) {
            throw new IllegalArgumentException(name + ": layout is null");
        }
        if (layout.kind() != Layout.Kind.ACTIVATION) {
            throw new IllegalArgumentException(name + ": layout " + layout + " is not an activation layout");
        }
        if (dims == null || dims.length != layout.rank()) {
            throw new IllegalArgumentException(name + ": layout " + layout + " needs " + layout.rank() + " dims, got "
                    + (dims == null ? "null" : Arrays.toString(dims)));
        }
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] <= 0) {
                throw new IllegalArgumentException(name + ": dims[" + i + "] (axis " + layout.name().charAt(i)
                        + ") must be positive, was " + dims[i]);
            }
        }
        Tensor.byteSize(DType.F32, dims);
        return new ActivationShape(layout, layout.extent(dims, 'N'), layout.extent(dims, 'C'), layout.spatialOf(dims));
    }

    @Override
    public int[] spatial() {
        return spatial.clone();
    }

    public int spatialRank() {
        return spatial.length;
    }

    /** Physical dims. */
    public int[] dims() {
        return layout.activationDims(batch, channels, spatial);
    }

    /** Product of the spatial extents. */
    public long spatialSize() {
        long n = 1;
        for (int s : spatial) {
            n *= s;
        }
        return n;
    }

    /**
     * Spatial extents padded to three axes {D, H, W}: missing leading axes have extent 1, so one triple loop serves
     * 1-D, 2-D and 3-D tensors.
     */
    public int[] spatial3() {
        int[] s3 = {1, 1, 1};
        System.arraycopy(spatial, 0, s3, 3 - spatial.length, spatial.length);
        return s3;
    }

    /**
     * Memory strides, in elements, of the logical axes {N, C, D, H, W}; an axis the layout lacks has stride 0 (its
     * index is always 0). Element (n, c, d, h, w) lives at {@code n*s[0] + c*s[1] + d*s[2] + h*s[3] + w*s[4]}.
     */
    public long[] strides() {
        int[] dims = dims();
        String axes = layout.name();
        long[] byAxis = new long[dims.length];
        long s = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            byAxis[i] = s;
            s *= dims[i];
        }
        long[] out = new long[5];
        String order = "NCDHW";
        for (int i = 0; i < axes.length(); i++) {
            out[order.indexOf(axes.charAt(i))] = byAxis[i];
        }
        return out;
    }

    public long elementCount() {
        return (long) batch * channels * spatialSize();
    }

    public TensorSpec tensor(DType dtype) {
        return new TensorSpec(dtype, layout, dims());
    }

    /** The same layout with other batch/channel/spatial extents. */
    public ActivationShape with(int batch, int channels, int[] spatial) {
        return new ActivationShape(layout, batch, channels, spatial);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ActivationShape s && s.layout == layout && s.batch == batch && s.channels == channels
                && Arrays.equals(s.spatial, spatial);
    }

    @Override
    public int hashCode() {
        return ((layout.hashCode() * 31 + batch) * 31 + channels) * 31 + Arrays.hashCode(spatial);
    }

    @Override
    public String toString() {
        return layout + " " + Arrays.toString(dims());
    }
}
