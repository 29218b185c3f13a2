package org.conv4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.conv4j.testing.RandomSpecs;
import org.junit.jupiter.api.Test;

/**
 * Properties that tie the reference engine's operations to each other, so the ground truth is checked by more
 * than hand-computed cases: layouts are only layouts, 1-D is 2-D with one row, and the transposed convolution is
 * the adjoint of the convolution.
 */
class ReferenceConsistencyTest {
    /** Reorders activation data between layouts of the same logical shape. */
    static float[] relayout(float[] data, ActivationShape from, Layout to) {
        ActivationShape target = new ActivationShape(to, from.batch(), from.channels(), from.spatial());
        long[] a = from.strides();
        long[] b = target.strides();
        int[] s = from.spatial3();
        float[] out = new float[data.length];
        for (int n = 0; n < from.batch(); n++) {
            for (int c = 0; c < from.channels(); c++) {
                for (int d = 0; d < s[0]; d++) {
                    for (int h = 0; h < s[1]; h++) {
                        for (int w = 0; w < s[2]; w++) {
                            out[(int) (n * b[0] + c * b[1] + d * b[2] + h * b[3] + w * b[4])] =
                                    data[(int) (n * a[0] + c * a[1] + d * a[2] + h * a[3] + w * a[4])];
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Filter data from canonical [O][I][spatial] into HWIO-style [spatial][I][O]. */
    static float[] oiToSpatialIo(float[] oi, int o, int i, int spatial) {
        float[] out = new float[oi.length];
        for (int a = 0; a < o; a++) {
            for (int b = 0; b < i; b++) {
                for (int s = 0; s < spatial; s++) {
                    out[(s * i + b) * o + a] = oi[(a * i + b) * spatial + s];
                }
            }
        }
        return out;
    }

    static float[] runRef(OpSpec spec, float[] input, float[]... params) {
        Tensor[] p = new Tensor[params.length];
        for (int i = 0; i < p.length; i++) {
            TensorSpec ts = spec.params().get(i);
            p[i] = Tensor.of(params[i], ts.layout(), ts.dims());
        }
        return ReferenceOpsTest.run(spec, input, p);
    }

    @Test
    void channelsFirstAndChannelsLastAgreeExactly() {
        Random r = new Random(7);
        for (int t = 0; t < 60; t++) {
            int n = 1 + r.nextInt(2);
            int c = 1 + r.nextInt(5);
            int h = 1 + r.nextInt(7);
            int w = 1 + r.nextInt(7);
            int k = 1 + r.nextInt(4);
            int kh = 1 + r.nextInt(4);
            int kw = 1 + r.nextInt(4);
            int stride = 1 + r.nextInt(3);
            ConvSpec last = ConvSpec.builder(Layout.NHWC).input(n, h, w, c).kernel(kh, kw).outChannels(k).strides(stride)
                    .padding(Padding.SAME).filterLayout(Layout.OIHW).build();
            ConvSpec first = ConvSpec.builder(Layout.NCHW).input(n, c, h, w).kernel(kh, kw).outChannels(k).strides(stride)
                    .padding(Padding.SAME).filterLayout(Layout.OIHW).build();
            float[] x = random(r, n * h * w * c);
            float[] f = random(r, k * c * kh * kw);
            float[] yLast = runRef(last, x, f);
            float[] yFirst = runRef(first, relayout(x, last.inputShape(), Layout.NCHW), f);
            assertArrayEquals(yLast, relayout(yFirst, first.outputShape(), Layout.NHWC), 0f);
            // and TensorFlow's HWIO filter holds the same weights in another order
            ConvSpec hwio = ConvSpec.builder(Layout.NHWC).input(n, h, w, c).kernel(kh, kw).outChannels(k).strides(stride)
                    .padding(Padding.SAME).build();
            assertArrayEquals(yLast, runRef(hwio, x, oiToSpatialIo(f, k, c, kh * kw)), 0f);
        }
    }

    @Test
    void conv1dIsConv2dWithOneRow() {
        Random r = new Random(11);
        for (int t = 0; t < 40; t++) {
            int c = 1 + r.nextInt(4);
            int w = 1 + r.nextInt(12);
            int k = 1 + r.nextInt(5);
            int s = 1 + r.nextInt(3);
            int d = 1 + r.nextInt(2);
            ConvSpec one = ConvSpec.builder(Layout.NWC).input(1, w, c).kernel(k).outChannels(3).strides(s).dilations(d)
                    .padding(Padding.SAME).build();
            ConvSpec two = ConvSpec.builder(Layout.NHWC).input(1, 1, w, c).kernel(1, k).outChannels(3).strides(1, s)
                    .dilations(1, d).padding(Padding.SAME).build();
            float[] x = random(r, w * c);
            float[] f = random(r, k * c * 3);
            assertArrayEquals(runRef(one, x, f), runRef(two, x, f), 0f);
        }
    }

    @Test
    void transposedConvolutionIsTheAdjointOfConvolution() {
        // <conv(y), x> == <y, conv_transpose(x)> for the same filter, strides, dilations and padding
        Random r = new Random(5);
        for (int t = 0; t < 80; t++) {
            int rank = 1 + r.nextInt(3);
            int[] kernel = new int[rank];
            int[] strides = new int[rank];
            int[] dil = new int[rank];
            int[] outSpatial = new int[rank];
            for (int i = 0; i < rank; i++) {
                kernel[i] = 1 + r.nextInt(3);
                strides[i] = 1 + r.nextInt(3);
                dil[i] = 1 + r.nextInt(2);
                outSpatial[i] = (kernel[i] - 1) * dil[i] + 1 + r.nextInt(6);
            }
            Padding p = r.nextBoolean() ? Padding.SAME : Padding.VALID;
            int cIn = 1 + r.nextInt(4);
            int cOut = 1 + r.nextInt(4);
            Layout layout = Layout.activation(rank, true);
            ConvSpec forward = ConvSpec.builder(layout).input(layout.activationDims(1, cOut, outSpatial)).kernel(kernel)
                    .strides(strides).dilations(dil).padding(p).outChannels(cIn).build();
            ConvTransposeSpec transposed = ConvTransposeSpec.builder(layout).input(forward.output().dims())
                    .outputShape(forward.inputs().get(0).dims()).kernel(kernel).strides(strides).dilations(dil).padding(p)
                    .build();
            // forward's HWIO [k, I=cOut, O=cIn] and transposed's HWOI [k, O=cOut, I=cIn] are the same bytes
            float[] f = random(r, (int) transposed.params().get(0).elementCount());
            float[] y = random(r, (int) forward.inputs().get(0).elementCount());
            float[] x = random(r, (int) forward.output().elementCount());
            double lhs = dot(runRef(forward, y, f), x);
            double rhs = dot(y, runRef(transposed, x, f));
            assertEquals(lhs, rhs, 1e-4 * (1 + Math.abs(lhs)), "case " + t + ": " + transposed);
        }
    }

    @Test
    void everyGeneratedCaseRunsAndIsFinite() {
        List<RandomSpecs.Case> cases = RandomSpecs.generate(42, 660, EnumSet.allOf(OpKind.class), EnumSet.allOf(DType.class));
        for (RandomSpecs.Case c : cases) {
            Tensor[] params = c.paramTensors();
            Tensor[] inputs = c.inputTensors();
            try (Tensor out = c.spec().output().allocate(c.spec().dtype()); Operation op = Conv4j.prepare(c.spec(), "reference", params)) {
                op.apply(List.of(inputs), out);
                for (float v : out.toFloatArray()) {
                    assertTrue(Float.isFinite(v), c.toString());
                }
            } finally {
                for (Tensor t : params) {
                    t.close();
                }
                for (Tensor t : inputs) {
                    t.close();
                }
            }
        }
    }

    static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return v;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
