package org.conv4j;

import java.util.List;
import java.util.Objects;

/**
 * Local response normalisation across channels with TensorFlow's parameters ({@code tf.nn.local_response_normalization}):
 * {@code out = x / (bias + alpha * sum(x[c - r .. c + r]^2))^beta}. TensorFlow does not divide alpha by the window
 * size {@code 2r + 1}; PyTorch, ONNX and oneDNN do: {@link #fromAveraged} converts.
 */
public final class LrnSpec implements OpSpec {
    private final DType dtype;
    private final ActivationShape shape;
    private final int depthRadius;
    private final float bias;
    private final float alpha;
    private final float beta;

    /**
     * @param layout any activation layout; normalisation runs along its C axis
     * @param dims   activation dims in layout order
     */
    public LrnSpec(DType dtype, Layout layout, int[] dims, int depthRadius, float bias, float alpha, float beta) {
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.shape = ActivationShape.of("input", layout, dims);
        if (depthRadius < 0) {
            throw new IllegalArgumentException("depthRadius must be non-negative, was " + depthRadius);
        }
        if (!Float.isFinite(bias) || !Float.isFinite(alpha) || !Float.isFinite(beta)) {
            throw new IllegalArgumentException("bias, alpha and beta must be finite, were " + bias + ", " + alpha + ", " + beta);
        }
        if (bias <= 0 && alpha >= 0) {
            throw new IllegalArgumentException("bias must be positive, was " + bias);
        }
        this.depthRadius = depthRadius;
        this.bias = bias;
        this.alpha = alpha;
        this.beta = beta;
    }

    /** F32 LRN with TensorFlow parameters. */
    public static LrnSpec of(Layout layout, int[] dims, int depthRadius, float bias, float alpha, float beta) {
        return new LrnSpec(DType.F32, layout, dims, depthRadius, bias, alpha, beta);
    }

    /**
     * From the PyTorch/ONNX/oneDNN convention ({@code size} channels, alpha divided by size): radius (size-1)/2 and
     * TensorFlow alpha = alpha / size. Only odd sizes have a centred window.
     */
    public static LrnSpec fromAveraged(DType dtype, Layout layout, int[] dims, int size, float k, float alphaOverSize, float beta) {
        if (size <= 0 || size % 2 == 0) {
            throw new IllegalArgumentException("size must be a positive odd number, was " + size);
        }
        return new LrnSpec(dtype, layout, dims, (size - 1) / 2, k, alphaOverSize / size, beta);
    }

    @Override
    public OpKind kind() {
        return OpKind.LRN;
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

    public int depthRadius() {
        return depthRadius;
    }

    public float bias() {
        return bias;
    }

    /** TensorFlow alpha: not divided by the window size. */
    public float alpha() {
        return alpha;
    }

    public float beta() {
        return beta;
    }

    /** Window size {@code 2r + 1}. */
    public int windowSize() {
        return 2 * depthRadius + 1;
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
        return new Cost(0, 0, Math.multiplyExact(n, 2L * windowSize() + 4), n);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LrnSpec s && s.dtype == dtype && s.shape.equals(shape) && s.depthRadius == depthRadius
                && Float.compare(s.bias, bias) == 0 && Float.compare(s.alpha, alpha) == 0 && Float.compare(s.beta, beta) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, shape, depthRadius, bias, alpha, beta);
    }

    @Override
    public String toString() {
        return describe() + " r=" + depthRadius + " bias=" + bias + " alpha=" + alpha + " beta=" + beta;
    }
}
