package org.conv4j.nn;

import org.conv4j.Padding;

/** The composite units of the seed's networks, built from {@link GraphBuilder} layers. */
public final class Blocks {
    private Blocks() {
    }

    /** PyTorch-style symmetric zero padding {@code p} on both spatial axes. */
    public static Padding pad(int p) {
        return Padding.symmetric(p, p);
    }

    /**
     * GoogLeNet's inception module (the seed's figure 13-10): four branches on the same input, every convolution
     * with ReLU, stride 1 and SAME padding, joined by depth concat. The six sizes are in the figure's order:
     * 1x1; 1x1 reduce then 3x3; 1x1 reduce then 5x5; 3x3 max pool then 1x1 projection.
     */
    public static Value inception(GraphBuilder g, String name, Value in, int n1x1, int n3x3reduce, int n3x3,
                                  int n5x5reduce, int n5x5, int poolProjection) {
        Padding same = Padding.SAME;
        Value b1 = g.conv(name + ".branch1", in, n1x1, 1, 1, same, true);
        Value b2 = g.conv(name + ".branch2_reduce", in, n3x3reduce, 1, 1, same, true);
        b2 = g.conv(name + ".branch2", b2, n3x3, 3, 1, same, true);
        Value b3 = g.conv(name + ".branch3_reduce", in, n5x5reduce, 1, 1, same, true);
        b3 = g.conv(name + ".branch3", b3, n5x5, 5, 1, same, true);
        Value b4 = g.maxPool(name + ".branch4_pool", in, 3, 1, same);
        b4 = g.conv(name + ".branch4", b4, poolProjection, 1, 1, same, true);
        return g.concat(name, b1, b2, b3, b4);
    }

    /**
     * ResNet-18/34's basic residual unit: 3x3 (stride {@code stride}) + BN + ReLU, 3x3 + BN, plus the input or, when
     * the shape changes, a 1x1 projection with the same stride + BN; then ReLU. Names follow torchvision
     * ({@code layer1.0.conv1}, {@code layer1.0.bn1}, {@code layer1.0.downsample.0}, ...).
     *
     * @param lastBnScale initial scale of the branch's last batch norm for random weights
     */
    public static Value basicUnit(GraphBuilder g, String prefix, Value in, int outChannels, int stride,
                                  double lastBnScale) {
        Value a = g.convBn(prefix + ".conv1", prefix + ".conv1", prefix + ".bn1", in, outChannels, 3, stride, pad(1),
                true, 1);
        Value b = g.convBn(prefix + ".conv2", prefix + ".conv2", prefix + ".bn2", a, outChannels, 3, 1, pad(1), false,
                lastBnScale);
        Value shortcut = shortcut(g, prefix, in, outChannels, stride);
        return g.add(prefix + ".add", b, shortcut, true);
    }

    /**
     * ResNet-50/101/152's bottleneck unit, torchvision's v1.5 placement (the stride sits on the 3x3): 1x1 to
     * {@code width} + BN + ReLU, 3x3 + BN + ReLU, 1x1 to {@code 4 width} + BN, plus the input or a 1x1 projection
     * shortcut; then ReLU.
     */
    public static Value bottleneckUnit(GraphBuilder g, String prefix, Value in, int width, int stride,
                                       double lastBnScale) {
        int out = 4 * width;
        Value a = g.convBn(prefix + ".conv1", prefix + ".conv1", prefix + ".bn1", in, width, 1, 1, pad(0), true, 1);
        Value b = g.convBn(prefix + ".conv2", prefix + ".conv2", prefix + ".bn2", a, width, 3, stride, pad(1), true, 1);
        Value c = g.convBn(prefix + ".conv3", prefix + ".conv3", prefix + ".bn3", b, out, 1, 1, pad(0), false,
                lastBnScale);
        Value shortcut = shortcut(g, prefix, in, out, stride);
        return g.add(prefix + ".add", c, shortcut, true);
    }

    /** The identity, or a 1x1 convolution with the unit's stride and batch norm where the shape changes. */
    private static Value shortcut(GraphBuilder g, String prefix, Value in, int outChannels, int stride) {
        int inChannels = in.spec().extent('C');
        if (stride == 1 && inChannels == outChannels) {
            return in;
        }
        return g.convBn(prefix + ".downsample", prefix + ".downsample.0", prefix + ".downsample.1", in, outChannels, 1,
                stride, pad(0), false, 1);
    }
}
