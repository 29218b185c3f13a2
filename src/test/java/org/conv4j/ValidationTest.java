package org.conv4j;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad input is rejected with an exception that names the parameter and its value. */
class ValidationTest {
    private static void rejects(Class<? extends Exception> type, Executable e, String... mustMention) {
        Exception ex = assertThrows(type, e);
        for (String m : mustMention) {
            assertTrue(ex.getMessage().contains(m), "message '" + ex.getMessage() + "' should mention '" + m + "'");
        }
    }

    private static ConvSpec.Builder conv() {
        return ConvSpec.builder(Layout.NHWC).input(1, 8, 8, 3).kernel(3, 3).outChannels(4);
    }

    @Test
    void nonPositiveSizesAndStrides() {
        rejects(IllegalArgumentException.class, () -> ConvSpec.builder(Layout.NHWC).input(1, 0, 8, 3).kernel(3, 3)
                .outChannels(4).build(), "dims[1]", "axis H", "0");
        rejects(IllegalArgumentException.class, () -> conv().strides(0).build(), "strides[0]", "0");
        rejects(IllegalArgumentException.class, () -> conv().strides(1, -2).build(), "strides[1]", "-2");
        rejects(IllegalArgumentException.class, () -> conv().kernel(3, 0).build(), "kernel[1]", "0");
        rejects(IllegalArgumentException.class, () -> conv().dilations(0).build(), "dilations[0]", "0");
        rejects(IllegalArgumentException.class, () -> conv().outChannels(0).build(), "outChannels", "0");
        rejects(IllegalArgumentException.class, () -> conv().groups(2).build(), "groups", "3", "2");
        rejects(IllegalArgumentException.class, () -> PoolSpec.builder(PoolKind.MAX, Layout.NHWC).input(1, 4, 4, 1)
                .window(2).strides(0).build(), "strides[0]", "0");
        rejects(IllegalArgumentException.class, () -> Tensor.allocate(DType.F32, Layout.NHWC, 1, 2, -3, 1), "dims[2]", "-3");
        rejects(IllegalArgumentException.class, () -> new LrnSpec(DType.F32, Layout.NHWC, new int[] {1, 1, 1, 3}, -1,
                1f, 1f, 1f), "depthRadius", "-1");
        rejects(IllegalArgumentException.class, () -> DenseSpec.of(1, 0, 3, false), "inFeatures", "0");
    }

    @Test
    void kernelRankMustMatchTheLayout() {
        rejects(IllegalArgumentException.class, () -> conv().kernel(3).build(), "kernel", "2");
        rejects(IllegalArgumentException.class, () -> ConvSpec.builder(Layout.NC).input(1, 3).kernel(1).outChannels(1)
                .build(), "layout", "NC");
    }

    @Test
    void validWithAFilterLargerThanTheInputIsANegativeDimension() {
        rejects(IllegalArgumentException.class, () -> ConvSpec.conv2d(1, 4, 4, 1, 1, 5, 5, 1, Padding.VALID),
                "VALID", "negative dimension size", "axis H", "5", "4");
        // dilation makes a 3-tap filter span 7 cells
        rejects(IllegalArgumentException.class, () -> conv().input(1, 6, 6, 3).dilations(3).padding(Padding.VALID)
                .build(), "negative dimension size", "7");
        // under SAME the same filter is fine
        conv().input(1, 2, 2, 3).kernel(5, 5).padding(Padding.SAME).build();
    }

    @Test
    void channelMismatchBetweenInputAndFilter() {
        ConvSpec spec = conv().build();
        try (Tensor wrongIn = Tensor.allocate(DType.F32, Layout.HWIO, 3, 3, 5, 4)) {
            rejects(IllegalArgumentException.class, () -> spec.prepare(wrongIn), "filter", "axis I is 5 but must be 3");
        }
        try (Tensor wrongLayout = Tensor.allocate(DType.F32, Layout.OIHW, 4, 3, 3, 3)) {
            rejects(IllegalArgumentException.class, () -> spec.prepare(wrongLayout), "filter", "layout is OIHW", "HWIO");
        }
        rejects(IllegalArgumentException.class, spec::prepare, "params", "filter", "got 0");
    }

    @Test
    void dtypeLayoutAndShapeMismatchesAtApply() {
        ConvSpec spec = conv().padding(Padding.SAME).build();
        try (Tensor w = Tensor.allocate(DType.F32, Layout.HWIO, 3, 3, 3, 4);
             Operation op = spec.prepare(w);
             Tensor good = Tensor.allocate(DType.F32, Layout.NHWC, 1, 8, 8, 3);
             Tensor out = Tensor.allocate(DType.F32, Layout.NHWC, 1, 8, 8, 4);
             Tensor half = Tensor.allocate(DType.F16, Layout.NHWC, 1, 8, 8, 3);
             Tensor nchw = Tensor.allocate(DType.F32, Layout.NCHW, 1, 3, 8, 8);
             Tensor wrongOut = Tensor.allocate(DType.F32, Layout.NHWC, 1, 8, 7, 4)) {
            rejects(IllegalArgumentException.class, () -> op.apply(half, out), "input", "dtype is f16", "f32");
            rejects(IllegalArgumentException.class, () -> op.apply(nchw, out), "input", "layout is NCHW", "NHWC");
            rejects(IllegalArgumentException.class, () -> op.apply(good, wrongOut), "output", "axis W is 7 but must be 8");
            rejects(IllegalArgumentException.class, () -> op.apply(List.of(good, good), out), "inputs", "1", "2");
            rejects(IllegalArgumentException.class, () -> op.apply(good, null), "output", "null");
            op.apply(good, out);
        }
    }

    @Test
    void outputMayNotOverlapTheInputOfAConvolution() {
        ConvSpec spec = ConvSpec.builder(Layout.NHWC).input(1, 4, 4, 2).kernel(1, 1).outChannels(2).build();
        try (Tensor w = Tensor.allocate(DType.F32, Layout.HWIO, 1, 1, 2, 2);
             Operation op = spec.prepare(w);
             Tensor x = Tensor.allocate(DType.F32, Layout.NHWC, 1, 4, 4, 2)) {
            rejects(IllegalArgumentException.class, () -> op.apply(x, x), "output", "overlaps");
        }
        // element-wise operations may work in place
        ReluSpec relu = new ReluSpec(DType.F32, Layout.NC, 1, 3);
        try (Operation op = relu.prepare(); Tensor x = Tensor.of(new float[] {-1, 2, -3}, Layout.NC, 1, 3)) {
            op.apply(x, x);
            org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {0, 2, 0}, x.toFloatArray());
        }
    }

    @Test
    void closedArenaIsRejected() {
        ReluSpec relu = new ReluSpec(DType.F32, Layout.NC, 1, 4);
        Tensor dead;
        try (Arena arena = Arena.ofConfined()) {
            dead = Tensor.allocate(arena, DType.F32, Layout.NC, 1, 4);
        }
        Tensor deadTensor = dead;
        try (Operation op = relu.prepare(); Tensor out = Tensor.allocate(DType.F32, Layout.NC, 1, 4)) {
            rejects(IllegalStateException.class, () -> op.apply(deadTensor, out), "input", "closed");
        }
        rejects(IllegalStateException.class, deadTensor::toFloatArray, "closed");
        Arena closed = Arena.ofConfined();
        closed.close();
        rejects(IllegalStateException.class, () -> Tensor.allocate(closed, DType.F32, Layout.NC, 1, 1), "arena");
        Tensor owned = Tensor.allocate(DType.F32, Layout.NC, 1, 4);
        owned.close();
        try (Operation op = relu.prepare(); Tensor in = Tensor.allocate(DType.F32, Layout.NC, 1, 4)) {
            rejects(IllegalStateException.class, () -> op.apply(in, owned), "output", "closed");
        }
    }

    @Test
    void sizesPastWhatCanBeIndexed() {
        rejects(IllegalArgumentException.class, () -> Tensor.allocate(DType.F32, Layout.NHWC, 1 << 20, 1 << 20, 1 << 20, 8),
                "overflows");
        rejects(IllegalArgumentException.class, () -> new ReluSpec(DType.F32, Layout.NHWC, Integer.MAX_VALUE,
                Integer.MAX_VALUE, Integer.MAX_VALUE, 16), "overflows");
        rejects(IllegalArgumentException.class, () -> Tensor.wrap(Arena.global().allocate(16), DType.F32, Layout.NC, 1, 5),
                "segment", "16", "20");
    }

    @Test
    void closedOperationIsRejected() {
        Operation op = new ReluSpec(DType.F32, Layout.NC, 1, 2).prepare();
        op.close();
        op.close();
        try (Tensor a = Tensor.allocate(DType.F32, Layout.NC, 1, 2); Tensor b = Tensor.allocate(DType.F32, Layout.NC, 1, 2)) {
            rejects(IllegalStateException.class, () -> op.apply(a, b), "closed");
        }
    }

    @Test
    void transposedOutputShapeMustInvertTheForwardConvolution() {
        rejects(IllegalArgumentException.class, () -> ConvTransposeSpec.builder(Layout.NHWC).input(1, 4, 4, 2)
                .outputShape(1, 9, 8, 3).kernel(3, 3).strides(2).padding(Padding.SAME).build(), "outputShape", "axis H", "9");
        rejects(IllegalArgumentException.class, () -> ConvTransposeSpec.builder(Layout.NHWC).input(1, 4, 4, 2)
                .kernel(3, 3).build(), "outputShape");
    }

    @Test
    void poolingRules() {
        rejects(IllegalArgumentException.class, () -> PoolSpec.builder(PoolKind.MAX, Layout.NHWC).input(1, 2, 2, 5)
                .depthWindow(2).build(), "depthWindow", "5", "2");
        rejects(IllegalArgumentException.class, () -> PoolSpec.builder(PoolKind.AVG, Layout.NHWC).input(1, 2, 2, 4)
                .depthWindow(2).build(), "depthWindow", "AVG");
        rejects(IllegalArgumentException.class, () -> PoolSpec.pool2d(PoolKind.MAX, 1, 2, 2, 1, 3, 1, Padding.VALID),
                "negative dimension size");
    }

    @Test
    void forcedUnknownEngineIsAnError() {
        ReluSpec relu = new ReluSpec(DType.F32, Layout.NC, 1, 2);
        rejects(IllegalArgumentException.class, () -> Conv4j.prepare(relu, "nosuch"), "nosuch", "reference");
    }
}
