package org.conv4j.reference;

import org.conv4j.ActivationShape;
import org.conv4j.PoolKind;
import org.conv4j.PoolSpec;
import org.conv4j.Tensor;
import org.conv4j.spi.Kernel;

/** Max and average pooling over real cells only (TensorFlow), and depth-wise max pooling across channels. */
final class PoolKernel implements Kernel {
    private final PoolSpec spec;

    PoolKernel(PoolSpec spec) {
        this.spec = spec;
    }

    @Override
    public void execute(Tensor[] inputs, Tensor output) {
        Tensor x = inputs[0];
        ActivationShape in = spec.inputShape();
        ActivationShape out = spec.outputShape();
        Window g3 = Window.of(in, out, spec.window(), spec.strides(), new int[] {1}, spec.padBefore());
        int[] is = g3.in();
        int[] os = g3.out();
        int[] win = g3.size();
        int[] st = g3.stride();
        int[] pb = g3.padBefore();
        int depth = spec.depthWindow();
        boolean max = spec.poolKind() == PoolKind.MAX;
        for (int n = 0; n < out.batch(); n++) {
            for (int oc = 0; oc < out.channels(); oc++) {
                for (int od = 0; od < os[0]; od++) {
                    for (int oh = 0; oh < os[1]; oh++) {
                        for (int ow = 0; ow < os[2]; ow++) {
                            double sum = 0;
                            float best = Float.NEGATIVE_INFINITY;
                            boolean nan = false;
                            int count = 0;
                            for (int c = oc * depth; c < (oc + 1) * depth; c++) {
                                for (int d = od * st[0] - pb[0]; d < od * st[0] - pb[0] + win[0]; d++) {
                                    for (int h = oh * st[1] - pb[1]; h < oh * st[1] - pb[1] + win[1]; h++) {
                                        for (int w = ow * st[2] - pb[2]; w < ow * st[2] - pb[2] + win[2]; w++) {
                                            if (d < 0 || d >= is[0] || h < 0 || h >= is[1] || w < 0 || w >= is[2]) {
                                                continue;
                                            }
                                            float v = x.getFloat(g3.x(n, c, d, h, w));
                                            nan |= Float.isNaN(v);
                                            best = Math.max(best, v);
                                            sum += v;
                                            count++;
                                        }
                                    }
                                }
                            }
                            float r = max ? (nan ? Float.NaN : best) : (float) (sum / count);
                            output.setFloat(g3.y(n, oc, od, oh, ow), r);
                        }
                    }
                }
            }
        }
    }
}
