package org.conv4j.onednn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.conv4j.Conv4j;
import org.conv4j.ConvSpec;
import org.conv4j.DType;
import org.conv4j.Operation;
import org.conv4j.Padding;
import org.conv4j.Tensor;
import org.conv4j.spi.EngineRegistry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs in the surefire execution {@code no-flags} (no {@code --enable-native-access}): the oneDNN engine is
 * unavailable with the flag as hint, and {@code auto} falls back without touching native code.
 */
class NoFlagsFallbackTest {
    @BeforeAll
    static void onlyWithoutFlags() {
        Assumptions.assumeTrue(Boolean.getBoolean("conv4j.test.noFlags"), "runs in the no-flags surefire execution");
    }

    @Test
    void oneDnnIsUnavailableWithTheFlagAsHint() {
        EngineRegistry.EngineStatus s = Conv4j.engines().stream().filter(e -> e.name().equals("onednn"))
                .findFirst().orElseThrow();
        assertFalse(s.available());
        assertTrue(s.detail().contains("native access"), s.detail());
        assertEquals(OneDnnProvider.NATIVE_ACCESS_HINT, s.hint());
    }

    @Test
    void autoFallsBack() {
        ConvSpec spec = ConvSpec.conv2d(1, 5, 5, 3, 4, 3, 3, 1, Padding.SAME);
        try (Tensor w = spec.params().get(0).allocate(DType.F32);
             Tensor x = spec.inputs().get(0).allocate(DType.F32);
             Tensor y = spec.output().allocate(DType.F32);
             Operation op = Conv4j.prepare(spec, w)) {
            op.apply(x, y);
            assertNotEquals("onednn", op.engine());
        }
    }
}
