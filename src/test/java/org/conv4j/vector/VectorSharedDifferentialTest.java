package org.conv4j.vector;

import org.conv4j.testing.Differential;
import org.conv4j.testing.RandomSpecs;
import org.junit.jupiter.api.Test;

/**
 * The project-wide differential test for the vector engine: the shared generator's cases (every op kind and
 * dtype, the trap flavours cycled) through {@code Conv4j.prepare(spec, "vector", ...)}, with the shared tolerances
 * of {@link Differential}. The engine runs at the platform width and {@code Conv4j.threads()} threads.
 */
class VectorSharedDifferentialTest {
    @Test
    void sharedRandomCasesAgreeWithReference() {
        VectorTests.assumeVectorModule();
        int n = Integer.getInteger("conv4j.test.cases", 2000);
        Differential.assertAgrees(RandomSpecs.generate(Long.getLong("conv4j.test.seed", 31L), n), "vector", n);
    }
}
