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
