package org.conv4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.conv4j.AddSpec;
import org.conv4j.BatchNormSpec;
import org.conv4j.ConcatSpec;
import org.conv4j.Conv4j;
import org.conv4j.ConvSpec;
import org.conv4j.DType;
import org.conv4j.Layout;
import org.conv4j.OpSpec;
import org.conv4j.Operation;
import org.conv4j.Padding;
import org.conv4j.PoolKind;
import org.conv4j.PoolSpec;
import org.conv4j.Tensor;
import org.junit.jupiter.api.Test;

/**
 * One ResNet unit, one inception module and LeNet-5's C3 checked operation by operation against specs composed
 * by hand from the checkpoint tensors as they are (OIHW filters, batch norm not folded), on the reference engine.
 */
class OpByOpTest {
    private final List<AutoCloseable> open = new ArrayList<>();

    private Tensor t(float[] v, Layout l, int... dims) {
        Tensor x = Tensor.of(v, l, dims);
        open.add(x);
        return x;
    }

    /** Runs {@code spec} on the reference engine. */
    private Tensor run(OpSpec spec, List<Tensor> inputs, Tensor... params) {
        Operation op = Conv4j.prepare(spec, "reference", params);
        Tensor out = spec.output().allocate(DType.F32);
        open.add(out);
        op.apply(inputs, out);
        op.close();
        return out;
    }

    private Tensor conv(Tensor in, Checkpoint w, String weight, String bias, int k, int stride, Padding p, boolean relu) {
        int[] shape = w.get(weight).shape();
        ConvSpec spec = ConvSpec.builder(Layout.NHWC).input(in.dims()).kernel(k, k).outChannels(shape[0])
                .strides(stride).padding(p).filterLayout(Layout.OIHW).bias(bias != null).relu(relu).build();
        Tensor f = t(w.get(weight).data(), Layout.OIHW, shape);
        return bias == null ? run(spec, List.of(in), f) : run(spec, List.of(in), f, vec(w, bias));
    }

    private Tensor vec(Checkpoint w, String name) {
        float[] v = w.get(name).data();
        return t(v, Layout.X, v.length);
    }

    private Tensor bn(Tensor in, Checkpoint w, String prefix, boolean relu) {
        BatchNormSpec spec = new BatchNormSpec(DType.F32, Layout.NHWC, in.dims(), GraphBuilder.BN_EPSILON, relu);
        return run(spec, List.of(in), vec(w, prefix + ".running_mean"), vec(w, prefix + ".running_var"),
                vec(w, prefix + ".weight"), vec(w, prefix + ".bias"));
    }

    private static void close(List<AutoCloseable> list) throws Exception {
        for (AutoCloseable c : list) {
            c.close();
        }
        list.clear();
    }

    private static void near(String what, Tensor want, Tensor got) {
        assertArrayEquals(want.dims(), got.dims(), what);
        float[] a = want.toFloatArray();
        float[] b = got.toFloatArray();
        double tol = 2e-5 * TestModels.maxAbs(a) + 1e-6;
        double d = TestModels.maxDiff(a, b);
        assertTrue(d <= tol, what + ": max diff " + d + " > " + tol);
        assertTrue(TestModels.maxAbs(a) > 0, what + ": all zero, the check would be vacuous");
    }

    @Test
    void residualUnitWithProjectionShortcut() throws Exception {
        GraphBuilder g = new GraphBuilder("unit", DType.F32, Layout.NHWC, 2, 9, 9, 8);
        Value out = Blocks.basicUnit(g, "layer2.0", g.input(), 16, 2, 0.7);
        Graph graph = g.build(out);
        Checkpoint w = TestModels.weights(graph, 21);
        float[] x = TestModels.input(graph, 22);
        MemoryPlan keepAll = MemoryPlan.of(graph, DType.F32, MemoryPlan.Strategy.NAIVE);
        try (Model m = Model.compile(graph, w, "reference", keepAll); Session s = m.newSession()) {
            s.run(x);
            Tensor in = t(x, Layout.NHWC, 2, 9, 9, 8);
            Tensor a = bn(conv(in, w, "layer2.0.conv1.weight", null, 3, 2, Blocks.pad(1), false), w, "layer2.0.bn1", true);
            near("conv1+bn1+relu", a, s.tensor(graph.layer("layer2.0.conv1").output()));
            Tensor b = bn(conv(a, w, "layer2.0.conv2.weight", null, 3, 1, Blocks.pad(1), false), w, "layer2.0.bn2", false);
            near("conv2+bn2", b, s.tensor(graph.layer("layer2.0.conv2").output()));
            Tensor sc = bn(conv(in, w, "layer2.0.downsample.0.weight", null, 1, 2, Blocks.pad(0), false), w,
                    "layer2.0.downsample.1", false);
            near("1x1/2 projection + bn", sc, s.tensor(graph.layer("layer2.0.downsample").output()));
            Tensor sum = run(new AddSpec(DType.F32, Layout.NHWC, b.dims(), true), List.of(b, sc));
            near("add+relu", sum, s.output());
            assertArrayEquals(new int[] {2, 5, 5, 16}, s.output().dims());
        } finally {
            close(open);
        }
    }

    @Test
    void inceptionModule() throws Exception {
        GraphBuilder g = new GraphBuilder("inception", DType.F32, Layout.NHWC, 1, 7, 7, 12);
        Value out = Blocks.inception(g, "m", g.input(), 4, 3, 5, 2, 3, 6);
        Graph graph = g.build(out);
        Checkpoint w = TestModels.weights(graph, 34);
        float[] x = TestModels.input(graph, 32);
        MemoryPlan keepAll = MemoryPlan.of(graph, DType.F32, MemoryPlan.Strategy.NAIVE);
        try (Model m = Model.compile(graph, w, "reference", keepAll); Session s = m.newSession()) {
            s.run(x);
            Tensor in = t(x, Layout.NHWC, 1, 7, 7, 12);
            Padding same = Padding.SAME;
            Tensor b1 = conv(in, w, "m.branch1.weight", "m.branch1.bias", 1, 1, same, true);
            Tensor b2 = conv(conv(in, w, "m.branch2_reduce.weight", "m.branch2_reduce.bias", 1, 1, same, true), w,
                    "m.branch2.weight", "m.branch2.bias", 3, 1, same, true);
            Tensor b3 = conv(conv(in, w, "m.branch3_reduce.weight", "m.branch3_reduce.bias", 1, 1, same, true), w,
                    "m.branch3.weight", "m.branch3.bias", 5, 1, same, true);
            Tensor pool = run(PoolSpec.builder(PoolKind.MAX, Layout.NHWC).input(1, 7, 7, 12).window(3, 3).strides(1, 1)
                    .padding(same).build(), List.of(in));
            Tensor b4 = conv(pool, w, "m.branch4.weight", "m.branch4.bias", 1, 1, same, true);
            near("branch 1x1", b1, s.tensor(graph.layer("m.branch1").output()));
            near("branch 1x1 -> 3x3", b2, s.tensor(graph.layer("m.branch2").output()));
            near("branch 1x1 -> 5x5", b3, s.tensor(graph.layer("m.branch3").output()));
            near("branch pool -> 1x1", b4, s.tensor(graph.layer("m.branch4").output()));
            Tensor cat = run(new ConcatSpec(DType.F32, Layout.NHWC, b1.dims(), 4, 5, 3, 6), List.of(b1, b2, b3, b4));
            near("depth concat", cat, s.output());
            assertArrayEquals(new int[] {1, 7, 7, 18}, s.output().dims());
        } finally {
            close(open);
        }
    }

    @Test
    void lenetC3HonoursItsConnectionTable() {
        Graph g = TestModels.small("lenet5", 1, DType.F32, Layout.NHWC);
        Checkpoint w = TestModels.weights(g, 41);
        float[] x = TestModels.input(g, 42);
        boolean[][] table = Architectures.lenetC3Table();
        MemoryPlan keepAll = MemoryPlan.of(g, DType.F32, MemoryPlan.Strategy.NAIVE);
        float[] s2;
        float[] c3;
        float[] logits;
        try (Model m = Model.compile(g, w, "reference", keepAll); Session s = m.newSession()) {
            s.run(x);
            s2 = s.tensor(g.layer("s2").output()).toFloatArray();
            c3 = s.tensor(g.layer("c3").output()).toFloatArray();
            logits = s.tensor(g.layer("softmax").inputs().get(0)).toFloatArray();
        }
        float[] f = w.get("c3.weight").data();
        float[] bias = w.get("c3.bias").data();
        for (int y = 0; y < 10; y++) {
            for (int xx = 0; xx < 10; xx++) {
                for (int o = 0; o < 16; o++) {
                    double acc = bias[o];
                    for (int i = 0; i < 6; i++) {
                        if (!table[o][i]) {
                            continue;
                        }
                        for (int ky = 0; ky < 5; ky++) {
                            for (int kx = 0; kx < 5; kx++) {
                                acc += s2[((y + ky) * 14 + xx + kx) * 6 + i] * f[((o * 6 + i) * 5 + ky) * 5 + kx];
                            }
                        }
                    }
                    double want = Math.max(acc, 0);
                    float got = c3[(y * 10 + xx) * 16 + o];
                    assertTrue(Math.abs(want - got) <= 1e-5 * (1 + Math.abs(want)),
                            "c3 map " + o + " at " + y + "," + xx + ": " + got + " vs " + want);
                }
            }
        }
        // Taps of missing links are ignored: garbage there changes nothing.
        for (int o = 0; o < 16; o++) {
            for (int i = 0; i < 6; i++) {
                if (!table[o][i]) {
                    for (int k = 0; k < 25; k++) {
                        f[(o * 6 + i) * 25 + k] = 1e6f;
                    }
                }
            }
        }
        try (Model m = Model.compile(g, w, "reference", keepAll); Session s = m.newSession()) {
            s.run(x);
            assertArrayEquals(logits, s.tensor(g.layer("softmax").inputs().get(0)).toFloatArray());
        }
    }
}
