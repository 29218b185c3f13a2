package org.conv4j;

import java.util.List;
import org.conv4j.spi.EngineRegistry;
import org.conv4j.spi.Kernel;

/**
 * The entry point: prepares operations on the engine chosen at run time, and tells what engines exist.
 *
 * <pre>{@code
 * ConvSpec spec = ConvSpec.conv2d(1, 56, 56, 64, 64, 3, 3, 1, Padding.SAME);
 * try (Tensor x = Tensor.allocate(DType.F32, Layout.NHWC, 1, 56, 56, 64);
 *      Tensor w = Tensor.allocate(DType.F32, Layout.HWIO, 3, 3, 64, 64);
 *      Tensor y = spec.output().allocate(DType.F32);
 *      Operation conv = spec.prepare(w)) {
 *     conv.apply(x, y);
 * }
 * }</pre>
 */
public final class Conv4j {
    /** System property for the intra-op thread count of every engine. */
    public static final String THREADS_PROPERTY = "conv4j.threads";
    /** Environment variable for the thread count when the property is not set. */
    public static final String THREADS_ENV = "CONV4J_THREADS";

    private Conv4j() {
    }

    /** Prepares {@code spec} on the engine that {@code auto} (or {@code conv4j.engine}) selects. */
    public static Operation prepare(OpSpec spec, Tensor... params) {
        check(spec, params);
        return bind(spec, EngineRegistry.get().select(spec), params);
    }

    /** Prepares {@code spec} on the named engine ({@code "auto"} for automatic selection). */
    public static Operation prepare(OpSpec spec, String engine, Tensor... params) {
        check(spec, params);
        return bind(spec, EngineRegistry.get().select(spec, engine), params);
    }

    private static void check(OpSpec spec, Tensor[] params) {
        if (spec == null) {
            throw new IllegalArgumentException("spec: is null");
        }
        spec.checkParams(params);
    }

    private static Operation bind(OpSpec spec, EngineRegistry.Selection sel, Tensor[] params) {
        Kernel k = sel.engine().prepare(spec, params.clone());
        return new PreparedOperation(spec, sel.engine().name(), sel.reason(), k);
    }

    /** Every engine found, with availability and the reason, highest priority first. */
    public static List<EngineRegistry.EngineStatus> engines() {
        return EngineRegistry.get().engines();
    }

    /**
     * Intra-op threads every engine uses: {@code conv4j.threads}, else {@code CONV4J_THREADS}, else the available
     * processors.
     */
    public static int threads() {
        String v = System.getProperty(THREADS_PROPERTY);
        String source = THREADS_PROPERTY;
        if (v == null || v.isBlank()) {
            v = System.getenv(THREADS_ENV);
            source = THREADS_ENV;
        }
        if (v == null || v.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + " must be a positive integer, was '" + v + "'");
        }
    }
}
