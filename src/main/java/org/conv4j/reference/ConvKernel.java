package org.conv4j.reference;

import org.conv4j.ActivationShape;
import org.conv4j.ConvSpec;
import org.conv4j.Tensor;
import org.conv4j.Weights;
import org.conv4j.spi.Kernel;

/** Direct convolution: for every output element, the sum over its window, input channels of its group, and bias. */
final class ConvKernel implements Kernel {
    private final ConvSpec spec;
    /** Filter as [K][C/groups][KD][KH][KW]. */
    private final float[] filter;
    private final float[] bias;

    ConvKernel(ConvSpec spec, Tensor[] params) {
        this.spec = spec;
        this.filter = Weights.canonical(params[0]);
        this.bias = spec.hasBias() ? Weights.canonical(params[1]) : null;
    }

    @Override
    public void execute(Tensor[] inputs, Tensor output) {
        Tensor x = inputs[0];
        ActivationShape in = spec.inputShape();
        ActivationShape out = spec.outputShape();
        long[] xs = in.strides();
        long[] ys = out.strides();
        int[] is = in.spatial3();
        int[] os = out.spatial3();
        int[] k = pad3(spec.kernel(), 1);
        int[] st = pad3(spec.strides(), 1);
        int[] dl = pad3(spec.dilations(), 1);
        int[] pb = pad3(spec.padBefore(), 0);
        int groups = spec.groups();
        int cg = in.channels() / groups;
        int kg = out.channels() / groups;
        for (int n = 0; n < in.batch(); n++) {
            for (int oc = 0; oc < out.channels(); oc++) {
                int g = oc / kg;
                for (int od = 0; od < os[0]; od++) {
                    for (int oh = 0; oh < os[1]; oh++) {
                        for (int ow = 0; ow < os[2]; ow++) {
                            double acc = bias == null ? 0 : bias[oc];
                            for (int kd = 0; kd < k[0]; kd++) {
                                int id = od * st[0] - pb[0] + kd * dl[0];
                                if (id < 0 || id >= is[0]) {
                                    continue;
                                }
                                for (int kh = 0; kh < k[1]; kh++) {
                                    int ih = oh * st[1] - pb[1] + kh * dl[1];
                                    if (ih < 0 || ih >= is[1]) {
                                        continue;
                                    }
                                    for (int kw = 0; kw < k[2]; kw++) {
                                        int iw = ow * st[2] - pb[2] + kw * dl[2];
                                        if (iw < 0 || iw >= is[2]) {
                                            continue;
                                        }
                                        for (int ic = 0; ic < cg; ic++) {
                                            int c = g * cg + ic;
                                            float xv = x.getFloat(n * xs[0] + c * xs[1] + id * xs[2] + ih * xs[3] + iw * xs[4]);
                                            float wv = filter[(((oc * cg + ic) * k[0] + kd) * k[1] + kh) * k[2] + kw];
                                            acc += (double) xv * wv;
                                        }
                                    }
                                }
                            }
                            float v = (float) acc;
                            if (spec.relu() && !(v > 0)) {
                                v = Float.isNaN(v) ? v : 0f;
                            }
                            output.setFloat(n * ys[0] + oc * ys[1] + od * ys[2] + oh * ys[3] + ow * ys[4], v);
                        }
                    }
                }
            }
        }
    }

    /** Pads a per-spatial-axis array to {D, H, W}, filling missing leading axes. */
    static int[] pad3(int[] v, int fill) {
        int[] r = {fill, fill, fill};
        System.arraycopy(v, 0, r, 3 - v.length, v.length);
        return r;
    }
}
