package org.conv4j.onednn;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.conv4j.OpSpec;
import org.conv4j.Tensor;
import org.conv4j.spi.Engine;
import org.conv4j.spi.EngineUnavailableException;
import org.conv4j.spi.Kernel;
import org.conv4j.spi.Support;

/**
 * oneDNN forward-inference primitives over the FFM API. It supports what oneDNN runs with an optimised kernel and
 * declines the rest (no implementation, or oneDNN's own reference kernel), so that {@code auto} sends those to
 * another engine; the reason names what oneDNN answered.
 */
public final class OneDnnEngine implements Engine {
    /** Decisions are cached: building a primitive descriptor costs tens of microseconds to milliseconds. */
    private static final int SUPPORT_CACHE_LIMIT = 4096;

    private final OneDnnRuntime runtime;
    private final Map<OpSpec, Support> decisions = new ConcurrentHashMap<>();

    private OneDnnEngine(OneDnnRuntime runtime) {
        this.runtime = runtime;
    }

    static OneDnnEngine load() throws EngineUnavailableException {
        try {
            return new OneDnnEngine(OneDnnRuntime.get());
        } catch (LibraryLoader.LoadFailure e) {
            throw new EngineUnavailableException(e.getMessage(), null, e);
        }
    }

    @Override
    public String name() {
        return OneDnnProvider.NAME;
    }

    @Override
    public int priority() {
        return 300;
    }

    @Override
    public String description() {
        return runtime.describe();
    }

    /**
     * Whether oneDNN runs {@code spec} with an optimised kernel. The answer names the implementation (for example
     * {@code oneDNN brg_conv_fwd:avx512_core}) or why not (for example {@code oneDNN has no implementation}).
     */
    @Override
    public Support supports(OpSpec spec) {
        Support s = decisions.get(spec);
        if (s == null) {
            s = decide(spec);
            if (decisions.size() >= SUPPORT_CACHE_LIMIT) {
                decisions.clear();
            }
            decisions.put(spec, s);
        }
        return s;
    }

    private Support decide(OpSpec spec) {
        try (Resources r = new Resources()) {
            Plans.Plan plan = Plans.build(spec, runtime.engine, r);
            return new Support(true, "oneDNN " + plan.impl());
        } catch (Plans.Unsupported e) {
            return Support.no(e.getMessage());
        } catch (DnnlException e) {
            return Support.no("oneDNN rejected it: " + e.getMessage());
        }
    }

    @Override
    public Kernel prepare(OpSpec spec, Tensor[] params) {
        try {
            return new DnnlKernel(spec, params, runtime.engine);
        } catch (Plans.Unsupported e) {
            throw new IllegalStateException("onednn: " + spec + ": " + e.getMessage());
        }
    }
}
