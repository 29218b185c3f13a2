package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.conv4j.ConvSpec;
import org.conv4j.DType;
import org.conv4j.LrnSpec;
import org.conv4j.OpSpec;
import org.conv4j.Padding;
import org.conv4j.PoolKind;
import org.conv4j.PoolSpec;
import org.junit.jupiter.api.Test;

/** The benchmark catalogue: the shapes of shared/shapes.md, the same in the C baseline, with hand-checked FLOPs. */
class BenchShapesTest {
    @Test
    void everyShapeOfTheTableInOrder() {
        assertEquals("S1,S2,R1,R2,R3,R4,R5,R6,R7,A1,G1,D1,B32,P1,P2,P3,L1", BenchShapes.ids());
        for (BenchShapes.Shape s : BenchShapes.all()) {
            for (DType t : DType.values()) {
                assertEquals(t, s.spec(t).dtype(), s.id());
            }
        }
    }

    @Test
    void flopsFollowTheTablesFormula() {
        // 2 * N * OH * OW * K * FH * FW * C
        assertEquals(2L * 150 * 100 * 200 * 5 * 5 * 3, BenchShapes.byId("S1").flops());
        assertEquals(2L * 2 * 214 * 320 * 2 * 7 * 7 * 3, BenchShapes.byId("S2").flops());
        assertEquals(2L * 112 * 112 * 64 * 7 * 7 * 3, BenchShapes.byId("R1").flops());
        assertEquals(2L * 56 * 56 * 64 * 3 * 3 * 64, BenchShapes.byId("R2").flops());
        assertEquals(2L * 28 * 28 * 512 * 256, BenchShapes.byId("R7").flops());
        assertEquals(2L * 55 * 55 * 96 * 11 * 11 * 3, BenchShapes.byId("A1").flops());
        // depthwise: 2 * N * OH * OW * C * FH * FW
        assertEquals(2L * 112 * 112 * 32 * 3 * 3, BenchShapes.byId("D1").flops());
        assertEquals(32 * BenchShapes.byId("R2").flops(), BenchShapes.byId("B32").flops());
        // pooling: one per window cell of each output
        assertEquals(56L * 56 * 64 * 9, BenchShapes.byId("P1").flops());
        assertEquals(32L * 2048 * 49, BenchShapes.byId("P2").flops());
        assertEquals(2L * 213 * 320 * 3 * 4, BenchShapes.byId("P3").flops());
    }

    @Test
    void parseKeepsCatalogueOrderAndRejectsUnknownIds() {
        assertEquals(List.of("R2", "B32", "L1"), BenchShapes.parse("l1, b32,R2,r2").stream().map(BenchShapes.Shape::id).toList());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BenchShapes.parse("R2,R8"));
        assertTrue(e.getMessage().contains("'R8'") && e.getMessage().contains("S1,S2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BenchShapes.parse(" "));
        assertThrows(IllegalArgumentException.class, () -> BenchShapes.parse("R2,"));
    }

    /** A shape as the C baseline and shapes.md describe it: N, H, W, C, K, FH, FW, stride, SAME. */
    private record Row(String id, int n, int h, int w, int c, int k, int fh, int fw, int stride, boolean same) {
    }

    private static Row fromSpec(BenchShapes.Shape s) {
        OpSpec spec = s.spec(DType.F32);
        return switch (spec) {
            case ConvSpec c -> new Row(s.id(), c.inputShape().batch(), c.inputShape().spatial()[0],
                    c.inputShape().spatial()[1], c.inChannels(), c.outChannels(), c.kernel()[0], c.kernel()[1],
                    c.strides()[0], c.padding() == Padding.SAME);
            case PoolSpec p -> new Row(s.id(), p.inputShape().batch(), p.inputShape().spatial()[0],
                    p.inputShape().spatial()[1], p.inputShape().channels(), p.outputShape().channels(), p.window()[0],
                    p.window()[1], p.strides()[0], p.padding() == Padding.SAME);
            case LrnSpec l -> new Row(s.id(), l.shape().batch(), l.shape().spatial()[0], l.shape().spatial()[1],
                    l.shape().channels(), l.shape().channels(), l.depthRadius(), 0, 1, true);
            default -> throw new AssertionError(spec);
        };
    }

    @Test
    void theCBaselineTimesTheSameShapes() throws Exception {
        String c = Files.readString(Path.of("native/baseline/baseline.c"));
        Matcher m = Pattern.compile("\\{\"(\\w+)\", (\\w+), (\\d+), (\\d+), (\\d+), (\\d+), (\\d+), (\\d+), (\\d+), (\\d+), (\\d)}")
                .matcher(c);
        List<Row> fromC = new ArrayList<>();
        while (m.find()) {
            int[] v = new int[9];
            for (int i = 0; i < 9; i++) {
                v[i] = Integer.parseInt(m.group(3 + i));
            }
            fromC.add(new Row(m.group(1), v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8] == 1));
            String kind = m.group(2);
            BenchShapes.Shape s = BenchShapes.byId(m.group(1));
            OpSpec spec = s.spec(DType.F32);
            boolean kindMatches = switch (kind) {
                case "CONV" -> spec instanceof ConvSpec cs && !cs.isDepthwise();
                case "DWCONV" -> spec instanceof ConvSpec cs && cs.isDepthwise();
                case "MAXPOOL" -> spec instanceof PoolSpec p && p.poolKind() == PoolKind.MAX;
                case "AVGPOOL" -> spec instanceof PoolSpec p && p.poolKind() == PoolKind.AVG;
                case "LRN" -> spec instanceof LrnSpec;
                default -> false;
            };
            assertTrue(kindMatches, s.id() + " is " + kind + " in C but " + spec);
        }
        assertEquals(BenchShapes.all().stream().map(BenchShapesTest::fromSpec).toList(), fromC);
        assertTrue(c.contains("LRN_ALPHA_TF = 2e-5f, LRN_BETA = 0.75f, LRN_K = 1.0f"));
    }

    @Test
    void theSharedTableListsTheSameShapes() throws Exception {
        // shared/ sits beside the checkout (../shared); skip where it is absent, e.g. a bare clone.
        Path table = Path.of("..", "shared", "shapes.md");
        if (!Files.exists(table)) {
            table = Path.of("/work/shared/shapes.md");
        }
        assumeTrue(Files.exists(table), "shared/shapes.md not found");
        Pattern conv = Pattern.compile("^\\| (\\w+)\\s+\\|[^|]+\\| (\\d+)\\s+\\| (\\d+) x (\\d+) x (\\d+)\\s+\\| (\\d+)[^|]*\\| (\\d+) x (\\d+)\\s+\\| (\\d+)\\s+\\| (SAME|VALID)");
        Pattern pool = Pattern.compile("^\\| (P\\d)\\s+\\|[^|]+\\| (\\d+)\\s+\\| (\\d+) x (\\d+) x (\\d+)\\s+\\| (\\d+) x (\\d+)\\s+\\| (\\d+)\\s+\\| (SAME|VALID)");
        int checked = 0;
        for (String line : Files.readAllLines(table)) {
            Matcher m = conv.matcher(line);
            if (m.find()) {
                Row r = fromSpec(BenchShapes.byId(m.group(1)));
                assertEquals(new Row(m.group(1), i(m, 2), i(m, 3), i(m, 4), i(m, 5), i(m, 6), i(m, 7), i(m, 8), i(m, 9),
                        m.group(10).equals("SAME")), r, line);
                checked++;
                continue;
            }
            m = pool.matcher(line);
            if (m.find()) {
                Row r = fromSpec(BenchShapes.byId(m.group(1)));
                assertEquals(new Row(m.group(1), i(m, 2), i(m, 3), i(m, 4), i(m, 5), i(m, 5), i(m, 6), i(m, 7), i(m, 8),
                        m.group(9).equals("SAME")), r, line);
                checked++;
            }
        }
        assertEquals(16, checked, "13 convolutions and 3 pooling rows (L1 is checked by the C test)");
    }

    private static int i(Matcher m, int g) {
        return Integer.parseInt(m.group(g));
    }
}
