package org.conv4j;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A 1-D, 2-D or 3-D convolution with TensorFlow semantics ({@code tf.nn.convolution}): per-axis strides and
 * dilations (1 = none), SAME/VALID/explicit padding, groups (depthwise when groups equal the input channels,
 * with a channel multiplier), an optional bias, an optional residual sum and a fused ReLU:
 * {@code output = relu?(conv(input) + bias + residual)}, the sum before the ReLU as in a ResNet unit.
 *
 * <p>Inputs: {@code input}, then, when {@link #hasResidual()}, {@code residual}, a tensor of exactly the output's
 * dtype, layout and dims. The output may be the residual tensor itself (computed in place); any other overlap of
 * output and inputs is rejected.
 *
 * <p>Parameters: {@code filter} in {@link #filterLayout()} with dims {@code [kernel..., C/groups, K]} (HWIO) or
 * {@code [K, C/groups, kernel...]} (OIHW), then {@code bias} {@code X [K]} when {@link #hasBias()}. A TensorFlow
 * depthwise filter {@code [fh, fw, C, multiplier]} has the same bytes as the HWIO filter {@code [fh, fw, 1, C*multiplier]}:
 * output channel {@code c * multiplier + m} reads input channel {@code c}.
 *
 * <pre>{@code
 * ConvSpec spec = ConvSpec.builder(Layout.NHWC).input(1, 56, 56, 64).kernel(3, 3).outChannels(64)
 *         .padding(Padding.SAME).bias(true).relu(true).build();
 * }</pre>
 */
public final class ConvSpec implements OpSpec {
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
    private final int groups;
    private final boolean bias;
    private final boolean residual;
    private final boolean relu;

    private ConvSpec(Builder b) {
        if (b.layout == null || b.inputDims == null) {
            throw new IllegalArgumentException("input: call input(dims...) with the activation dims");
        }
        this.dtype = Objects.requireNonNull(b.dtype, "dtype");
        this.in = ActivationShape.of("input", b.layout, b.inputDims);
        int rank = in.spatialRank();
        if (rank < 1) {
            throw new IllegalArgumentException("layout: convolution needs a spatial layout (NWC, NHWC, NDHWC, NCW, NCHW, NCDHW), was " + b.layout);
        }
        if (b.kernel == null || b.kernel.length != rank) {
            throw new IllegalArgumentException("kernel must have " + rank + " sizes for " + b.layout + ", was "
                    + (b.kernel == null ? "unset" : Arrays.toString(b.kernel)));
        }
        this.kernel = Axes.positive("kernel", b.kernel, rank);
        this.strides = Axes.positive("strides", b.strides, rank);
        this.dilations = Axes.positive("dilations", b.dilations, rank);
        this.padding = Objects.requireNonNull(b.padding, "padding");
        if (padding.axes() >= 0 && padding.axes() != rank) {
            throw new IllegalArgumentException("padding: explicit padding has " + padding.axes() + " axes, the input has " + rank);
        }
        int c = in.channels();
        int groupCount = b.depthwiseMultiplier > 0 ? c : b.groups;
        int k = b.depthwiseMultiplier > 0 ? Math.multiplyExact(c, b.depthwiseMultiplier) : b.outChannels;
        if (k <= 0) {
            throw new IllegalArgumentException("outChannels must be positive, was " + k);
        }
        if (groupCount <= 0) {
            throw new IllegalArgumentException("groups must be positive, was " + groupCount);
        }
        if (c % groupCount != 0) {
            throw new IllegalArgumentException("groups: input channels " + c + " are not divisible by groups " + groupCount);
        }
        if (k % groupCount != 0) {
            throw new IllegalArgumentException("groups: output channels " + k + " are not divisible by groups " + groupCount);
        }
        this.groups = groupCount;
        this.filterLayout = b.filterLayout != null ? b.filterLayout : Layout.filter(rank, in.layout().channelsLast());
        if (filterLayout.kind() != Layout.Kind.FILTER || filterLayout.spatialRank() != rank) {
            throw new IllegalArgumentException("filterLayout must be a " + rank + "-D convolution filter layout (e.g. "
                    + Layout.filter(rank, true) + " or " + Layout.filter(rank, false) + "), was " + filterLayout);
        }
        int[] os = new int[rank];
        padBefore = new int[rank];
        padAfter = new int[rank];
        for (int i = 0; i < rank; i++) {
            int[] r = padding.resolve(Axes.letter(rank, i), i, in.spatial()[i], kernel[i], strides[i], dilations[i]);
            os[i] = r[0];
            padBefore[i] = r[1];
            padAfter[i] = r[2];
        }
        this.out = in.with(in.batch(), k, os);
        this.bias = b.bias;
        this.residual = b.residual;
        this.relu = b.relu;
        out.tensor(dtype);
        cost();
    }

    public static Builder builder(Layout layout) {
        return new Builder(layout);
    }

    /** A 2-D NHWC convolution with HWIO filters, stride and padding on both axes, no dilation, one group. */
    public static ConvSpec conv2d(int n, int h, int w, int c, int outChannels, int kh, int kw, int stride, Padding padding) {
        return builder(Layout.NHWC).input(n, h, w, c).kernel(kh, kw).outChannels(outChannels).strides(stride)
                .padding(padding).build();
    }

    @Override
    public OpKind kind() {
        return OpKind.CONV;
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

    /** TensorFlow dilations: 1 means none. */
    public int[] dilations() {
        return dilations.clone();
    }

    public Padding padding() {
        return padding;
    }

    /** Resolved zero padding before each spatial axis (D, H, W order). */
    public int[] padBefore() {
        return padBefore.clone();
    }

    /** Resolved zero padding after each spatial axis; SAME puts the odd extra cell here. */
    public int[] padAfter() {
        return padAfter.clone();
    }

    public int groups() {
        return groups;
    }

    public int inChannels() {
        return in.channels();
    }

    public int outChannels() {
        return out.channels();
    }

    /** True when every group has one input channel (depthwise convolution). */
    public boolean isDepthwise() {
        return groups > 1 && groups == in.channels();
    }

    public boolean hasBias() {
        return bias;
    }

    /** Whether a residual tensor (the second input, the output's shape) is added before the ReLU. */
    public boolean hasResidual() {
        return residual;
    }

    public boolean relu() {
        return relu;
    }

    /** This spec with the residual sum on or off (everything else equal). */
    public ConvSpec withResidual(boolean on) {
        return on == residual ? this : toBuilder().residual(on).build();
    }

    /** This spec with the fused ReLU on or off (everything else equal). */
    public ConvSpec withRelu(boolean on) {
        return on == relu ? this : toBuilder().relu(on).build();
    }

    /** This spec on tensors of another dtype (everything else equal). */
    public ConvSpec withDType(DType t) {
        return t == dtype ? this : toBuilder().dtype(t).build();
    }

    private Builder toBuilder() {
        return new Builder(in.layout()).input(in.dims()).kernel(kernel).outChannels(out.channels()).strides(strides)
                .dilations(dilations).padding(padding).groups(groups).bias(bias).residual(residual).relu(relu)
                .filterLayout(filterLayout).dtype(dtype);
    }

    /** Filter dims in the filter layout. */
    public int[] filterDims() {
        return filterLayout.filterDims(out.channels(), in.channels() / groups, kernel);
    }

    @Override
    public List<TensorSpec> inputs() {
        return residual ? List.of(in.tensor(dtype), out.tensor(dtype)) : List.of(in.tensor(dtype));
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
        long weights = Math.multiplyExact(Axes.product(kernel), (long) (in.channels() / groups) * out.channels());
        long params = weights + (bias ? out.channels() : 0);
        long outElems = out.elementCount();
        long macs = Math.multiplyExact(outElems, Axes.product(kernel) * (in.channels() / groups));
        // the residual sum is one addition per output element
        long flops = Math.addExact(Math.multiplyExact(macs, 2L), residual ? outElems : 0);
        return new Cost(params, macs, flops, outElems);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConvSpec s && s.dtype == dtype && s.in.equals(in) && s.filterLayout == filterLayout
                && Arrays.equals(s.kernel, kernel) && Arrays.equals(s.strides, strides)
                && Arrays.equals(s.dilations, dilations) && s.padding.equals(padding) && s.groups == groups
                && s.out.channels() == out.channels() && s.bias == bias && s.residual == residual && s.relu == relu;
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, in.layout(), in.batch(), in.channels(), Arrays.hashCode(in.spatial()), out.channels(),
                Arrays.hashCode(kernel), Arrays.hashCode(strides), padding, groups, bias, residual, relu);
    }

    @Override
    public String toString() {
        return describe() + " kernel " + Arrays.toString(kernel) + " strides " + Arrays.toString(strides)
                + " dilations " + Arrays.toString(dilations) + " " + padding + " groups " + groups
                + (bias ? " +bias" : "") + (residual ? " +residual" : "") + (relu ? " +relu" : "");
    }

    /** Builds a {@link ConvSpec}; unset strides and dilations are 1, padding VALID, groups 1, dtype F32. */
    public static final class Builder {
        private final Layout layout;
        private int[] inputDims;
        private int[] kernel;
        private int outChannels;
        private int[] strides = {1};
        private int[] dilations = {1};
        private Padding padding = Padding.VALID;
        private int groups = 1;
        private int depthwiseMultiplier;
        private boolean bias;
        private boolean residual;
        private boolean relu;
        private Layout filterLayout;
        private DType dtype = DType.F32;

        private Builder(Layout layout) {
            this.layout = layout;
        }

        /** Input dims in the builder's layout order, e.g. N, H, W, C for NHWC. */
        public Builder input(int... dims) {
            this.inputDims = dims.clone();
            return this;
        }

        /** Spatial filter sizes, D, H, W order. */
        public Builder kernel(int... sizes) {
            this.kernel = sizes.clone();
            return this;
        }

        /** Number of output channels (filters, K). */
        public Builder outChannels(int k) {
            this.outChannels = k;
            return this;
        }

        /** One stride for every axis, or one per spatial axis. */
        public Builder strides(int... s) {
            this.strides = s.clone();
            return this;
        }

        /** TensorFlow dilation rates (1 = none), one for every axis or one per axis. */
        public Builder dilations(int... d) {
            this.dilations = d.clone();
            return this;
        }

        public Builder padding(Padding p) {
            this.padding = p;
            return this;
        }

        public Builder groups(int g) {
            this.groups = g;
            this.depthwiseMultiplier = 0;
            return this;
        }

        /** Depthwise convolution: groups = input channels, output channels = input channels * multiplier. */
        public Builder depthwise(int multiplier) {
            if (multiplier <= 0) {
                throw new IllegalArgumentException("depthwise multiplier must be positive, was " + multiplier);
            }
            this.depthwiseMultiplier = multiplier;
            return this;
        }

        public Builder bias(boolean b) {
            this.bias = b;
            return this;
        }

        /**
         * Adds a second input, {@code residual}, of the output's dtype, layout and dims, summed into the result
         * after the bias and before the ReLU.
         */
        public Builder residual(boolean r) {
            this.residual = r;
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

        public ConvSpec build() {
            return new ConvSpec(this);
        }
    }
}
