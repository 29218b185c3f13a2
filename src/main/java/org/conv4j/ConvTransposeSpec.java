package org.conv4j;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A transposed convolution ({@code tf.nn.conv2d_transpose} and its 1-D/3-D forms): the gradient of a
 * convolution with respect to its input. As in TensorFlow the output shape is given, and it must be one that the
 * forward convolution with the same kernel, strides, dilations and padding maps back onto the input shape.
 *
 * <p>Parameters: {@code filter} in {@link #filterLayout()}: {@code [kernel..., K, C]} (HWOI, TensorFlow) or
 * {@code [C, K, kernel...]} (IOHW, PyTorch), where C is the input and K the output channel count; then
 * {@code bias X [K]} when {@link #hasBias()}. One group only.
 */
public final class ConvTransposeSpec implements OpSpec {
    private final DType dtype;
    private final ActivationShape in;
    private final ActivationShape out;
    private final Layout filterLayout;
    private final int[] kernel;
    private final int[] strides;
    private final int[] dilations;
    private final Padding padding;
    private final int[] padBefore;
    private final int[] padAfter;
    private final boolean bias;
    private final boolean relu;

    private ConvTransposeSpec(Builder b) {
        if (b.layout == null || b.inputDims == null) {
            throw new IllegalArgumentException("input: call input(dims...) with the activation dims");
        }
        this.dtype = Objects.requireNonNull(b.dtype, "dtype");
        this.in = ActivationShape.of("input", b.layout, b.inputDims);
        int rank = in.spatialRank();
        if (rank < 1) {
            throw new IllegalArgumentException("layout: transposed convolution needs a spatial layout, was " + b.layout);
        }
        if (b.kernel == null || b.kernel.length != rank) {
            throw new IllegalArgumentException("kernel must have " + rank + " sizes, was "
                    + (b.kernel == null ? "unset" : Arrays.toString(b.kernel)));
        }
        if (b.outputDims == null) {
            throw new IllegalArgumentException("outputShape: a transposed convolution needs its output shape, as tf.nn.conv2d_transpose does");
        }
        this.out = ActivationShape.of("outputShape", b.layout, b.outputDims);
        if (out.batch() != in.batch()) {
            throw new IllegalArgumentException("outputShape: batch " + out.batch() + " differs from the input's " + in.batch());
        }
        this.kernel = Axes.positive("kernel", b.kernel, rank);
        this.strides = Axes.positive("strides", b.strides, rank);
        this.dilations = Axes.positive("dilations", b.dilations, rank);
        this.padding = Objects.requireNonNull(b.padding, "padding");
        if (padding.axes() >= 0 && padding.axes() != rank) {
            throw new IllegalArgumentException("padding: explicit padding has " + padding.axes() + " axes, the input has " + rank);
        }
        this.filterLayout = b.filterLayout != null ? b.filterLayout : Layout.transposedFilter(rank, in.layout().channelsLast());
        if (filterLayout.kind() != Layout.Kind.TRANSPOSED_FILTER || filterLayout.spatialRank() != rank) {
            throw new IllegalArgumentException("filterLayout must be a " + rank + "-D transposed filter layout (e.g. "
                    + Layout.transposedFilter(rank, true) + " or " + Layout.transposedFilter(rank, false) + "), was " + filterLayout);
        }
        padBefore = new int[rank];
        padAfter = new int[rank];
        for (int i = 0; i < rank; i++) {
            String axis = Axes.letter(rank, i);
            int[] r = padding.resolve(axis, i, out.spatial()[i], kernel[i], strides[i], dilations[i]);
            if (r[0] != in.spatial()[i]) {
                throw new IllegalArgumentException("outputShape: axis " + axis + " of size " + out.spatial()[i]
                        + " convolves to " + r[0] + " with kernel " + kernel[i] + ", stride " + strides[i] + " and "
                        + padding + " padding, but the input has " + in.spatial()[i]);
            }
            padBefore[i] = r[1];
            padAfter[i] = r[2];
        }
        this.bias = b.bias;
        this.relu = b.relu;
        cost();
    }

    public static Builder builder(Layout layout) {
        return new Builder(layout);
    }

    @Override
    public OpKind kind() {
        return OpKind.CONV_TRANSPOSE;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    public ActivationShape inputShape() {
        return in;
    }

    public ActivationShape outputShape() {
        return out;
    }

    public Layout layout() {
        return in.layout();
    }

    public Layout filterLayout() {
        return filterLayout;
    }

    public int spatialRank() {
        return kernel.length;
    }

    public int[] kernel() {
        return kernel.clone();
    }

    public int[] strides() {
        return strides.clone();
    }

    public int[] dilations() {
        return dilations.clone();
    }

    public Padding padding() {
        return padding;
    }

    /** Padding of the equivalent forward convolution (on the output), before each axis. */
    public int[] padBefore() {
        return padBefore.clone();
    }

    public int[] padAfter() {
        return padAfter.clone();
    }

    public int inChannels() {
        return in.channels();
    }

    public int outChannels() {
        return out.channels();
    }

    public boolean hasBias() {
        return bias;
    }

    public boolean relu() {
        return relu;
    }

    /** Filter dims: TensorFlow {@code [kernel..., K, C]} or PyTorch {@code [C, K, kernel...]} (O = K, I = C). */
    public int[] filterDims() {
        return filterLayout.filterDims(out.channels(), in.channels(), kernel);
    }

    @Override
    public List<TensorSpec> inputs() {
        return List.of(in.tensor(dtype));
    }

    @Override
    public TensorSpec output() {
        return out.tensor(dtype);
    }

    @Override
    public List<TensorSpec> params() {
        TensorSpec f = new TensorSpec(null, filterLayout, filterDims());
        return bias ? List.of(f, new TensorSpec(null, Layout.X, new int[] {out.channels()})) : List.of(f);
    }

    @Override
    public List<String> paramNames() {
        return bias ? List.of("filter", "bias") : List.of("filter");
    }

    @Override
    public Cost cost() {
        long weights = Math.multiplyExact(Axes.product(kernel), (long) in.channels() * out.channels());
        long macs = Math.multiplyExact(in.elementCount(), Axes.product(kernel) * out.channels());
        return new Cost(weights + (bias ? out.channels() : 0), macs, Math.multiplyExact(macs, 2L), out.elementCount());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConvTransposeSpec s && s.dtype == dtype && s.in.equals(in) && s.out.equals(out)
                && s.filterLayout == filterLayout && Arrays.equals(s.kernel, kernel) && Arrays.equals(s.strides, strides)
                && Arrays.equals(s.dilations, dilations) && s.padding.equals(padding) && s.bias == bias && s.relu == relu;
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, in, out, filterLayout, Arrays.hashCode(kernel), Arrays.hashCode(strides), padding, bias, relu);
    }

    @Override
    public String toString() {
        return describe() + " kernel " + Arrays.toString(kernel) + " strides " + Arrays.toString(strides)
                + " dilations " + Arrays.toString(dilations) + " " + padding + (bias ? " +bias" : "") + (relu ? " +relu" : "");
    }

    /** Builds a {@link ConvTransposeSpec}; unset strides and dilations are 1, padding SAME (TensorFlow's default), dtype F32. */
    public static final class Builder {
        private final Layout layout;
        private int[] inputDims;
        private int[] outputDims;
        private int[] kernel;
        private int[] strides = {1};
        private int[] dilations = {1};
        private Padding padding = Padding.SAME;
        private boolean bias;
        private boolean relu;
        private Layout filterLayout;
        private DType dtype = DType.F32;

        private Builder(Layout layout) {
            this.layout = layout;
        }

        public Builder input(int... dims) {
            this.inputDims = dims.clone();
            return this;
        }

        /** The output dims (layout order), TensorFlow's mandatory {@code output_shape}. */
        public Builder outputShape(int... dims) {
            this.outputDims = dims.clone();
            return this;
        }

        public Builder kernel(int... sizes) {
            this.kernel = sizes.clone();
            return this;
        }

        public Builder strides(int... s) {
            this.strides = s.clone();
            return this;
        }

        public Builder dilations(int... d) {
            this.dilations = d.clone();
            return this;
        }

        public Builder padding(Padding p) {
            this.padding = p;
            return this;
        }

        public Builder bias(boolean b) {
            this.bias = b;
            return this;
        }

        public Builder relu(boolean r) {
            this.relu = r;
            return this;
        }

        public Builder filterLayout(Layout l) {
            this.filterLayout = l;
            return this;
        }

        public Builder dtype(DType t) {
            this.dtype = t;
            return this;
        }

        public ConvTransposeSpec build() {
            return new ConvTransposeSpec(this);
        }
    }
}
