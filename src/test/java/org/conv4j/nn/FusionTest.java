package org.conv4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.conv4j.Conv4j;
import org.conv4j.ConvSpec;
import org.conv4j.DType;
import org.conv4j.Layout;
import org.conv4j.spi.EngineRegistry;
import org.conv4j.Padding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A fused plan runs each ResNet unit's last convolution, skip sum and ReLU as one residual convolution. */
class FusionTest {
    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet50"})
    void everyUnitIsFusedAndTheResultIsTheUnfusedGraphs(String name) {
        Graph g = TestModels.small(name, 2, DType.F32, Layout.NHWC);
        MemoryPlan fused = MemoryPlan.fused(g);
        MemoryPlan plain = MemoryPlan.of(g);
        String last = name.equals("resnet18") ? ".conv2" : ".conv3";
        int units = 0;
        for (int j = 0; j < g.layers().size(); j++) {
            Layer l = g.layers().get(j);
            if (!l.name().endsWith(".add")) {
                assertEquals(-1, fused.fusedConv(j), l.name());
                continue;
            }
            units++;
            String unit = l.name().substring(0, l.name().length() - ".add".length());
            int conv = g.layers().indexOf(g.layer(unit + last));
            assertEquals(conv, fused.fusedConv(j), l.name());
            assertEquals(j, fused.fusedInto(conv));
            assertEquals(-1, plain.fusedConv(j));
            Value skip = fused.stepInputs(j).get(1);
            assertSame(g.layer(unit + last).inputs().get(0), fused.stepInputs(j).get(0));
            // the skip dies at the add: the fused step writes over it (the identity skip or the projection)
            assertSame(fused.bufferOf(skip.id()), fused.bufferOf(l.output().id()), l.name());
            // the convolution's input lives until the fused step
            assertTrue(fused.bufferOf(fused.stepInputs(j).get(0).id()).last() >= j + 1);
            assertTrue(fused.isFused(g.layer(unit + last).output().id()));
        }
        assertEquals(name.equals("resnet18") ? 8 : 16, units);
        int unitCount = units;
        assertTrue(fused.arenaBytes() <= plain.arenaBytes(), fused + " vs " + plain);

        Checkpoint w = TestModels.weights(g, 5);
        float[] x = TestModels.input(g, 11);
        List<String> engines = Conv4j.engines().stream().filter(EngineRegistry.EngineStatus::available)
                .map(EngineRegistry.EngineStatus::name).toList();
        float[] want;
        try (Model ref = Model.compile(g, w, "reference"); Session s = ref.newSession()) {
            want = s.run(x);
        }
        for (String e : engines) {
            try (Model m = Model.compile(g, w, e, fused); Session s = m.newSession()) {
                s.fill((byte) 0xFF); // NaN poison: reading memory no step wrote would show
                float[] got = s.run(x);
                double d = TestModels.maxDiff(want, got);
                assertTrue(d <= 1e-4 * TestModels.maxAbs(want) + 1e-6, name + " fused on " + e + ": max diff " + d);
                Layer add = g.layer("layer1.0.add");
                ConvSpec spec = (ConvSpec) m.operation(add.name()).spec();
                assertTrue(spec.hasResidual() && spec.relu(), spec.toString());
                assertSame(m.operation(add.name()), m.operation("layer1.0" + last));
                Value convOut = g.layer("layer1.0" + last).output();
                assertThrows(IllegalStateException.class, () -> s.tensor(convOut));
                assertThrows(IllegalArgumentException.class, () -> m.newSession(plain));
                int operations = m.engineCounts().values().stream().mapToInt(Integer::intValue).sum();
                int unfused = (int) g.layers().stream().filter(l -> l.spec() != null).count();
                assertEquals(unfused - unitCount, operations, "one operation per unit saved");
                System.out.println(name + " fused on " + e + ": " + m.engineCounts() + ", " + m.engineOf(add.name()));
            }
        }
    }

    @Test
    void onlyAConvolutionWithoutReluReadByTheAddAloneIsFused() {
        GraphBuilder b = new GraphBuilder("fusion-rules", DType.F32, Layout.NHWC, 2, 8, 8, 4);
        Value c1 = b.conv("c1", b.input(), 4, 3, 1, Padding.SAME, false); // read by a1 and c2: kept
        Value c2 = b.conv("c2", c1, 4, 3, 1, Padding.SAME, true); // its own ReLU comes before the sum: kept
        Value a1 = b.add("a1", c1, c2, false);
        Value c3 = b.conv("c3", a1, 4, 1, 1, Padding.SAME, false);
        Value a2 = b.add("a2", a1, c3, true); // the convolution is the second input here
        Value c4 = b.conv("c4", a2, 4, 3, 1, Padding.SAME, false);
        Value a3 = b.add("a3", c4, a2, false);
        Value out = b.relu("out", a3);
        Graph g = b.build(out);
        MemoryPlan p = MemoryPlan.fused(g);
        int a1i = g.layers().indexOf(g.layer("a1"));
        int a2i = g.layers().indexOf(g.layer("a2"));
        int a3i = g.layers().indexOf(g.layer("a3"));
        assertEquals(-1, p.fusedConv(a1i));
        assertEquals(g.layers().indexOf(g.layer("c3")), p.fusedConv(a2i));
        assertEquals(g.layers().indexOf(g.layer("c4")), p.fusedConv(a3i));
        assertSame(a1, p.stepInputs(a2i).get(1));
        // a1 is both c3's input and the skip: a2 must not be written over it (nor a3 over a2, for c4)
        assertTrue(p.bufferOf(a1.id()) != p.bufferOf(a2.id()));
        assertTrue(p.bufferOf(a2.id()) != p.bufferOf(g.layer("a3").output().id()));
        Checkpoint w = TestModels.weights(g, 3);
        float[] x = TestModels.input(g, 4);
        float[] want;
        try (Model ref = Model.compile(g, w, "reference"); Session s = ref.newSession()) {
            want = s.run(x);
        }
        for (EngineRegistry.EngineStatus e : Conv4j.engines()) {
            if (!e.available()) {
                continue;
            }
            try (Model m = Model.compile(g, w, e.name(), p); Session s = m.newSession()) {
                s.fill((byte) 0xFF);
                float[] got = s.run(x);
                double d = TestModels.maxDiff(want, got);
                assertTrue(d <= 1e-4 * TestModels.maxAbs(want) + 1e-6, e.name() + ": max diff " + d);
            }
        }
    }
}
