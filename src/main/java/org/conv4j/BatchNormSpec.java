package org.conv4j;

import java.util.List;
import java.util.Objects;

/**
 * Batch normalisation for inference ({@code tf.nn.batch_normalization} with moving statistics):
 * {@code out = scale * (x - mean) / sqrt(variance + epsilon) + offset} per channel, optionally followed by ReLU.
 * Parameters, each {@code X [C]}: {@code mean}, {@code variance}, {@code scale}, {@code offset}.
 */
public final class BatchNormSpec implements OpSpec {
    private final DType dtype;
    private final ActivationShape shape;
    private final float epsilon;
    private final boolean relu;

    public BatchNormSpec(DType dtype, Layout layout, int[] dims, float epsilon, boolean relu) {
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.shape = ActivationShape.of("input", layout, dims);
        if (!(epsilon >= 0) || !Float.isFinite(epsilon)) {
            throw new IllegalArgumentException("epsilon must be finite and non-negative, was " + epsilon);
        }
        this.epsilon = epsilon;
        this.relu = relu;
    }

    public static BatchNormSpec of(Layout layout, int[] dims, float epsilon) {
        return new BatchNormSpec(DType.F32, layout, dims, epsilon, false);
    }

    @Override
    public OpKind kind() {
        return OpKind.BATCH_NORM;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    public ActivationShape shape() {
        return shape;
    }

    public Layout layout() {
        return shape.layout();
    }

    public float epsilon() {
        return epsilon;
    }

    public boolean relu() {
        return relu;
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
        TensorSpec c = new TensorSpec(null, Layout.X, new int[] {shape.channels()});
        return List.of(c, c, c, c);
    }

    @Override
    public List<String> paramNames() {
        return List.of("mean", "variance", "scale", "offset");
    }

    @Override
    public Cost cost() {
        long n = shape.elementCount();
        return new Cost(4L * shape.channels(), 0, Math.multiplyExact(n, 2L), n);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BatchNormSpec s && s.dtype == dtype && s.shape.equals(shape)
                && Float.compare(s.epsilon, epsilon) == 0 && s.relu == relu;
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, shape, epsilon, relu);
    }

    @Override
    public String toString() {
        return describe() + " epsilon=" + epsilon + (relu ? " +relu" : "");
    }
}
