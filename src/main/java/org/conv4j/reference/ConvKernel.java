package org.conv4j.reference;

import org.conv4j.ActivationShape;
import org.conv4j.ConvSpec;
import org.conv4j.Tensor;
import org.conv4j.Weights;
import org.conv4j.spi.Kernel;

/**
 * Direct convolution: for every output element, the sum over its window, input channels of its group, bias and
 * residual. The residual element is read just before the output element at the same index is written, so the
 * output may be the residual tensor itself.
 */
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
        Tensor residual = spec.hasResidual() ? inputs[1] : null;
        ActivationShape in = spec.inputShape();
        ActivationShape out = spec.outputShape();
        Window g3 = Window.of(in, out, spec.kernel(), spec.strides(), spec.dilations(), spec.padBefore());
        int[] is = g3.in();
        int[] os = g3.out();
        int[] k = g3.size();
        int[] st = g3.stride();
        int[] dl = g3.dilation();
        int[] pb = g3.padBefore();
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
                                            float xv = x.getFloat(g3.x(n, c, id, ih, iw));
                                            float wv = filter[(((oc * cg + ic) * k[0] + kd) * k[1] + kh) * k[2] + kw];
                                            acc += (double) xv * wv;
                                        }
                                    }
                                }
                            }
                            long yi = g3.y(n, oc, od, oh, ow);
                            if (residual != null) {
                                acc += residual.getFloat(yi);
                            }
                            float v = (float) acc;
                            if (spec.relu() && !(v > 0)) {
                                v = Float.isNaN(v) ? v : 0f;
                            }
                            output.setFloat(yi, v);
                        }
                    }
                }
            }
        }
    }
}
