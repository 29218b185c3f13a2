package org.conv4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.conv4j.DType;
import org.conv4j.Layout;
import org.junit.jupiter.api.Test;

/** Shapes, parameter and multiply-add totals of the seed's networks against published figures (no engine). */
class ArchitecturesTest {
    private static void between(String what, double lo, double hi, double v) {
        assertTrue(v >= lo && v <= hi, what + " = " + v + " outside [" + lo + ", " + hi + "]");
    }

    @Test
    void resnet34MatchesTorchvisionAndPublishedFigures() {
        Graph g = Architectures.build("resnet34");
        // torchvision resnet34: 21,797,672 parameters (batch norm scale and shift included).
        assertEquals(21_797_672L, g.parameterCount());
        between("ResNet-34 G multiply-adds", 3.6, 3.7, g.multiplyAdds() / 1e9);
        assertArrayEquals(new int[] {1, 1000}, g.output().dims());
        assertArrayEquals(new int[] {1, 7, 7, 512}, g.layer("layer4.2.add").output().dims());
        assertArrayEquals(new int[] {1, 56, 56, 64}, g.layer("maxpool").output().dims());
        // 36 convolutions: the stem, 32 in units, 3 projections (+ fc = the "34 layers" with 33 non-projection convs).
        long convs = g.layers().stream().filter(l -> l instanceof Layer.Conv).count();
        assertEquals(36, convs);
    }

    @Test
    void resnet152MatchesTorchvisionAndPublishedFigures() {
        Graph g = Architectures.build("resnet152");
        assertEquals(60_192_808L, g.parameterCount());
        between("ResNet-152 G multiply-adds", 11.3, 11.6, g.multiplyAdds() / 1e9);
        assertArrayEquals(new int[] {1, 7, 7, 2048}, g.layer("layer4.2.add").output().dims());
        assertArrayEquals(new int[] {1, 56, 56, 256}, g.layer("layer1.0.add").output().dims());
    }

    @Test
    void googlenetWithoutAuxiliaryHeads() {
        Graph g = Architectures.build("googlenet");
        between("GoogLeNet M parameters", 6.7, 7.0, g.parameterCount() / 1e6);
        assertArrayEquals(new int[] {1, 28, 28, 256}, g.layer("inception3a").output().dims());
        assertArrayEquals(new int[] {1, 28, 28, 480}, g.layer("inception3b").output().dims());
        assertArrayEquals(new int[] {1, 14, 14, 832}, g.layer("inception4e").output().dims());
        assertArrayEquals(new int[] {1, 7, 7, 1024}, g.layer("inception5b").output().dims());
        assertEquals(9, g.layers().stream().filter(l -> l.name().startsWith("inception") && !l.name().contains(".")).count());
        assertArrayEquals(new int[] {1, 1000}, g.output().dims());
    }

    @Test
    void alexnetVariants() {
        Graph one = Architectures.build("alexnet");
        assertEquals(62_378_344L, one.parameterCount());
        assertArrayEquals(new int[] {1, 55, 55, 96}, one.layer("c1").output().dims());
        assertArrayEquals(new int[] {1, 6, 6, 256}, one.layer("s8").output().dims());
        assertArrayEquals(new int[] {1, 9216}, one.layer("flatten").output().dims());
        Graph two = Architectures.build("alexnet-2gpu");
        assertEquals(60_965_224L, two.parameterCount());
    }

    @Test
    void lenet5CountsAsThePaper() {
        Graph g = Architectures.build("lenet5");
        assertEquals(1_516L, g.layer("c3").parameterCount());
        assertEquals(12L, g.layer("s2").parameterCount());
        assertEquals(32L, g.layer("s4").parameterCount());
        assertEquals(48_120L, g.layer("c5").parameterCount());
        assertEquals(10_164L, g.layer("f6").parameterCount());
        // the RBF output (840 parameters) is a dense layer with bias here: 850
        assertEquals(60_850L, g.parameterCount());
        assertArrayEquals(new int[] {1, 10, 10, 16}, g.layer("c3").output().dims());
        assertArrayEquals(new int[] {1, 1, 1, 120}, g.layer("c5").output().dims());
        assertArrayEquals(new int[] {1, 10}, g.output().dims());
        // C3's connections: 60 map pairs of 25 taps over 10x10 outputs
        assertEquals(60L * 25 * 100, g.layer("c3").multiplyAdds());
    }

    @Test
    void configurableInputClassesBatchAndLayout() {
        ModelConfig c = Architectures.defaultConfig("resnet34").withSize(64, 48).withClasses(7).withBatch(3)
                .withLayout(Layout.NCHW).withDType(DType.F16);
        Graph g = Architectures.build("resnet-34", c);
        assertArrayEquals(new int[] {3, 7}, g.output().dims());
        assertArrayEquals(new int[] {3, 512, 2, 2}, g.layer("layer4.2.add").output().dims());
        assertEquals(DType.F16, g.dtype());
        for (String name : Architectures.names()) {
            ModelConfig small = Architectures.defaultConfig(name).withClasses(5);
            Graph s = Architectures.build(name, small);
            assertArrayEquals(new int[] {1, 5}, s.output().dims(), name);
        }
        assertThrows(IllegalArgumentException.class, () -> Architectures.build("vgg16"));
        IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
                () -> Architectures.build("lenet5", ModelConfig.of(28, 28, 1, 10)));
        assertTrue(tooSmall.getMessage().startsWith("layer 'c5': VALID padding"), tooSmall.getMessage());
    }

    @Test
    void summaryListsEveryLayerAndTotals() {
        Graph g = Architectures.build("resnet34");
        Summary s = g.summary();
        assertEquals(g.layers().size() + 1, s.rows().size());
        String text = s.toString();
        assertTrue(text.contains("21,797,672"), text);
        assertTrue(text.contains("layer3.5.conv2"), text);
        assertTrue(s.planF16().arenaBytes() * 2 >= s.planF32().arenaBytes() - 64L * s.planF32().buffers().size());
        assertTrue(s.planF32().arenaBytes() < s.planF32().naiveBytes() / 4, s.planF32().toString());
        assertTrue(s.planF32().arenaBytes() <= s.planF32().lowerBound() * 11 / 10, s.planF32().toString());
        System.out.println(text);
        System.out.println(Architectures.build("googlenet").summary().toString().lines()
                .filter(l -> l.startsWith("Total") || l.startsWith("Activ") || l.startsWith("Inference")).toList());
        System.out.println(Architectures.build("alexnet").summary().toString().lines()
                .filter(l -> l.startsWith("Total") || l.startsWith("Activ")).toList());
        System.out.println(Architectures.build("resnet152").summary().toString().lines()
                .filter(l -> l.startsWith("Total") || l.startsWith("Activ")).toList());
        System.out.println(Architectures.build("lenet5").summary());
    }
}
