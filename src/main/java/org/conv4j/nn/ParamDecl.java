package org.conv4j.nn;

import java.util.Arrays;

/**
 * One named parameter tensor a layer reads from {@link Checkpoint}, in the checkpoint convention of PyTorch
 * (convolution filters {@code OIHW}, dense weights {@code OI}, batch norm as weight/bias/running_mean/running_var),
 * with how to initialise it when no weights are given.
 *
 * @param fanIn  inputs feeding one output unit (for He and Glorot)
 * @param fanOut outputs one input unit feeds (for Glorot)
 * @param scale  multiplies the initial value (1 for the textbook initialisers)
 */
public record ParamDecl(String name, int[] shape, Init init, long fanIn, long fanOut, double scale) {
    /** Initialisers used when no weights are loaded. */
    public enum Init {
        /** Normal with standard deviation sqrt(2 / fanIn): layers followed by ReLU (He et al. 2015). */
        HE_NORMAL,
        /** Uniform in +-sqrt(6 / (fanIn + fanOut)): layers not followed by ReLU (Glorot and Bengio 2010). */
        GLOROT_UNIFORM,
        ZEROS,
        /** Every element equals {@code scale}. */
        CONSTANT
    }

    public ParamDecl {
        shape = shape.clone();
    }

    public static ParamDecl constant(String name, int n, double value) {
        return new ParamDecl(name, new int[] {n}, Init.CONSTANT, 0, 0, value);
    }

    public static ParamDecl zeros(String name, int n) {
        return new ParamDecl(name, new int[] {n}, Init.ZEROS, 0, 0, 1);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public long elementCount() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParamDecl p && p.name.equals(name) && Arrays.equals(p.shape, shape) && p.init == init
                && p.fanIn == fanIn && p.fanOut == fanOut && Double.compare(p.scale, scale) == 0;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + Arrays.toString(shape) + " " + init;
    }
}
