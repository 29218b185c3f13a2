package org.conv4j;

import java.util.List;
import java.util.Objects;

/**
 * A fully connected layer: {@code NC [N, in] -> NC [N, out]}, {@code y = x W + b}, optionally followed by ReLU.
 * Parameters: {@code weights} as {@code IO [in, out]} (TensorFlow) or {@code OI [out, in]} (PyTorch), then
 * {@code bias X [out]} when {@link #hasBias()}. To feed a spatial activation, view it as {@code NC} with
 * {@link Tensor#view(Layout, int...)} (a flatten in memory order).
 */
public final class DenseSpec implements OpSpec {
    private final DType dtype;
    private final int batch;
    private final int inFeatures;
    private final int outFeatures;
    private final Layout weightLayout;
    private final boolean bias;
    private final boolean relu;

    public DenseSpec(DType dtype, int batch, int inFeatures, int outFeatures, Layout weightLayout, boolean bias, boolean relu) {
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must be positive, was " + batch);
        }
        if (inFeatures <= 0) {
            throw new IllegalArgumentException("inFeatures must be positive, was " + inFeatures);
        }
        if (outFeatures <= 0) {
            throw new IllegalArgumentException("outFeatures must be positive, was " + outFeatures);
        }
        if (weightLayout != Layout.IO && weightLayout != Layout.OI) {
            throw new IllegalArgumentException("weightLayout must be IO or OI, was " + weightLayout);
        }
        this.batch = batch;
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weightLayout = weightLayout;
        this.bias = bias;
        this.relu = relu;
        Math.multiplyExact((long) inFeatures, (long) outFeatures);
    }

    /** F32, TensorFlow weights (IO). */
    public static DenseSpec of(int batch, int inFeatures, int outFeatures, boolean bias) {
        return new DenseSpec(DType.F32, batch, inFeatures, outFeatures, Layout.IO, bias, false);
    }

    @Override
    public OpKind kind() {
        return OpKind.DENSE;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    public int batch() {
        return batch;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    public Layout weightLayout() {
        return weightLayout;
    }

    public boolean hasBias() {
        return bias;
    }

    public boolean relu() {
        return relu;
    }

    @Override
    public List<TensorSpec> inputs() {
        return List.of(new TensorSpec(dtype, Layout.NC, new int[] {batch, inFeatures}));
    }

    @Override
    public TensorSpec output() {
        return new TensorSpec(dtype, Layout.NC, new int[] {batch, outFeatures});
    }

    @Override
    public List<TensorSpec> params() {
        TensorSpec w = new TensorSpec(null, weightLayout, weightLayout == Layout.IO
                ? new int[] {inFeatures, outFeatures} : new int[] {outFeatures, inFeatures});
        return bias ? List.of(w, new TensorSpec(null, Layout.X, new int[] {outFeatures})) : List.of(w);
    }

    @Override
    public List<String> paramNames() {
        return bias ? List.of("weights", "bias") : List.of("weights");
    }

    @Override
    public Cost cost() {
        long w = (long) inFeatures * outFeatures;
        long macs = Math.multiplyExact(w, (long) batch);
        return new Cost(w + (bias ? outFeatures : 0), macs, Math.multiplyExact(macs, 2L), (long) batch * outFeatures);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DenseSpec s && s.dtype == dtype && s.batch == batch && s.inFeatures == inFeatures
                && s.outFeatures == outFeatures && s.weightLayout == weightLayout && s.bias == bias && s.relu == relu;
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, batch, inFeatures, outFeatures, weightLayout, bias, relu);
    }

    @Override
    public String toString() {
        return describe() + " weights " + weightLayout + (bias ? " +bias" : "") + (relu ? " +relu" : "");
    }
}
