package org.conv4j;

import java.util.List;
import java.util.Objects;

/** Softmax along the channel axis of an activation (for class scores, {@code NC [N, classes]}). */
public final class SoftmaxSpec implements OpSpec {
    private final DType dtype;
    private final ActivationShape shape;

    public SoftmaxSpec(DType dtype, Layout layout, int... dims) {
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.shape = ActivationShape.of("input", layout, dims);
    }

    @Override
    public OpKind kind() {
        return OpKind.SOFTMAX;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    public ActivationShape shape() {
        return shape;
    }

    @Override
    public List<TensorSpec> inputs() {
        return List.of(shape.tensor(dtype));
    }

    @Override
    public TensorSpec output() {
        return shape.tensor(dtype);
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
        long n = shape.elementCount();
        return new Cost(0, 0, Math.multiplyExact(n, 4L), n);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SoftmaxSpec s && s.dtype == dtype && s.shape.equals(shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, shape);
    }

    @Override
    public String toString() {
        return describe();
    }
}
