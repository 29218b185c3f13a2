package org.conv4j.reference;

import org.conv4j.DenseSpec;
import org.conv4j.Tensor;
import org.conv4j.Weights;
import org.conv4j.spi.Kernel;

/** {@code y[n][o] = sum_i x[n][i] * W[o][i] + b[o]}, optionally then ReLU. */
final class DenseKernel implements Kernel {
    private final DenseSpec spec;
    /** Weights as [out][in]. */
    private final float[] weights;
    private final float[] bias;

    DenseKernel(DenseSpec spec, Tensor[] params) {
        this.spec = spec;
        this.weights = Weights.canonical(params[0]);
        this.bias = spec.hasBias() ? Weights.canonical(params[1]) : null;
    }

    @Override
    public void execute(Tensor[] inputs, Tensor output) {
        Tensor x = inputs[0];
        int in = spec.inFeatures();
        int outF = spec.outFeatures();
        for (int n = 0; n < spec.batch(); n++) {
            for (int o = 0; o < outF; o++) {
                double acc = bias == null ? 0 : bias[o];
                for (int i = 0; i < in; i++) {
                    acc += (double) x.getFloat((long) n * in + i) * weights[o * in + i];
                }
                float v = (float) acc;
                if (spec.relu() && v < 0) {
                    v = 0f;
                }
                output.setFloat((long) n * outF + o, v);
            }
        }
    }
}
