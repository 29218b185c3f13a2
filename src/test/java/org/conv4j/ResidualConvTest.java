package org.conv4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.conv4j.spi.EngineRegistry;
import org.junit.jupiter.api.Test;

/** The residual sum fused into a convolution: spec, semantics (sum before ReLU), in-place rules, every engine. */
class ResidualConvTest {
    /** A 1x1 convolution of one channel: out = relu?(2x + bias + residual). */
    private static ConvSpec unit(boolean residual, boolean relu) {
        return ConvSpec.builder(Layout.NHWC).input(1, 1, 4, 1).kernel(1, 1).outChannels(1).bias(true)
                .residual(residual).relu(relu).build();
    }

    @Test
    void specHasTheResidualAsSecondInputOfTheOutputsShape() {
        ConvSpec s = unit(true, true);
        assertTrue(s.hasResidual());
        assertEquals(List.of(s.inputShape().tensor(DType.F32), s.output()), s.inputs());
        assertEquals(1, unit(false, true).inputs().size());
        assertTrue(s.toString().contains("+bias +residual +relu"), s.toString());
        assertNotEquals(unit(false, true), s);
        assertEquals(unit(true, true), s);
        assertEquals(unit(true, true).hashCode(), s.hashCode());
        assertEquals(s, unit(false, false).withResidual(true).withRelu(true));
        assertEquals(unit(false, true).cost().flops() + s.output().elementCount(), s.cost().flops());
        assertEquals(unit(false, true).cost().multiplyAdds(), s.cost().multiplyAdds());
    }

    @Test
    void sumComesBeforeTheRelu() {
        float[] x = {1, -1, 2, 0.5f};
        float[] r = {-3, 5, 1, -1};
        // 2x + 0.5 + r = -0.5, 3.5, 5.5, 0.5 ; ReLU after the sum
        float[] expected = {0, 3.5f, 5.5f, 0.5f};
        for (EngineRegistry.EngineStatus e : Conv4j.engines()) {
            if (!e.available()) {
                continue;
            }
            ConvSpec spec = unit(true, true);
            if (!e.engine().supports(spec).supported()) {
                continue;
            }
            try (Tensor w = Tensor.of(new float[] {2}, Layout.HWIO, 1, 1, 1, 1);
                 Tensor b = Tensor.of(new float[] {0.5f}, Layout.X, 1);
                 Tensor in = Tensor.of(x, Layout.NHWC, 1, 1, 4, 1);
                 Tensor res = Tensor.of(r, Layout.NHWC, 1, 1, 4, 1);
                 Tensor out = spec.output().allocate(DType.F32);
                 Operation op = Conv4j.prepare(spec, e.name(), w, b)) {
                op.apply(List.of(in, res), out);
                assertArrayEquals(expected, out.toFloatArray(), e.name());
                assertArrayEquals(r, res.toFloatArray(), e.name() + ": residual untouched out of place");
                op.apply(List.of(in, res), res); // in place
                assertArrayEquals(expected, res.toFloatArray(), e.name() + " in place");
            }
        }
    }

    @Test
    void outputMayBeTheResidualOnlyExactly() {
        ConvSpec spec = unit(true, false);
        try (Tensor w = Tensor.of(new float[] {2}, Layout.HWIO, 1, 1, 1, 1);
             Tensor b = Tensor.of(new float[] {0}, Layout.X, 1);
             Tensor big = Tensor.allocate(DType.F32, Layout.NHWC, 1, 1, 8, 1);
             Tensor in = spec.inputs().get(0).allocate(DType.F32);
             Operation op = Conv4j.prepare(spec, "reference", w, b)) {
            Tensor lo = Tensor.wrap(big.segment(), DType.F32, Layout.NHWC, 1, 1, 4, 1);
            Tensor shifted = Tensor.wrap(big.segment().asSlice(8), DType.F32, Layout.NHWC, 1, 1, 4, 1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> op.apply(List.of(in, lo), shifted));
            assertTrue(e.getMessage().contains("inputs[1]"), e.getMessage());
            // the input itself may never be the output
            Tensor inAlias = Tensor.wrap(in.segment(), DType.F32, Layout.NHWC, 1, 1, 4, 1);
            e = assertThrows(IllegalArgumentException.class, () -> op.apply(List.of(in, lo), inAlias));
            assertTrue(e.getMessage().contains("inputs[0]"), e.getMessage());
            op.apply(List.of(in, lo), lo);
        }
    }

    @Test
    void residualMustHaveTheOutputsShapeAndDtype() {
        ConvSpec spec = ConvSpec.builder(Layout.NHWC).input(1, 6, 6, 2).kernel(3, 3).outChannels(3).strides(2)
                .padding(Padding.SAME).residual(true).build();
        assertArrayEquals(new int[] {1, 3, 3, 3}, spec.inputs().get(1).dims());
        try (Tensor w = spec.params().get(0).allocate(DType.F32);
             Tensor in = spec.inputs().get(0).allocate(DType.F32);
             Tensor wrongShape = Tensor.allocate(DType.F32, Layout.NHWC, 1, 6, 6, 3);
             Tensor wrongType = Tensor.allocate(DType.BF16, Layout.NHWC, 1, 3, 3, 3);
             Tensor out = spec.output().allocate(DType.F32);
             Operation op = Conv4j.prepare(spec, "reference", w)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> op.apply(List.of(in, wrongShape), out));
            assertTrue(e.getMessage().contains("inputs[1]") && e.getMessage().contains("axis H is 6"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> op.apply(List.of(in, wrongType), out));
            assertTrue(e.getMessage().contains("inputs[1]") && e.getMessage().contains("bf16"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> op.apply(in, out));
            assertTrue(e.getMessage().contains("takes 2 input tensors"), e.getMessage());
        }
    }

    @Test
    void everyEngineAgreesOnAResNetUnitInAndOutOfPlace() {
        for (DType t : DType.values()) {
            ConvSpec spec = ConvSpec.builder(Layout.NHWC).input(2, 9, 7, 16).kernel(3, 3).outChannels(24)
                    .padding(Padding.SAME).bias(true).residual(true).relu(true).dtype(t).build();
            Random rnd = new Random(7);
            float[][] vals = new float[4][];
            List<TensorSpec> specs = List.of(spec.params().get(0), spec.params().get(1), spec.inputs().get(0),
                    spec.inputs().get(1));
            for (int i = 0; i < 4; i++) {
                vals[i] = new float[(int) specs.get(i).elementCount()];
                for (int j = 0; j < vals[i].length; j++) {
                    vals[i][j] = rnd.nextFloat() * 2 - 1;
                }
            }
            java.util.Map<String, float[]> results = new java.util.LinkedHashMap<>();
            for (EngineRegistry.EngineStatus e : Conv4j.engines()) {
                if (!e.available() || !e.engine().supports(spec).supported()) {
                    continue;
                }
                try (Tensor w = Tensor.of(vals[0], Layout.HWIO, specs.get(0).dims());
                     Tensor b = Tensor.of(vals[1], Layout.X, specs.get(1).dims());
                     Tensor x = Tensor.of(vals[2], t, Layout.NHWC, specs.get(2).dims());
                     Tensor r = Tensor.of(vals[3], t, Layout.NHWC, specs.get(3).dims());
                     Tensor out = spec.output().allocate(t);
                     Operation op = Conv4j.prepare(spec, e.name(), w, b)) {
                    op.apply(List.of(x, r), out);
                    float[] got = out.toFloatArray();
                    op.apply(List.of(x, r), r);
                    assertArrayEquals(got, r.toFloatArray(), e.name() + " " + t + ": in place differs");
                    results.put(e.name(), got);
                }
            }
            float[] ref = results.get("reference");
            // 144 products of magnitude < 1 plus bias and residual: fp32 error far below 1e-3; fp16/bf16 outputs
            // may differ by one unit in the last place of values up to about 16
            double tol = t == DType.F32 ? 1e-3 : t == DType.F16 ? 0.02 : 0.13;
            for (var e : results.entrySet()) {
                float[] got = e.getValue();
                for (int i = 0; i < ref.length; i++) {
                    assertTrue(ref[i] >= 0, "ReLU comes last");
                    assertEquals(ref[i], got[i], tol, e.getKey() + " " + t + " element " + i);
                }
            }
        }
    }
}
