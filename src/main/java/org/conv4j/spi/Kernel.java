package org.conv4j.spi;

import org.conv4j.Tensor;

/**
 * An engine's prepared computation. The framework checks every tensor against the spec before calling
 * {@link #execute}, which may run on several threads at once.
 */
public interface Kernel extends AutoCloseable {
    /** Computes {@code output} from {@code inputs}; all tensors already validated. */
    void execute(Tensor[] inputs, Tensor output);

    /** Frees what the kernel holds; called once. */
    @Override
    default void close() {
    }
}
