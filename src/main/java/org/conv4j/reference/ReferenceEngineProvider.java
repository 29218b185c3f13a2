package org.conv4j.reference;

import org.conv4j.spi.Engine;
import org.conv4j.spi.EngineProvider;

/** Provides the scalar reference engine; it needs nothing and is always available. */
public final class ReferenceEngineProvider implements EngineProvider {
    public static final String NAME = "reference";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Engine load() {
        return new ReferenceEngine();
    }
}
