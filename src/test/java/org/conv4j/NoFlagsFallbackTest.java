package org.conv4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs in the surefire execution {@code no-flags}: a JVM started without {@code --add-modules jdk.incubator.vector}
 * and without {@code --enable-native-access}. conv4j must still work there, on whatever engines can.
 */
class NoFlagsFallbackTest {
    @BeforeAll
    static void onlyWithoutFlags() {
        Assumptions.assumeTrue(Boolean.getBoolean("conv4j.test.noFlags"), "runs in the no-flags surefire execution");
    }

    @Test
    void theVectorModuleIsReallyAbsent() {
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty());
    }

    @Test
    void operationsStillRunAndAgreeWithHandResults() {
        ConvSpec spec = ConvSpec.conv2d(1, 3, 3, 1, 1, 2, 2, 1, Padding.VALID);
        try (Tensor w = Tensor.of(new float[] {1, 0, 0, -1}, Layout.HWIO, 2, 2, 1, 1);
             Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, Layout.NHWC, 1, 3, 3, 1);
             Tensor y = spec.output().allocate(DType.F32);
             Operation op = spec.prepare(w)) {
            op.apply(x, y);
            assertArrayEquals(new float[] {-4, -4, -4, -4}, y.toFloatArray());
            assertTrue(Conv4j.engines().stream().anyMatch(s -> s.name().equals(op.engine()) && s.available()));
        }
    }

    @Test
    void vectorEngineIsUnavailableNamesTheFlagAndAutoFallsBack() {
        org.conv4j.spi.EngineRegistry.EngineStatus v = Conv4j.engines().stream()
                .filter(s -> s.name().equals("vector")).findFirst().orElseThrow();
        assertTrue(!v.available(), "vector engine must be unavailable without the module");
        assertTrue(v.detail().contains("jdk.incubator.vector"), v.detail());
        assertTrue(v.hint() != null && v.hint().contains("--add-modules jdk.incubator.vector"), String.valueOf(v.hint()));
        ReluSpec spec = new ReluSpec(DType.F32, Layout.NC, 1, 3);
        try (Tensor x = Tensor.of(new float[] {-1, 0, 2}, Layout.NC, 1, 3);
             Tensor y = spec.output().allocate(DType.F32);
             Operation op = spec.prepare()) {
            op.apply(x, y);
            assertArrayEquals(new float[] {0, 0, 2}, y.toFloatArray());
            assertTrue(!op.engine().equals("vector"), op.engine());
            assertTrue(op.selection().contains("vector unavailable"), op.selection());
        }
    }
}
