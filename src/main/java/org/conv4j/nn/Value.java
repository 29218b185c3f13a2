package org.conv4j.nn;

import org.conv4j.TensorSpec;

/**
 * A symbolic activation in a {@link Graph}: the input, or the output of one layer. {@code id} orders values by
 * definition; {@code producer} names the layer that writes it ({@code "input"} for the graph input).
 */
public record Value(int id, String producer, TensorSpec spec) {
    /** Bytes of this activation when stored as the spec's dtype. */
    public long byteSize() {
        return spec.byteSize(spec.dtype());
    }

    public int[] dims() {
        return spec.dims();
    }

    @Override
    public String toString() {
        return producer + ":" + spec.describe();
    }
}
