package org.conv4j.onednn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.conv4j.ConcatSpec;
import org.conv4j.Conv4j;
import org.conv4j.ConvSpec;
import org.conv4j.DType;
import org.conv4j.Layout;
import org.conv4j.Operation;
import org.conv4j.Padding;
import org.conv4j.Tensor;
import org.conv4j.spi.EngineRegistry;
import org.conv4j.spi.Support;
import org.junit.jupiter.api.Test;

/** {@code auto} picks oneDNN where it has an optimised kernel, and passes over it where it has none. */
class OneDnnSelectionTest {
    static ConvSpec conv(DType t) {
        return ConvSpec.builder(Layout.NHWC).input(1, 28, 28, 64).kernel(3, 3).outChannels(64).padding(Padding.SAME)
                .bias(true).relu(true).dtype(t).build();
    }

    static EngineRegistry.EngineStatus onednn() {
        return Conv4j.engines().stream().filter(s -> s.name().equals("onednn")).findFirst().orElseThrow();
    }

    @Test
    void isAvailableWithVersionAndThreads() {
        EngineRegistry.EngineStatus s = onednn();
        assertTrue(s.available(), s.detail());
        assertEquals(300, s.priority());
        assertTrue(s.detail().startsWith("oneDNN 3."), s.detail());
        assertTrue(s.detail().contains("OpenMP threads"), s.detail());
    }

    @Test
    void autoChoosesOneDnnForF32AndBf16Convolution() {
        for (DType t : new DType[] {DType.F32, DType.BF16}) {
            ConvSpec spec = conv(t);
            try (Tensor w = spec.params().get(0).allocate(t);
                 Tensor b = spec.params().get(1).allocate(t);
                 Operation op = Conv4j.prepare(spec, w, b)) {
                assertEquals("onednn", op.engine(), t + ": " + op.selection());
            }
            Support s = onednn().engine().supports(spec);
            assertTrue(s.supported());
            assertFalse(s.reason().contains("ref"), s.reason());
        }
    }

    @Test
    void autoChoosesOneDnnForF32AndBf16ResidualConvolution() {
        // ResNet's units: a 3x3 convolution (basic unit) and a 1x1 expansion (bottleneck), each + residual + ReLU.
        // The residual is a sum post-op before the ReLU; oneDNN must run it on an optimised kernel.
        for (DType t : new DType[] {DType.F32, DType.BF16}) {
            for (int k : new int[] {3, 1}) {
                ConvSpec spec = ConvSpec.builder(Layout.NHWC).input(1, 28, 28, 64).kernel(k, k).outChannels(k == 1 ? 256 : 64)
                        .padding(Padding.SAME).bias(true).residual(true).relu(true).dtype(t).build();
                try (Tensor w = spec.params().get(0).allocate(t);
                     Tensor b = spec.params().get(1).allocate(t);
                     Operation op = Conv4j.prepare(spec, w, b)) {
                    assertEquals("onednn", op.engine(), t + ": " + op.selection());
                }
                Support s = onednn().engine().supports(spec);
                assertTrue(s.supported(), s.reason());
                assertFalse(s.reason().contains("ref"), s.reason());
                System.out.println("residual conv " + k + "x" + k + " " + t.id() + ": " + s.reason());
            }
        }
    }

    @Test
    void declinesF16ConvolutionSoAutoGoesElsewhere() {
        ConvSpec spec = conv(DType.F16);
        Support s = onednn().engine().supports(spec);
        assertFalse(s.supported());
        assertTrue(s.reason().contains("unimplemented"), s.reason());
        EngineRegistry.Selection sel = EngineRegistry.get().select(spec, "auto");
        assertNotEquals("onednn", sel.engine().name());
        assertTrue(sel.reason().contains("onednn declined"), sel.reason());
    }

    @Test
    void declinesWhatWouldRunOnAReferenceKernel() {
        // oneDNN 3.13 concatenates f16 with its reference kernel only (ref:any) on this kind of CPU.
        ConcatSpec spec = new ConcatSpec(DType.F16, Layout.NHWC, new int[] {1, 4, 4, 3}, 3, 5);
        Support s = onednn().engine().supports(spec);
        assertFalse(s.supported());
        assertTrue(s.reason().contains("reference kernel 'ref"), s.reason());
        assertNotEquals("onednn", EngineRegistry.get().select(spec, "auto").engine().name());
    }
}
