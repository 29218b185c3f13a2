package org.conv4j;

import java.util.List;

/**
 * A prepared operation: a spec with its parameters, bound to one engine, ready to run many times. Preparing packs
 * weights or builds native primitives once; {@link #apply} then only computes. Parameters are read while
 * preparing: the operation keeps its own copy, so the caller may free them afterwards.
 *
 * <p>{@code apply} may be called from several threads at once. Every call checks its tensors against the spec
 * (dtype, layout, shape, live memory, no overlap between output and inputs except an element-wise operation
 * writing in place, or a residual convolution writing into exactly its residual tensor) before the engine sees
 * them.
 */
public interface Operation extends AutoCloseable {
    OpSpec spec();

    /** Name of the engine that runs this operation ({@code reference}, {@code vector}, {@code onednn}). */
    String engine();

    /** Why that engine was chosen, e.g. {@code auto: onednn (priority 300) supports conv f32}. */
    String selection();

    /** Runs a single-input operation. */
    default void apply(Tensor input, Tensor output) {
        apply(List.of(input), output);
    }

    /** Runs the operation on {@code inputs} (in {@link OpSpec#inputs()} order), writing {@code output}. */
    void apply(List<Tensor> inputs, Tensor output);

    /** Frees packed weights and native resources. Idempotent; applying afterwards throws {@link IllegalStateException}. */
    @Override
    void close();
}
