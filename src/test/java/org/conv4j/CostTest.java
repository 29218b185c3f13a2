package org.conv4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The seed's memory section, figure by figure. */
class CostTest {
    private final ConvSpec seed = ConvSpec.builder(Layout.NHWC).input(1, 150, 100, 3).kernel(5, 5).outChannels(200)
            .padding(Padding.SAME).bias(true).build();

    @Test
    void parameters() {
        assertEquals((5 * 5 * 3 + 1) * 200, seed.cost().parameters());
        assertEquals(15_200, seed.cost().parameters());
    }

    @Test
    void multiplications() {
        // 200 maps x 150 x 100 neurons x 75 inputs = 225 million
        assertEquals(225_000_000L, seed.cost().multiplyAdds());
        assertEquals(450_000_000L, seed.cost().flops());
    }

    @Test
    void outputMemory() {
        assertEquals(96_000_000L, seed.cost().outputBits(DType.F32));
        double mib = seed.cost().outputBytes(DType.F32) / (1024.0 * 1024.0);
        assertEquals(11.4, mib, 0.05);
        // half precision halves it
        assertEquals(6_000_000L, seed.cost().outputBytes(DType.F16));
    }

    @Test
    void batchOfHundredTakesMoreThanOneGigabyte() {
        ConvSpec batch = ConvSpec.builder(Layout.NHWC).input(100, 150, 100, 3).kernel(5, 5).outChannels(200)
                .padding(Padding.SAME).bias(true).build();
        assertTrue(batch.cost().outputBytes(DType.F32) > 1_000_000_000L);
        assertEquals(1_200_000_000L, batch.cost().outputBytes(DType.F32));
    }

    @Test
    void fullyConnectedEquivalentHas675MillionParameters() {
        DenseSpec fc = DenseSpec.of(1, 150 * 100 * 3, 150 * 100, false);
        assertEquals(675_000_000L, fc.cost().parameters());
    }

    @Test
    void groupsAndDepthwiseDivideTheWork() {
        ConvSpec dw = ConvSpec.builder(Layout.NHWC).input(1, 112, 112, 32).kernel(3, 3).depthwise(1)
                .padding(Padding.SAME).build();
        assertEquals(3 * 3 * 32, dw.cost().parameters());
        assertEquals(112L * 112 * 32 * 9, dw.cost().multiplyAdds());
        ConvSpec g = ConvSpec.builder(Layout.NHWC).input(1, 8, 8, 16).kernel(1, 1).groups(4).outChannels(32).build();
        assertEquals(16 / 4 * 32, g.cost().parameters());
    }
}
