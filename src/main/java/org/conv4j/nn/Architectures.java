package org.conv4j.nn;

import java.util.List;
import java.util.Locale;
import org.conv4j.Padding;

/**
 * The seed's five networks (chapter 13), buildable by name with any input size, class count, batch, dtype and
 * layout. Inference graphs: dropout is the identity and left out, batch norm is folded into convolutions.
 *
 * <ul>
 *   <li>{@code lenet5}: 32x32x1 by default. Average pooling followed by a learned per-map coefficient and bias;
 *       C3's partial connection table (LeCun et al. 1998, table 1): 60 of the 96 map pairs, 1,516 parameters.
 *       Departures, since the library has no tanh/sigmoid/RBF: every squashing function is a ReLU, and the RBF
 *       output is a dense layer plus softmax (850 parameters instead of the RBF's 840).</li>
 *   <li>{@code alexnet}: the seed's table 13-2, one tower (no two-GPU groups), 227x227x3, LRN (r=2, alpha=2e-5,
 *       beta=0.75, k=1) after C1 and C3, with the 3x3/2 max pool before the first fully connected layer that the
 *       book's second edition restores (the first edition's table omits it): 62,378,344 parameters.
 *       {@code alexnet-2gpu}: the paper's two-tower grouping of C3, C6, C7 (groups 2): 60,965,224.</li>
 *   <li>{@code googlenet}: the seed's figure 13-11 with its nine inception modules, SAME padding everywhere, two
 *       LRNs, global average pooling, no auxiliary heads.</li>
 *   <li>{@code resnet18}, {@code resnet34}, {@code resnet50}, {@code resnet101}, {@code resnet152}: the stem
 *       (7x7/2 conv + BN + ReLU, 3x3/2 max pool), residual stages of 64/128/256/512 maps (x4 for bottleneck
 *       units), global average pooling, dense, softmax. Parameter names and PyTorch-style explicit padding match
 *       torchvision, whose checkpoints load as they are; bottleneck units put the stride on the 3x3 (v1.5).</li>
 * </ul>
 */
public final class Architectures {
    private Architectures() {
    }

    /** Names {@link #build} accepts. */
    public static List<String> names() {
        return List.of("lenet5", "alexnet", "alexnet-2gpu", "googlenet", "resnet18", "resnet34", "resnet50",
                "resnet101", "resnet152");
    }

    /** The published input size and class count of a network, batch 1, f32, NHWC. */
    public static ModelConfig defaultConfig(String name) {
        return switch (normalise(name)) {
            case "lenet5" -> ModelConfig.of(32, 32, 1, 10);
            case "alexnet", "alexnet-2gpu" -> ModelConfig.of(227, 227, 3, 1000);
            default -> ModelConfig.of(224, 224, 3, 1000);
        };
    }

    public static Graph build(String name) {
        return build(name, defaultConfig(name));
    }

    public static Graph build(String name, ModelConfig c) {
        return switch (normalise(name)) {
            case "lenet5" -> lenet5(c);
            case "alexnet" -> alexnet(c, false);
            case "alexnet-2gpu" -> alexnet(c, true);
            case "googlenet" -> googlenet(c);
            case "resnet18" -> resnet("resnet18", c, new int[] {2, 2, 2, 2}, false);
            case "resnet34" -> resnet("resnet34", c, new int[] {3, 4, 6, 3}, false);
            case "resnet50" -> resnet("resnet50", c, new int[] {3, 4, 6, 3}, true);
            case "resnet101" -> resnet("resnet101", c, new int[] {3, 4, 23, 3}, true);
            case "resnet152" -> resnet("resnet152", c, new int[] {3, 8, 36, 3}, true);
            default -> throw new IllegalArgumentException("model '" + name + "' is unknown; known models: " + names());
        };
    }

    private static String normalise(String name) {
        if (name == null) {
            throw new IllegalArgumentException("model name is null; known models: " + names());
        }
        String n = name.trim().toLowerCase(Locale.ROOT).replace("_", "-");
        return switch (n) {
            case "lenet", "lenet-5" -> "lenet5";
            case "resnet-18", "resnet-34", "resnet-50", "resnet-101", "resnet-152" -> n.replace("-", "");
            default -> n;
        };
    }

    private static GraphBuilder builder(String name, ModelConfig c) {
        return new GraphBuilder(name, c.dtype(), c.layout(), c.inputDims());
    }

    /** LeNet-5's C3 table: row o lists the S2 maps that C3 map o reads. */
    static boolean[][] lenetC3Table() {
        int[][] links = {
            {0, 1, 2}, {1, 2, 3}, {2, 3, 4}, {3, 4, 5}, {4, 5, 0}, {5, 0, 1},
            {0, 1, 2, 3}, {1, 2, 3, 4}, {2, 3, 4, 5}, {3, 4, 5, 0}, {4, 5, 0, 1}, {5, 0, 1, 2},
            {0, 1, 3, 4}, {1, 2, 4, 5}, {0, 2, 3, 5},
            {0, 1, 2, 3, 4, 5},
        };
        boolean[][] t = new boolean[16][6];
        for (int o = 0; o < links.length; o++) {
            for (int i : links[o]) {
                t[o][i] = true;
            }
        }
        return t;
    }

    static Graph lenet5(ModelConfig c) {
        GraphBuilder g = builder("lenet5", c);
        Value x = g.conv("c1", g.input(), 6, 5, 1, Padding.VALID, true);
        x = g.scaleShift("s2", g.avgPool("s2.pool", x, 2, 2, Padding.VALID), true);
        x = g.partialConv("c3", x, 16, 5, lenetC3Table(), true);
        x = g.scaleShift("s4", g.avgPool("s4.pool", x, 2, 2, Padding.VALID), true);
        x = g.conv("c5", x, 120, 5, 1, Padding.VALID, true);
        x = g.dense("f6", g.flatten("flatten", x), 84, true);
        x = g.dense("output", x, c.classes(), false);
        return g.build(g.softmax("softmax", x));
    }

    static Graph alexnet(ModelConfig c, boolean twoTowers) {
        GraphBuilder g = builder(twoTowers ? "alexnet-2gpu" : "alexnet", c);
        int groups = twoTowers ? 2 : 1;
        Padding same = Padding.SAME;
        Padding valid = Padding.VALID;
        Value x = g.conv("c1", g.input(), 96, 11, 4, valid, true);
        x = g.lrn("c1.lrn", x, 2, 1f, 2e-5f, 0.75f);
        x = g.maxPool("s2", x, 3, 2, valid);
        x = g.conv("c3", x, 256, 5, 1, same, groups, true);
        x = g.lrn("c3.lrn", x, 2, 1f, 2e-5f, 0.75f);
        x = g.maxPool("s4", x, 3, 2, valid);
        x = g.conv("c5", x, 384, 3, 1, same, true);
        x = g.conv("c6", x, 384, 3, 1, same, groups, true);
        x = g.conv("c7", x, 256, 3, 1, same, groups, true);
        x = g.maxPool("s8", x, 3, 2, valid);
        x = g.dense("f9", g.flatten("flatten", x), 4096, true);
        x = g.dense("f10", x, 4096, true);
        x = g.dense("out", x, c.classes(), false);
        return g.build(g.softmax("softmax", x));
    }

    static Graph googlenet(ModelConfig c) {
        GraphBuilder g = builder("googlenet", c);
        Padding same = Padding.SAME;
        Value x = g.conv("conv1", g.input(), 64, 7, 2, same, true);
        x = g.maxPool("pool1", x, 3, 2, same);
        x = g.lrn("lrn1", x, 2, 1f, 2e-5f, 0.75f);
        x = g.conv("conv2_reduce", x, 64, 1, 1, same, true);
        x = g.conv("conv2", x, 192, 3, 1, same, true);
        x = g.lrn("lrn2", x, 2, 1f, 2e-5f, 0.75f);
        x = g.maxPool("pool2", x, 3, 2, same);
        x = Blocks.inception(g, "inception3a", x, 64, 96, 128, 16, 32, 32);
        x = Blocks.inception(g, "inception3b", x, 128, 128, 192, 32, 96, 64);
        x = g.maxPool("pool3", x, 3, 2, same);
        x = Blocks.inception(g, "inception4a", x, 192, 96, 208, 16, 48, 64);
        x = Blocks.inception(g, "inception4b", x, 160, 112, 224, 24, 64, 64);
        x = Blocks.inception(g, "inception4c", x, 128, 128, 256, 24, 64, 64);
        x = Blocks.inception(g, "inception4d", x, 112, 144, 288, 32, 64, 64);
        x = Blocks.inception(g, "inception4e", x, 256, 160, 320, 32, 128, 128);
        x = g.maxPool("pool4", x, 3, 2, same);
        x = Blocks.inception(g, "inception5a", x, 256, 160, 320, 32, 128, 128);
        x = Blocks.inception(g, "inception5b", x, 384, 192, 384, 48, 128, 128);
        x = g.globalAvgPool("avgpool", x);
        x = g.dense("fc", x, c.classes(), false);
        return g.build(g.softmax("softmax", x));
    }

    static Graph resnet(String name, ModelConfig c, int[] units, boolean bottleneck) {
        GraphBuilder g = builder(name, c);
        int total = 0;
        for (int u : units) {
            total += u;
        }
        // Random weights: a residual branch scaled by 1/sqrt(units) keeps the sum's variance bounded (about e).
        double lastScale = 1 / Math.sqrt(total);
        Value x = g.convBn("conv1", "conv1", "bn1", g.input(), 64, 7, 2, Blocks.pad(3), true, 1);
        x = g.maxPool("maxpool", x, 3, 2, Blocks.pad(1));
        int[] widths = {64, 128, 256, 512};
        for (int s = 0; s < units.length; s++) {
            for (int u = 0; u < units[s]; u++) {
                int stride = (s > 0 && u == 0) ? 2 : 1;
                String prefix = "layer" + (s + 1) + "." + u;
                x = bottleneck
                        ? Blocks.bottleneckUnit(g, prefix, x, widths[s], stride, lastScale)
                        : Blocks.basicUnit(g, prefix, x, widths[s], stride, lastScale);
            }
        }
        x = g.globalAvgPool("avgpool", x);
        x = g.dense("fc", x, c.classes(), false);
        return g.build(g.softmax("softmax", x));
    }
}
