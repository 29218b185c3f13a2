package org.conv4j;

import java.util.List;
import java.util.Objects;

/** Element-wise sum of two tensors of the same shape (a residual connection), optionally followed by ReLU. */
public final class AddSpec implements OpSpec {
    private final DType dtype;
    private final ActivationShape shape;
    private final boolean relu;

    public AddSpec(DType dtype, Layout layout, int[] dims, boolean relu) {
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.shape = ActivationShape.of("input", layout, dims);
        this.relu = relu;
    }

    @Override
    public OpKind kind() {
        return OpKind.ADD;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    public ActivationShape shape() {
        return shape;
    }

    public boolean relu() {
        return relu;
    }

    @Override
    public List<TensorSpec> inputs() {
        TensorSpec t = shape.tensor(dtype);
        return List.of(t, t);
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
        return new Cost(0, 0, n, n);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddSpec s && s.dtype == dtype && s.shape.equals(shape) && s.relu == relu;
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, shape, relu);
    }

    @Override
    public String toString() {
        return describe() + (relu ? " +relu" : "");
    }
}
