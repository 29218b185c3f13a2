package org.conv4j.nn;

import java.util.SplittableRandom;
import org.conv4j.DType;
import org.conv4j.Layout;

/** Shared helpers: small test configurations, random weights with non-trivial batch norms, random inputs. */
final class TestModels {
    private TestModels() {
    }

    /** A small input size per network that still exercises every layer (AlexNet's flatten sees 2x2 maps). */
    static int smallSize(String name) {
        return switch (name) {
            case "alexnet", "alexnet-2gpu" -> 99;
            default -> 32;
        };
    }

    static Graph small(String name, int batch, DType dtype, Layout layout) {
        int s = smallSize(name);
        return Architectures.build(name, Architectures.defaultConfig(name).withSize(s, s).withClasses(10)
                .withBatch(batch).withDType(dtype).withLayout(layout));
    }

    /**
     * He/Glorot weights, then random batch-norm statistics and LeNet coefficients, so that folding and the
     * scale+shift layers are exercised (the initialisers alone give identity batch norms).
     */
    static Checkpoint weights(Graph g, long seed) {
        Checkpoint w = Checkpoint.random(g, seed);
        SplittableRandom r = new SplittableRandom(seed);
        for (String n : w.names()) {
            float[] v = w.get(n).data();
            boolean bn = n.endsWith("running_mean") || n.endsWith("running_var")
                    || (n.contains("bn") || n.contains("downsample.1") || n.startsWith("s2.") || n.startsWith("s4."))
                    && (n.endsWith(".weight") || n.endsWith(".bias"));
            boolean bias = n.endsWith(".bias");
            if (!bn && !bias) {
                continue;
            }
            for (int i = 0; i < v.length; i++) {
                if (n.endsWith("running_var")) {
                    v[i] = (float) (0.5 + r.nextDouble());
                } else if (n.endsWith("running_mean") || bias) {
                    v[i] = (float) (0.1 * r.nextGaussian());
                } else {
                    v[i] = (float) (v[i] * (0.75 + 0.5 * r.nextDouble()));
                }
            }
        }
        return w;
    }

    static float[] input(Graph g, long seed) {
        long n = g.input().spec().elementCount();
        float[] x = new float[(int) n];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /** NHWC data of dims {@code [n, h, w, c]} reordered to NCHW. */
    static float[] toNchw(float[] nhwc, int n, int h, int w, int c) {
        float[] out = new float[nhwc.length];
        for (int b = 0; b < n; b++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int k = 0; k < c; k++) {
                        out[((b * c + k) * h + y) * w + x] = nhwc[((b * h + y) * w + x) * c + k];
                    }
                }
            }
        }
        return out;
    }

    static double maxAbs(float[] v) {
        double m = 0;
        for (float f : v) {
            m = Math.max(m, Math.abs(f));
        }
        return m;
    }

    /** Largest |a - b|, or infinity on a NaN or length mismatch. */
    static double maxDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (Double.isNaN(d)) {
                return Double.POSITIVE_INFINITY;
            }
            m = Math.max(m, d);
        }
        return m;
    }
}
