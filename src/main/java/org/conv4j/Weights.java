package org.conv4j;

/**
 * Reads parameter tensors of any dtype and layout into one canonical fp32 order, from which engines pack what
 * they need: filters (and transposed filters) as {@code [O][I][D][H][W]} with missing spatial axes of extent 1,
 * dense weights as {@code [O][I]}, vectors as they are.
 */
public final class Weights {
    private Weights() {
    }

    /** The values of {@code t} in canonical order (see the class comment). */
    public static float[] canonical(Tensor t) {
        t.checkAlive();
        Layout l = t.layout();
        if (t.elementCount() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("weights: " + t.describe() + " has more elements than a Java array holds");
        }
        return switch (l.kind()) {
            case VECTOR -> t.toFloatArray();
            case DENSE_WEIGHTS -> {
                int o = t.extent('O');
                int i = t.extent('I');
                float[] out = new float[Math.multiplyExact(o, i)];
                boolean io = l == Layout.IO;
                for (int a = 0; a < o; a++) {
                    for (int b = 0; b < i; b++) {
                        out[a * i + b] = t.getFloat(io ? (long) b * o + a : (long) a * i + b);
                    }
                }
                yield out;
            }
            case FILTER, TRANSPOSED_FILTER -> {
                int[] dims = t.dims();
                String axes = l.name();
                long[] stride = new long[dims.length];
                long s = 1;
                for (int k = dims.length - 1; k >= 0; k--) {
                    stride[k] = s;
                    s *= dims[k];
                }
                // strides of O, I, D, H, W in the tensor; extents likewise (1 when absent)
                long[] st = new long[5];
                int[] ex = {1, 1, 1, 1, 1};
                String order = "OIDHW";
                for (int k = 0; k < axes.length(); k++) {
                    int pos = order.indexOf(axes.charAt(k));
                    st[pos] = stride[k];
                    ex[pos] = dims[k];
                }
                float[] out = new float[(int) t.elementCount()];
                int p = 0;
                for (int o = 0; o < ex[0]; o++) {
                    for (int i = 0; i < ex[1]; i++) {
                        for (int d = 0; d < ex[2]; d++) {
                            for (int h = 0; h < ex[3]; h++) {
                                for (int w = 0; w < ex[4]; w++) {
                                    out[p++] = t.getFloat(o * st[0] + i * st[1] + d * st[2] + h * st[3] + w * st[4]);
                                }
                            }
                        }
                    }
                }
                yield out;
            }
            case ACTIVATION -> throw new IllegalArgumentException("weights: layout " + l + " is an activation layout");
        };
    }
}
