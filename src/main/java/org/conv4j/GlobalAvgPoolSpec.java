package org.conv4j;

import java.util.List;
import java.util.Objects;

/** Mean over all spatial positions of each channel; the output is {@code NC [N, C]}. */
public final class GlobalAvgPoolSpec implements OpSpec {
    private final DType dtype;
    private final ActivationShape in;

    public GlobalAvgPoolSpec(DType dtype, Layout layout, int... dims) {
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.in = ActivationShape.of("input", layout, dims);
        if (in.spatialRank() < 1) {
            throw new IllegalArgumentException("layout: global pooling needs a spatial layout, was " + layout);
        }
    }

    @Override
    public OpKind kind() {
        return OpKind.GLOBAL_AVG_POOL;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    public ActivationShape inputShape() {
        return in;
    }

    @Override
    public List<TensorSpec> inputs() {
        return List.of(in.tensor(dtype));
    }

    @Override
    public TensorSpec output() {
        return new TensorSpec(dtype, Layout.NC, new int[] {in.batch(), in.channels()});
    }

    @Override
    public List<TensorSpec> params() {
        return List.of();
    }

    @Override
    public List<String> paramNames() {
        return List.of();
    }

    @Override
    public Cost cost() {
        return new Cost(0, 0, in.elementCount(), (long) in.batch() * in.channels());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GlobalAvgPoolSpec s && s.dtype == dtype && s.in.equals(in);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, in);
    }

    @Override
    public String toString() {
        return describe();
    }
}
