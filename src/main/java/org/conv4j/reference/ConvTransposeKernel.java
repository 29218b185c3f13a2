package org.conv4j.reference;

import org.conv4j.ActivationShape;
import org.conv4j.ConvTransposeSpec;
import org.conv4j.Tensor;
import org.conv4j.Weights;
import org.conv4j.spi.Kernel;

/**
 * Transposed convolution as the gradient of the forward convolution: output position {@code o} collects every input
 * position {@code i} and tap {@code k} with {@code i * stride - padBefore + k * dilation == o}.
 */
final class ConvTransposeKernel implements Kernel {
    private final ConvTransposeSpec spec;
    /** Filter as [K out][C in][KD][KH][KW]. */
    private final float[] filter;
    private final float[] bias;

    ConvTransposeKernel(ConvTransposeSpec spec, Tensor[] params) {
        this.spec = spec;
        this.filter = Weights.canonical(params[0]);
        this.bias = spec.hasBias() ? Weights.canonical(params[1]) : null;
    }

    @Override
    public void execute(Tensor[] inputs, Tensor output) {
        Tensor x = inputs[0];
        ActivationShape in = spec.inputShape();
        ActivationShape out = spec.outputShape();
        Window g3 = Window.of(in, out, spec.kernel(), spec.strides(), spec.dilations(), spec.padBefore());
        int[] is = g3.in();
        int[] os = g3.out();
        int[] k = g3.size();
        int[] st = g3.stride();
        int[] dl = g3.dilation();
        int[] pb = g3.padBefore();
        int c = in.channels();
        for (int n = 0; n < in.batch(); n++) {
            for (int oc = 0; oc < out.channels(); oc++) {
                for (int od = 0; od < os[0]; od++) {
                    for (int oh = 0; oh < os[1]; oh++) {
                        for (int ow = 0; ow < os[2]; ow++) {
                            double acc = bias == null ? 0 : bias[oc];
                            for (int kd = 0; kd < k[0]; kd++) {
                                int id = source(od, kd, st[0], pb[0], dl[0], is[0]);
                                if (id < 0) {
                                    continue;
                                }
                                for (int kh = 0; kh < k[1]; kh++) {
                                    int ih = source(oh, kh, st[1], pb[1], dl[1], is[1]);
                                    if (ih < 0) {
                                        continue;
                                    }
                                    for (int kw = 0; kw < k[2]; kw++) {
                                        int iw = source(ow, kw, st[2], pb[2], dl[2], is[2]);
                                        if (iw < 0) {
                                            continue;
                                        }
                                        for (int ic = 0; ic < c; ic++) {
                                            float xv = x.getFloat(g3.x(n, ic, id, ih, iw));
                                            float wv = filter[(((oc * c + ic) * k[0] + kd) * k[1] + kh) * k[2] + kw];
                                            acc += (double) xv * wv;
                                        }
                                    }
                                }
                            }
                            float v = (float) acc;
                            if (spec.relu() && !(v > 0)) {
                                v = Float.isNaN(v) ? v : 0f;
                            }
                            output.setFloat(g3.y(n, oc, od, oh, ow), v);
                        }
                    }
                }
            }
        }
    }

    /** The input index that tap {@code k} carries to output {@code o}, or -1 when none does. */
    private static int source(int o, int k, int stride, int padBefore, int dilation, int inSize) {
        int t = o + padBefore - k * dilation;
        if (t < 0 || t % stride != 0) {
            return -1;
        }
        int i = t / stride;
        return i < inSize ? i : -1;
    }
}
