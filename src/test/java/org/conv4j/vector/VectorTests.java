package org.conv4j.vector;

import org.junit.jupiter.api.Assumptions;

/** Shared test guards. */
final class VectorTests {
    private VectorTests() {
    }

    /** Skips a test in the no-flags run, where jdk.incubator.vector is absent. */
    static void assumeVectorModule() {
        Assumptions.assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "jdk.incubator.vector is not in the module graph (the no-flags run)");
    }
}
