package org.conv4j.reference;

import org.conv4j.ActivationShape;
import org.conv4j.LrnSpec;
import org.conv4j.Tensor;
import org.conv4j.spi.Kernel;

/** {@code out = x / (bias + alpha * sum over c-r..c+r of x^2)^beta}, TensorFlow's form (alpha not divided). */
final class LrnKernel implements Kernel {
    private final LrnSpec spec;

    LrnKernel(LrnSpec spec) {
        this.spec = spec;
    }

    @Override
    public void execute(Tensor[] inputs, Tensor output) {
        Tensor x = inputs[0];
        ActivationShape s = spec.shape();
        long[] st = s.strides();
        int[] sp = s.spatial3();
        int channels = s.channels();
        int r = spec.depthRadius();
        for (int n = 0; n < s.batch(); n++) {
            for (int d = 0; d < sp[0]; d++) {
                for (int h = 0; h < sp[1]; h++) {
                    for (int w = 0; w < sp[2]; w++) {
                        long base = n * st[0] + d * st[2] + h * st[3] + w * st[4];
                        for (int c = 0; c < channels; c++) {
                            double sq = 0;
                            for (int j = Math.max(0, c - r); j <= Math.min(channels - 1, c + r); j++) {
                                double v = x.getFloat(base + j * st[1]);
                                sq += v * v;
                            }
                            double v = x.getFloat(base + c * st[1]);
                            double scale = Math.pow(spec.bias() + (double) spec.alpha() * sq, spec.beta());
                            output.setFloat(base + c * st[1], (float) (v / scale));
                        }
                    }
                }
            }
        }
    }
}
