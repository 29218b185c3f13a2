package org.conv4j.spi;

import org.conv4j.OpSpec;
import org.conv4j.Tensor;

/** A loaded engine: tells which specs it runs well and prepares kernels for them. */
public interface Engine {
    String name();

    int priority();

    /** One line about the implementation, e.g. versions and the SIMD width in use. */
    String description();

    /**
     * Whether this engine runs {@code spec}, and why not. An engine declines what it would run badly (for example a
     * native reference kernel), so that {@code auto} sends it elsewhere.
     */
    Support supports(OpSpec spec);

    /**
     * Prepares a kernel. {@code spec} was built valid and {@code params} were checked against
     * {@link OpSpec#params()}; they are alive only during this call, so the kernel must copy what it keeps.
     */
    Kernel prepare(OpSpec spec, Tensor[] params);
}
