package org.conv4j;

import java.util.List;
import java.util.Objects;

/**
 * A separable convolution ({@code tf.nn.separable_conv2d}): a depthwise convolution with a channel multiplier,
 * then a 1x1 convolution to the output channels. Strides and dilations apply to the depthwise step; as in
 * TensorFlow, a dilation above 1 requires strides of 1. The bias and ReLU, if any, follow the pointwise step.
 *
 * <p>Parameters of {@link #prepare}: the depthwise filter ({@code [kernel..., 1, C*multiplier]} HWIO, or OIHW),
 * the pointwise filter ({@code [1..., C*multiplier, K]}), then the bias {@code X [K]} when requested.
 */
public final class SeparableConvSpec {
    private final ConvSpec depthwise;
    private final ConvSpec pointwise;

    public SeparableConvSpec(ConvSpec depthwise, ConvSpec pointwise) {
        this.depthwise = Objects.requireNonNull(depthwise, "depthwise");
        this.pointwise = Objects.requireNonNull(pointwise, "pointwise");
        if (!depthwise.isDepthwise() && depthwise.inChannels() != 1) {
            throw new IllegalArgumentException("depthwise: must be a depthwise convolution (groups = input channels), was groups "
                    + depthwise.groups());
        }
        if (depthwise.hasBias() || depthwise.relu()) {
            throw new IllegalArgumentException("depthwise: bias and ReLU belong to the pointwise step");
        }
        if (!pointwise.inputShape().equals(depthwise.outputShape())) {
            throw new IllegalArgumentException("pointwise: input " + pointwise.inputShape() + " must equal the depthwise output "
                    + depthwise.outputShape());
        }
        for (int k : pointwise.kernel()) {
            if (k != 1) {
                throw new IllegalArgumentException("pointwise: kernel must be 1x1, was " + java.util.Arrays.toString(pointwise.kernel()));
            }
        }
        if (pointwise.dtype() != depthwise.dtype()) {
            throw new IllegalArgumentException("pointwise: dtype " + pointwise.dtype().id() + " differs from the depthwise "
                    + depthwise.dtype().id());
        }
        boolean dilated = false;
        boolean strided = false;
        for (int d : depthwise.dilations()) {
            dilated |= d > 1;
        }
        for (int s : depthwise.strides()) {
            strided |= s > 1;
        }
        if (dilated && strided) {
            throw new IllegalArgumentException("strides: with a dilation above 1 every stride must be 1, as in tf.nn.separable_conv2d");
        }
    }

    /** Builds both steps from TensorFlow-style arguments. */
    public static SeparableConvSpec of(DType dtype, Layout layout, int[] inputDims, int[] kernel, int multiplier,
            int outChannels, int[] strides, int[] dilations, Padding padding, boolean bias, boolean relu) {
        ConvSpec dw = ConvSpec.builder(layout).input(inputDims).kernel(kernel).depthwise(multiplier).strides(strides)
                .dilations(dilations).padding(padding).dtype(dtype).build();
        int[] ones = new int[kernel.length];
        java.util.Arrays.fill(ones, 1);
        ConvSpec pw = ConvSpec.builder(layout).input(dw.outputShape().dims()).kernel(ones).outChannels(outChannels)
                .bias(bias).relu(relu).dtype(dtype).filterLayout(dw.filterLayout()).build();
        return new SeparableConvSpec(dw, pw);
    }

    public ConvSpec depthwise() {
        return depthwise;
    }

    public ConvSpec pointwise() {
        return pointwise;
    }

    public TensorSpec input() {
        return depthwise.inputs().get(0);
    }

    public TensorSpec output() {
        return pointwise.output();
    }

    public Cost cost() {
        Cost d = depthwise.cost();
        Cost p = pointwise.cost();
        return new Cost(d.parameters() + p.parameters(), d.multiplyAdds() + p.multiplyAdds(), d.flops() + p.flops(),
                p.outputElements());
    }

    /** Prepares both steps on the engines {@code auto} selects. */
    public Operation prepare(Tensor depthwiseFilter, Tensor pointwiseFilter, Tensor... bias) {
        Tensor[] pwParams = new Tensor[1 + (bias == null ? 0 : bias.length)];
        pwParams[0] = pointwiseFilter;
        if (bias != null) {
            System.arraycopy(bias, 0, pwParams, 1, bias.length);
        }
        depthwise.checkParams(depthwiseFilter);
        pointwise.checkParams(pwParams);
        Operation dw = Conv4j.prepare(depthwise, depthwiseFilter);
        try {
            return new Chain(dw, Conv4j.prepare(pointwise, pwParams));
        } catch (RuntimeException e) {
            dw.close();
            throw e;
        }
    }

    /** Depthwise then pointwise through an intermediate tensor per call (shared, so multi-threaded engines can use it). */
    private final class Chain implements Operation {
        private final Operation dw;
        private final Operation pw;

        Chain(Operation dw, Operation pw) {
            this.dw = dw;
            this.pw = pw;
        }

        @Override
        public OpSpec spec() {
            return pointwise;
        }

        @Override
        public String engine() {
            return dw.engine().equals(pw.engine()) ? dw.engine() : dw.engine() + "+" + pw.engine();
        }

        @Override
        public String selection() {
            return "depthwise: " + dw.selection() + "; pointwise: " + pw.selection();
        }

        @Override
        public void apply(List<Tensor> inputs, Tensor output) {
            try (Tensor mid = depthwise.output().allocate(depthwise.dtype())) {
                dw.apply(inputs, mid);
                pw.apply(mid, output);
            }
        }

        @Override
        public void close() {
            try {
                dw.close();
            } finally {
                pw.close();
            }
        }
    }
}
