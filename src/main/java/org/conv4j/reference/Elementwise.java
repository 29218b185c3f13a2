package org.conv4j.reference;

import org.conv4j.ActivationShape;
import org.conv4j.ConcatSpec;
import org.conv4j.GlobalAvgPoolSpec;
import org.conv4j.SoftmaxSpec;
import org.conv4j.Tensor;

/** The operations without weights that touch each element once or along one axis. */
final class Elementwise {
    private Elementwise() {
    }

    static void relu(Tensor x, Tensor y) {
        for (long i = 0; i < x.elementCount(); i++) {
            float v = x.getFloat(i);
            y.setFloat(i, v < 0 ? 0f : v);
        }
    }

    static void add(Tensor a, Tensor b, Tensor y, boolean relu) {
        for (long i = 0; i < a.elementCount(); i++) {
            float v = a.getFloat(i) + b.getFloat(i);
            y.setFloat(i, relu && v < 0 ? 0f : v);
        }
    }

    /** Each input's channels land at its offset along the output's channel axis. */
    static void concat(ConcatSpec spec, Tensor[] inputs, Tensor y) {
        ActivationShape out = spec.outputShape();
        long[] ys = out.strides();
        int[] sp = out.spatial3();
        int offset = 0;
        for (int t = 0; t < inputs.length; t++) {
            ActivationShape in = spec.inputShapes().get(t);
            long[] xs = in.strides();
            for (int n = 0; n < in.batch(); n++) {
                for (int c = 0; c < in.channels(); c++) {
                    for (int d = 0; d < sp[0]; d++) {
                        for (int h = 0; h < sp[1]; h++) {
                            for (int w = 0; w < sp[2]; w++) {
                                float v = inputs[t].getFloat(n * xs[0] + c * xs[1] + d * xs[2] + h * xs[3] + w * xs[4]);
                                y.setFloat(n * ys[0] + (c + offset) * ys[1] + d * ys[2] + h * ys[3] + w * ys[4], v);
                            }
                        }
                    }
                }
            }
            offset += in.channels();
        }
    }

    static void globalAvgPool(GlobalAvgPoolSpec spec, Tensor x, Tensor y) {
        ActivationShape in = spec.inputShape();
        long[] xs = in.strides();
        int[] sp = in.spatial3();
        for (int n = 0; n < in.batch(); n++) {
            for (int c = 0; c < in.channels(); c++) {
                double sum = 0;
                for (int d = 0; d < sp[0]; d++) {
                    for (int h = 0; h < sp[1]; h++) {
                        for (int w = 0; w < sp[2]; w++) {
                            sum += x.getFloat(n * xs[0] + c * xs[1] + d * xs[2] + h * xs[3] + w * xs[4]);
                        }
                    }
                }
                y.setFloat((long) n * in.channels() + c, (float) (sum / in.spatialSize()));
            }
        }
    }

    /** Softmax along the channel axis, shifted by the maximum so large scores do not overflow. */
    static void softmax(SoftmaxSpec spec, Tensor x, Tensor y) {
        ActivationShape s = spec.shape();
        long[] st = s.strides();
        int[] sp = s.spatial3();
        for (int n = 0; n < s.batch(); n++) {
            for (int d = 0; d < sp[0]; d++) {
                for (int h = 0; h < sp[1]; h++) {
                    for (int w = 0; w < sp[2]; w++) {
                        long base = n * st[0] + d * st[2] + h * st[3] + w * st[4];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int c = 0; c < s.channels(); c++) {
                            max = Math.max(max, x.getFloat(base + c * st[1]));
                        }
                        double sum = 0;
                        for (int c = 0; c < s.channels(); c++) {
                            sum += Math.exp(x.getFloat(base + c * st[1]) - max);
                        }
                        for (int c = 0; c < s.channels(); c++) {
                            y.setFloat(base + c * st[1], (float) (Math.exp(x.getFloat(base + c * st[1]) - max) / sum));
                        }
                    }
                }
            }
        }
    }
}
