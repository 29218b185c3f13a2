package org.conv4j.reference;

import org.conv4j.ActivationShape;
import org.conv4j.BatchNormSpec;
import org.conv4j.Tensor;
import org.conv4j.Weights;
import org.conv4j.spi.Kernel;

/** {@code out = scale * (x - mean) / sqrt(variance + epsilon) + offset}, per channel, optionally then ReLU. */
final class BatchNormKernel implements Kernel {
    private final BatchNormSpec spec;
    private final float[] mean;
    private final float[] variance;
    private final float[] scale;
    private final float[] offset;

    BatchNormKernel(BatchNormSpec spec, Tensor[] params) {
        this.spec = spec;
        this.mean = Weights.canonical(params[0]);
        this.variance = Weights.canonical(params[1]);
        this.scale = Weights.canonical(params[2]);
        this.offset = Weights.canonical(params[3]);
    }

    @Override
    public void execute(Tensor[] inputs, Tensor output) {
        Tensor x = inputs[0];
        ActivationShape s = spec.shape();
        long[] st = s.strides();
        int[] sp = s.spatial3();
        for (int n = 0; n < s.batch(); n++) {
            for (int c = 0; c < s.channels(); c++) {
                double inv = 1.0 / Math.sqrt((double) variance[c] + spec.epsilon());
                for (int d = 0; d < sp[0]; d++) {
                    for (int h = 0; h < sp[1]; h++) {
                        for (int w = 0; w < sp[2]; w++) {
                            long i = n * st[0] + c * st[1] + d * st[2] + h * st[3] + w * st[4];
                            float v = (float) (scale[c] * (x.getFloat(i) - (double) mean[c]) * inv + offset[c]);
                            if (spec.relu() && v < 0) {
                                v = 0f;
                            }
                            output.setFloat(i, v);
                        }
                    }
                }
            }
        }
    }
}
