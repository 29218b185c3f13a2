package org.conv4j;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Max or average pooling with TensorFlow semantics ({@code tf.nn.max_pool}/{@code avg_pool}) over 1 to 3
 * spatial axes: window, strides, SAME/VALID (or explicit) padding. Average pooling divides by the number of real
 * cells in each window; max pooling ignores padded cells.
 *
 * <p>Depth-wise max pooling ({@code tf.nn.max_pool} with {@code ksize [1, 1, 1, d]}): {@link Builder#depthWindow(int)}
 * reduces each run of {@code d} consecutive channels to one; the spatial window and strides must then be 1 and
 * the channel count a multiple of {@code d}, as TensorFlow requires.
 */
public final class PoolSpec implements OpSpec {
    private final PoolKind poolKind;
    private final DType dtype;
    private final ActivationShape in;
    private final ActivationShape out;
    private final int[] window;
    private final int[] strides;
    private final Padding padding;
    private final int[] padBefore;
    private final int[] padAfter;
    private final int depthWindow;

    private PoolSpec(Builder b) {
        this.poolKind = Objects.requireNonNull(b.kind, "kind");
        this.dtype = Objects.requireNonNull(b.dtype, "dtype");
        if (b.layout == null || b.inputDims == null) {
            throw new IllegalArgumentException("input: call input(dims...) with the activation dims");
        }
        this.in = ActivationShape.of("input", b.layout, b.inputDims);
        int rank = in.spatialRank();
        if (rank < 1) {
            throw new IllegalArgumentException("layout: pooling needs a spatial layout, was " + b.layout);
        }
        this.depthWindow = b.depthWindow;
        if (depthWindow < 1) {
            throw new IllegalArgumentException("depthWindow must be positive, was " + depthWindow);
        }
        this.window = Axes.positive("window", b.window == null ? new int[] {1} : b.window, rank);
        if (b.window == null && depthWindow == 1) {
            throw new IllegalArgumentException("window must be given");
        }
        this.strides = Axes.positive("strides", b.strides == null ? window : b.strides, rank);
        this.padding = Objects.requireNonNull(b.padding, "padding");
        if (padding.axes() >= 0 && padding.axes() != rank) {
            throw new IllegalArgumentException("padding: explicit padding has " + padding.axes() + " axes, the input has " + rank);
        }
        int channels = in.channels();
        if (depthWindow > 1) {
            if (poolKind != PoolKind.MAX) {
                throw new IllegalArgumentException("depthWindow: depth-wise pooling is max pooling only, was " + poolKind);
            }
            if (Axes.product(window) != 1 || Axes.product(strides) != 1) {
                throw new IllegalArgumentException("depthWindow: depth-wise pooling needs spatial window and strides 1, was "
                        + Arrays.toString(window) + " / " + Arrays.toString(strides));
            }
            if (channels % depthWindow != 0) {
                throw new IllegalArgumentException("depthWindow: channels " + channels + " are not a multiple of depthWindow " + depthWindow);
            }
            channels /= depthWindow;
        }
        int[] os = new int[rank];
        padBefore = new int[rank];
        padAfter = new int[rank];
        for (int i = 0; i < rank; i++) {
            int[] r = padding.resolve(Axes.letter(rank, i), i, in.spatial()[i], window[i], strides[i], 1);
            os[i] = r[0];
            padBefore[i] = r[1];
            padAfter[i] = r[2];
            if (r[1] >= window[i] || r[2] >= window[i]) {
                throw new IllegalArgumentException("padding on axis " + Axes.letter(rank, i) + " (" + r[1] + ", " + r[2]
                        + ") must be smaller than the window " + window[i] + ", or some windows hold no real cell");
            }
        }
        this.out = in.with(in.batch(), channels, os);
    }

    public static Builder builder(PoolKind kind, Layout layout) {
        return new Builder(kind, layout);
    }

    /** 2-D NHWC pooling with a square window and stride. */
    public static PoolSpec pool2d(PoolKind kind, int n, int h, int w, int c, int window, int stride, Padding padding) {
        return builder(kind, Layout.NHWC).input(n, h, w, c).window(window).strides(stride).padding(padding).build();
    }

    @Override
    public OpKind kind() {
        return OpKind.POOL;
    }

    public PoolKind poolKind() {
        return poolKind;
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

    public int spatialRank() {
        return window.length;
    }

    public int[] window() {
        return window.clone();
    }

    public int[] strides() {
        return strides.clone();
    }

    public Padding padding() {
        return padding;
    }

    public int[] padBefore() {
        return padBefore.clone();
    }

    public int[] padAfter() {
        return padAfter.clone();
    }

    /** Channels reduced together by depth-wise max pooling; 1 for spatial pooling. */
    public int depthWindow() {
        return depthWindow;
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
        return List.of();
    }

    @Override
    public List<String> paramNames() {
        return List.of();
    }

    @Override
    public Cost cost() {
        long perOut = Axes.product(window) * depthWindow;
        return new Cost(0, 0, Math.multiplyExact(out.elementCount(), perOut), out.elementCount());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PoolSpec s && s.poolKind == poolKind && s.dtype == dtype && s.in.equals(in)
                && Arrays.equals(s.window, window) && Arrays.equals(s.strides, strides) && s.padding.equals(padding)
                && s.depthWindow == depthWindow;
    }

    @Override
    public int hashCode() {
        return Objects.hash(poolKind, dtype, in, Arrays.hashCode(window), Arrays.hashCode(strides), padding, depthWindow);
    }

    @Override
    public String toString() {
        return describe() + " " + poolKind + " window " + Arrays.toString(window) + " strides " + Arrays.toString(strides)
                + " " + padding + (depthWindow > 1 ? " depthWindow " + depthWindow : "");
    }

    /** Builds a {@link PoolSpec}; strides default to the window, padding to VALID, dtype to F32. */
    public static final class Builder {
        private final PoolKind kind;
        private final Layout layout;
        private int[] inputDims;
        private int[] window;
        private int[] strides;
        private Padding padding = Padding.VALID;
        private int depthWindow = 1;
        private DType dtype = DType.F32;

        private Builder(PoolKind kind, Layout layout) {
            this.kind = kind;
            this.layout = layout;
        }

        public Builder input(int... dims) {
            this.inputDims = dims.clone();
            return this;
        }

        /** Window size, one for every axis or one per spatial axis. */
        public Builder window(int... w) {
            this.window = w.clone();
            return this;
        }

        public Builder strides(int... s) {
            this.strides = s.clone();
            return this;
        }

        public Builder padding(Padding p) {
            this.padding = p;
            return this;
        }

        /** Depth-wise max pooling over runs of {@code d} channels (TensorFlow ksize {@code [1, 1, 1, d]}). */
        public Builder depthWindow(int d) {
            this.depthWindow = d;
            return this;
        }

        public Builder dtype(DType t) {
            this.dtype = t;
            return this;
        }

        public PoolSpec build() {
            return new PoolSpec(this);
        }
    }
}
