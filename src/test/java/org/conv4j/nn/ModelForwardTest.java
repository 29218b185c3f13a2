package org.conv4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.conv4j.Conv4j;
import org.conv4j.DType;
import org.conv4j.Layout;
import org.conv4j.spi.EngineRegistry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Forward passes of every network at a small input size: on the reference engine under two memory plans (shared
 * and in place versus one buffer per activation, both arenas poisoned with NaN first), and on every other
 * available engine against the reference, layer by layer.
 */
class ModelForwardTest {
    static final String[] NETS = {"lenet5", "alexnet", "googlenet", "resnet34", "resnet152"};

    @ParameterizedTest
    @ValueSource(strings = {"lenet5", "alexnet", "googlenet", "resnet34", "resnet152"})
    void memoryPlanningDoesNotChangeTheResult(String name) {
        Graph g = TestModels.small(name, 2, DType.F32, Layout.NHWC);
        float[] x = TestModels.input(g, 11);
        try (Model m = Model.compile(g, TestModels.weights(g, 5), "reference")) {
            float[] planned;
            float[] logitsPlanned;
            try (Session s = m.newSession()) {
                s.fill((byte) 0xFF);
                planned = s.run(x);
                logitsPlanned = s.tensor(g.layer("softmax").inputs().get(0)).toFloatArray();
            }
            MemoryPlan naive = MemoryPlan.of(g, g.dtype(), MemoryPlan.Strategy.NAIVE);
            try (Session s = m.newSession(naive)) {
                s.fill((byte) 0xFF);
                float[] separate = s.run(x);
                assertArrayEquals(separate, planned, name + ": shared buffers changed the output");
                float[] logits = s.tensor(g.layer("softmax").inputs().get(0)).toFloatArray();
                assertArrayEquals(logits, logitsPlanned, name + ": shared buffers changed the logits");
                // every activation is finite: no NaN poison was read
                for (Layer l : g.layers()) {
                    for (float f : s.tensor(l.output()).toFloatArray()) {
                        assertTrue(Float.isFinite(f), name + ": layer " + l.name() + " produced " + f);
                    }
                }
                assertTrue(TestModels.maxAbs(logits) > 1e-3, name + ": logits are all zero " + TestModels.maxAbs(logits));
            }
            for (int b = 0; b < 2; b++) {
                double sum = 0;
                for (int k = 0; k < 10; k++) {
                    sum += planned[b * 10 + k];
                }
                assertEquals(1.0, sum, 1e-5, name + ": softmax row " + b);
            }
            assertTrue(m.plan().arenaBytes() < naive.arenaBytes(), name + ": " + m.plan() + " vs " + naive);
            assertEquals("reference", m.engineOf(g.layers().get(0).name()));
            String summary = m.summary().toString();
            assertTrue(summary.contains("Engine") && summary.lines().filter(l -> l.endsWith(" reference")).count()
                    == g.layers().stream().filter(l -> l.spec() != null).count(), summary);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lenet5", "alexnet", "googlenet", "resnet34", "resnet152"})
    void everyOtherEngineMatchesTheReference(String name) {
        List<EngineRegistry.EngineStatus> others = Conv4j.engines().stream()
                .filter(e -> e.available() && !e.name().equals("reference")).toList();
        Assumptions.assumeTrue(!others.isEmpty(), () -> "skipped: no engine besides reference is available ("
                + Conv4j.engines().stream().map(e -> e.name() + (e.available() ? "" : ": " + e.detail()))
                .collect(Collectors.joining("; ")) + "); memoryPlanningDoesNotChangeTheResult still runs");
        Graph g = TestModels.small(name, 2, DType.F32, Layout.NHWC);
        Checkpoint w = TestModels.weights(g, 5);
        float[] x = TestModels.input(g, 11);
        MemoryPlan naive = MemoryPlan.of(g, g.dtype(), MemoryPlan.Strategy.NAIVE);
        try (Model ref = Model.compile(g, w, "reference", naive); Session rs = ref.newSession()) {
            rs.run(x);
            for (EngineRegistry.EngineStatus e : others) {
                try (Model m = Model.compile(g, w,
                        spec -> e.engine().supports(spec).supported() ? e.name() : "reference", naive);
                     Session s = m.newSession()) {
                    s.run(x);
                    assertTrue(m.engineCounts().getOrDefault(e.name(), 0) > 0, e.name() + " ran no layer of " + name);
                    System.out.println(name + " with " + e.name() + " where it supports the layer: " + m.engineCounts());
                    List<String> bad = new ArrayList<>();
                    for (Layer l : g.layers()) {
                        float[] want = rs.tensor(l.output()).toFloatArray();
                        float[] got = s.tensor(l.output()).toFloatArray();
                        // errors of earlier layers carry forward: a relative bound on each layer's scale
                        double tol = 1e-4 * TestModels.maxAbs(want) + 1e-6;
                        double d = TestModels.maxDiff(want, got);
                        if (!(d <= tol)) {
                            bad.add(l.name() + " on " + m.engineOf(l.name()) + ": max diff " + d + " > " + tol);
                        }
                    }
                    assertTrue(bad.isEmpty(), name + " on " + e.name() + ":\n  " + String.join("\n  ", bad));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"alexnet", "googlenet", "resnet34", "lenet5"})
    void channelsLastAndChannelsFirstAgreeOnTheSameCheckpoint(String name) {
        // NCHW runs PyTorch's layouts as they are; NHWC needs OIHW->HWIO filters and permuted dense columns.
        Graph nhwc = TestModels.small(name, 1, DType.F32, Layout.NHWC);
        Graph nchw = TestModels.small(name, 1, DType.F32, Layout.NCHW);
        Checkpoint w = TestModels.weights(nhwc, 3);
        float[] x = TestModels.input(nhwc, 4);
        int[] d = nhwc.input().dims();
        try (Model a = Model.compile(nhwc, w, "reference"); Model b = Model.compile(nchw, w, "reference");
             Session sa = a.newSession(); Session sb = b.newSession()) {
            sa.run(x);
            sb.run(TestModels.toNchw(x, d[0], d[1], d[2], d[3]));
            float[] la = sa.tensor(nhwc.layer("softmax").inputs().get(0)).toFloatArray();
            float[] lb = sb.tensor(nchw.layer("softmax").inputs().get(0)).toFloatArray();
            double tol = 1e-4 * TestModels.maxAbs(la) + 1e-6;
            assertTrue(TestModels.maxDiff(la, lb) <= tol, name + ": NHWC vs NCHW logits differ by "
                    + TestModels.maxDiff(la, lb) + " > " + tol);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"F16", "BF16"})
    void halfPrecisionModelsFollowTheF32Model(String dtype) {
        DType t = DType.valueOf(dtype);
        Graph g32 = TestModels.small("resnet34", 1, DType.F32, Layout.NHWC);
        Graph g16 = TestModels.small("resnet34", 1, t, Layout.NHWC);
        Checkpoint w = TestModels.weights(g32, 9);
        float[] x = TestModels.input(g32, 10);
        try (Model a = Model.compile(g32, w, "reference"); Model b = Model.compile(g16, w, "reference");
             Session sa = a.newSession(); Session sb = b.newSession()) {
            sa.run(x);
            sb.run(x);
            float[] la = sa.tensor(g32.layer("softmax").inputs().get(0)).toFloatArray();
            float[] lb = sb.tensor(g16.layer("softmax").inputs().get(0)).toFloatArray();
            // 37 layers each rounding activations to 11 (f16) or 8 (bf16) significant bits
            double rel = t == DType.F16 ? 2e-2 : 1.5e-1;
            assertTrue(TestModels.maxDiff(la, lb) <= rel * TestModels.maxAbs(la), dtype + ": logits differ by "
                    + TestModels.maxDiff(la, lb) + " (max |logit| " + TestModels.maxAbs(la) + ")");
            assertEquals(b.plan().arenaBytes() * 2, a.plan().arenaBytes(), 64L * a.plan().buffers().size());
        }
    }
}
