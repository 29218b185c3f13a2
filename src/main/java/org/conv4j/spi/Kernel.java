package org.conv4j.spi;

import org.conv4j.Tensor;

/**
 * An engine's prepared computation. The framework checks every tensor against the spec before calling
 * {@link #execute}, which may run on several threads at once.
 */
public interface Kernel extends AutoCloseable {
    /** Computes {@code output} from {@code inputs}; all tensors already validated. */
    void execute(Tensor[] inputs, Tensor output);

    /**
     * Computes {@code output} from the one input of a single-input operation; already validated. The default wraps
     * the input in an array; kernels whose per-call cost matters override it to skip that allocation.
     */
    default void executeSingle(Tensor input, Tensor output) {
        execute(new Tensor[] {input}, output);
    }

    /** Frees what the kernel holds; called once. */
    @Override
    default void close() {
    }
}
