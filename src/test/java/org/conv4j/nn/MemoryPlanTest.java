package org.conv4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.conv4j.DType;
import org.conv4j.Layout;
import org.conv4j.Padding;
import org.junit.jupiter.api.Test;

/** The liveness planner: invariants on every network, the seed's two-layer rule, skips and branches. */
class MemoryPlanTest {
    private static void checkInvariants(MemoryPlan p) {
        List<MemoryPlan.Buffer> bs = p.buffers();
        for (MemoryPlan.Buffer a : bs) {
            assertEquals(0, a.offset() % MemoryPlan.ALIGNMENT, "alignment of " + a);
            assertTrue(a.offset() + a.bytes() <= p.arenaBytes(), a + " outside the arena " + p.arenaBytes());
            for (MemoryPlan.Buffer b : bs) {
                if (a.id() < b.id() && a.first() <= b.last() && b.first() <= a.last()) {
                    boolean disjoint = a.offset() + a.bytes() <= b.offset() || b.offset() + b.bytes() <= a.offset();
                    assertTrue(disjoint, p.graph().name() + ": " + a + " and " + b + " live together and overlap");
                }
            }
        }
        for (Value v : p.graph().values()) {
            assertTrue(p.bufferOf(v.id()).bytes() >= v.spec().byteSize(p.dtype()), v + " does not fit its buffer");
        }
        assertTrue(p.arenaBytes() >= p.lowerBound());
        assertTrue(p.naiveBytes() >= p.arenaBytes() || p.strategy() == MemoryPlan.Strategy.NAIVE);
    }

    @Test
    void invariantsOnEveryNetworkAndStrategy() {
        for (String name : Architectures.names()) {
            Graph g = Architectures.build(name, Architectures.defaultConfig(name).withBatch(2));
            for (MemoryPlan.Strategy s : MemoryPlan.Strategy.values()) {
                for (DType t : List.of(DType.F32, DType.F16)) {
                    MemoryPlan p = MemoryPlan.of(g, t, s);
                    checkInvariants(p);
                    if (s == MemoryPlan.Strategy.NAIVE) {
                        assertEquals(p.naiveBytes(), p.arenaBytes(), p.toString());
                    } else {
                        assertTrue(p.arenaBytes() < p.naiveBytes(), p.toString());
                    }
                }
            }
        }
    }

    @Test
    void aChainNeedsTwoConsecutiveLayersPlusItsInput() {
        // the seed: in inference a layer's memory is freed once the next layer is computed
        GraphBuilder g = new GraphBuilder("chain", DType.F32, Layout.NHWC, 1, 16, 16, 3);
        int[] widths = {8, 32, 4, 16, 2};
        Value x = g.input();
        for (int i = 0; i < widths.length; i++) {
            x = g.conv("c" + i, x, widths[i], 3, 1, Padding.SAME, true);
        }
        Graph graph = g.build(x);
        MemoryPlan p = MemoryPlan.of(graph, DType.F32, MemoryPlan.Strategy.REUSE);
        long map = 16 * 16 * 4;
        long pairs = widths[0] * map;
        for (int i = 0; i + 1 < widths.length; i++) {
            pairs = Math.max(pairs, (widths[i] + widths[i + 1]) * map);
        }
        // the input stays for the whole run (callers may rerun it); then the largest consecutive pair
        assertEquals(3 * map + pairs, p.lowerBound());
        assertEquals(p.lowerBound(), p.arenaBytes());
    }

    @Test
    void skipConnectionsAndBranchesExtendLifetimes() {
        Graph r = Architectures.build("resnet34");
        MemoryPlan p = MemoryPlan.of(r);
        checkInvariants(p);
        // the input of unit layer1.1 (output of layer1.0.add) lives until layer1.1.add
        Value unitIn = r.layer("layer1.0.add").output();
        int addStep = r.layers().indexOf(r.layer("layer1.1.add")) + 1;
        assertEquals(addStep, p.bufferOf(unitIn.id()).last());
        // in place: the add writes over the branch's last convolution, never over the skip
        assertSame(p.bufferOf(r.layer("layer1.1.conv2").output().id()), p.bufferOf(r.layer("layer1.1.add").output().id()));
        assertNotEquals(p.bufferOf(unitIn.id()).id(), p.bufferOf(r.layer("layer1.1.add").output().id()).id());
        MemoryPlan noInPlace = MemoryPlan.of(r, DType.F32, MemoryPlan.Strategy.REUSE);
        assertNotEquals(noInPlace.bufferOf(r.layer("layer1.1.conv2").output().id()).id(),
                noInPlace.bufferOf(r.layer("layer1.1.add").output().id()).id());

        Graph gn = Architectures.build("googlenet");
        MemoryPlan q = MemoryPlan.of(gn);
        Value moduleIn = gn.layer("pool2").output();
        int lastBranch = gn.layers().indexOf(gn.layer("inception3a.branch4_pool")) + 1;
        assertEquals(lastBranch, q.bufferOf(moduleIn.id()).last());
        // each branch result lives until the concat
        int concat = gn.layers().indexOf(gn.layer("inception3a")) + 1;
        assertEquals(concat, q.bufferOf(gn.layer("inception3a.branch1").output().id()).last());

        Graph a = Architectures.build("alexnet");
        MemoryPlan pa = MemoryPlan.of(a);
        assertSame(pa.bufferOf(a.layer("s8").output().id()), pa.bufferOf(a.layer("flatten").output().id()));
    }
}
