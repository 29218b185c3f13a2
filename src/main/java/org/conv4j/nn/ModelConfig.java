package org.conv4j.nn;

import java.util.Objects;
import org.conv4j.DType;
import org.conv4j.Layout;

/** Input size, class count, batch, activation dtype and layout of a network built by {@link Architectures}. */
public record ModelConfig(int batch, int height, int width, int channels, int classes, DType dtype, Layout layout) {
    public ModelConfig {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(layout, "layout");
        check("batch", batch);
        check("height", height);
        check("width", width);
        check("channels", channels);
        check("classes", classes);
        if (layout != Layout.NHWC && layout != Layout.NCHW) {
            throw new IllegalArgumentException("layout must be NHWC or NCHW, was " + layout);
        }
    }

    private static void check(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + v);
        }
    }

    /** Batch 1, f32, NHWC. */
    public static ModelConfig of(int height, int width, int channels, int classes) {
        return new ModelConfig(1, height, width, channels, classes, DType.F32, Layout.NHWC);
    }

    public ModelConfig withBatch(int n) {
        return new ModelConfig(n, height, width, channels, classes, dtype, layout);
    }

    public ModelConfig withSize(int h, int w) {
        return new ModelConfig(batch, h, w, channels, classes, dtype, layout);
    }

    public ModelConfig withClasses(int k) {
        return new ModelConfig(batch, height, width, channels, k, dtype, layout);
    }

    public ModelConfig withDType(DType t) {
        return new ModelConfig(batch, height, width, channels, classes, t, layout);
    }

    public ModelConfig withLayout(Layout l) {
        return new ModelConfig(batch, height, width, channels, classes, dtype, l);
    }

    /** Input dims in the layout's order. */
    public int[] inputDims() {
        return layout.activationDims(batch, channels, height, width);
    }
}
