package org.conv4j.reference;

import org.conv4j.ActivationShape;

/**
 * The geometry of a sliding-window operation with every spatial parameter padded to {D, H, W}, so one triple loop
 * serves 1-D, 2-D and 3-D: memory strides of input and output ({N, C, D, H, W}), their spatial extents, and the
 * window's size, strides, dilations and leading padding.
 */
record Window(long[] xs, long[] ys, int[] in, int[] out, int[] size, int[] stride, int[] dilation, int[] padBefore) {
    static Window of(ActivationShape input, ActivationShape output, int[] size, int[] stride, int[] dilation, int[] padBefore) {
        return new Window(input.strides(), output.strides(), input.spatial3(), output.spatial3(), pad3(size, 1),
                pad3(stride, 1), pad3(dilation, 1), pad3(padBefore, 0));
    }

    /** Pads a per-spatial-axis array to {D, H, W}, filling missing leading axes. */
    static int[] pad3(int[] v, int fill) {
        int[] r = {fill, fill, fill};
        System.arraycopy(v, 0, r, 3 - v.length, v.length);
        return r;
    }

    /** Memory index of input element (n, c, d, h, w). */
    long x(int n, int c, int d, int h, int w) {
        return n * xs[0] + c * xs[1] + d * xs[2] + h * xs[3] + w * xs[4];
    }

    /** Memory index of output element (n, c, d, h, w). */
    long y(int n, int c, int d, int h, int w) {
        return n * ys[0] + c * ys[1] + d * ys[2] + h * ys[3] + w * ys[4];
    }
}
