package org.conv4j.onednn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.conv4j.AddSpec;
import org.conv4j.Conv4j;
import org.conv4j.DType;
import org.conv4j.Layout;
import org.conv4j.OpKind;
import org.conv4j.OpSpec;
import org.conv4j.Operation;
import org.conv4j.ReluSpec;
import org.conv4j.Tensor;
import org.conv4j.TensorSpec;
import org.conv4j.testing.RandomSpecs;
import org.junit.jupiter.api.Test;

/**
 * bf16 activations with fp32 weights, and in-place element-wise operations.
 *
 * <p>oneDNN's bf16 kernels take bf16 weights, so fp32 weights are rounded to bf16 once at prepare, while the
 * reference keeps them in fp32. Stated tolerance: {@code 2^-8 * mag + 2^-7 * |ref|}, where {@code mag} is the sum of
 * |x * w| behind an output: each weight moves by at most 2^-9 of itself when rounded (2^-8 leaves room for the fp32
 * accumulation), plus one bf16 unit in the last place of the output.
 */
class OneDnnMixedPrecisionTest {
    @Test
    void bf16WithFp32WeightsStaysWithinTheStatedTolerance() {
        List<RandomSpecs.Case> cases = RandomSpecs.generate(4242L, 240,
                EnumSet.of(OpKind.CONV, OpKind.CONV_TRANSPOSE, OpKind.DENSE), EnumSet.of(DType.BF16));
        int compared = 0;
        List<String> failures = new ArrayList<>();
        for (RandomSpecs.Case c : cases) {
            OpSpec spec = c.spec();
            if (!OneDnnSelectionTest.onednn().engine().supports(spec).supported()) {
                continue;
            }
            compared++;
            List<TensorSpec> ps = spec.params();
            Tensor[] w32 = new Tensor[ps.size()];
            Tensor[] wAbs = new Tensor[ps.size()];
            for (int i = 0; i < w32.length; i++) {
                float[] v = c.params().get(i);
                float[] a = v.clone();
                for (int j = 0; j < a.length; j++) {
                    a[j] = Math.abs(a[j]);
                }
                w32[i] = Tensor.of(v, DType.F32, ps.get(i).layout(), ps.get(i).dims());
                wAbs[i] = Tensor.of(a, DType.F32, ps.get(i).layout(), ps.get(i).dims());
            }
            Tensor[] x = c.inputTensors(); // the input, and the residual of a residual convolution
            Tensor[] xAbs = new Tensor[x.length];
            for (int i = 0; i < x.length; i++) {
                float[] xa = x[i].toFloatArray();
                for (int j = 0; j < xa.length; j++) {
                    xa[j] = Math.abs(xa[j]);
                }
                xAbs[i] = Tensor.of(xa, DType.BF16, x[i].layout(), x[i].dims());
            }
            try (Tensor ref = spec.output().allocate(DType.BF16);
                 Tensor mag = spec.output().allocate(DType.BF16);
                 Tensor got = spec.output().allocate(DType.BF16);
                 Operation r = Conv4j.prepare(spec, "reference", w32);
                 Operation m = Conv4j.prepare(spec, "reference", wAbs);
                 Operation o = Conv4j.prepare(spec, "onednn", w32)) {
                r.apply(List.of(x), ref);
                m.apply(List.of(xAbs), mag);
                o.apply(List.of(x), got);
                float[] a = ref.toFloatArray();
                float[] g = got.toFloatArray();
                float[] mg = mag.toFloatArray();
                for (int i = 0; i < a.length; i++) {
                    double tol = 0x1p-8 * Math.abs(mg[i]) + 0x1p-7 * Math.abs(a[i]) + 1e-6;
                    if (Math.abs((double) a[i] - g[i]) > tol) {
                        failures.add(c + ": element " + i + " reference " + a[i] + " onednn " + g[i] + " tol " + tol);
                        break;
                    }
                }
            } finally {
                for (Tensor t : w32) {
                    t.close();
                }
                for (Tensor t : wAbs) {
                    t.close();
                }
                for (int i = 0; i < x.length; i++) {
                    x[i].close();
                    xAbs[i].close();
                }
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + compared + " cases out of tolerance:\n  "
                    + String.join("\n  ", failures.subList(0, Math.min(5, failures.size()))));
        }
        assertTrue(compared >= 200, "compared only " + compared);
    }

    @Test
    void elementwiseOperationsRunInPlace() {
        int[] dims = {2, 5, 3, 7};
        float[] v = new float[2 * 5 * 3 * 7];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i % 11) - 5f;
        }
        ReluSpec relu = new ReluSpec(DType.F32, Layout.NHWC, dims);
        AddSpec add = new AddSpec(DType.F32, Layout.NHWC, dims, false);
        try (Tensor t = Tensor.of(v, Layout.NHWC, dims);
             Tensor other = Tensor.of(v, Layout.NHWC, dims);
             Operation r = Conv4j.prepare(relu, "onednn");
             Operation a = Conv4j.prepare(add, "onednn")) {
            a.apply(List.of(t, other), t);
            r.apply(t, t);
            float[] want = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                want[i] = Math.max(0, 2 * v[i]);
            }
            assertArrayEquals(want, t.toFloatArray());
        }
    }
}
