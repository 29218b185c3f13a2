package org.conv4j.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.List;
import org.conv4j.Conv4j;
import org.conv4j.ConvSpec;
import org.conv4j.DType;
import org.conv4j.Layout;
import org.conv4j.OpSpec;
import org.conv4j.Operation;
import org.conv4j.Padding;
import org.conv4j.Tensor;
import org.conv4j.spi.Kernel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Widths, threads, workspace and registration of the vector engine. */
class VectorEngineTest {
    @BeforeEach
    void needsModule() {
        VectorTests.assumeVectorModule();
    }

    @Test
    void everyForcedWidthLoadsItsOwnSpecies() {
        for (int bits : new int[] {128, 256, 512}) {
            VectorEngine e = new VectorEngine(bits, 1);
            assertEquals(bits, e.bits());
            assertTrue(e.description().contains(bits + "-bit"), e.description());
        }
    }

    @Test
    void registeredUnderItsNameAndPriority() {
        var s = Conv4j.engines().stream().filter(x -> x.name().equals("vector")).findFirst().orElseThrow();
        assertTrue(s.available(), s.detail());
        assertEquals(200, s.priority());
        OpSpec spec = ConvSpec.conv2d(1, 5, 5, 3, 4, 3, 3, 1, Padding.SAME);
        try (Tensor w = Tensor.allocate(DType.F32, Layout.HWIO, 3, 3, 3, 4); Operation op = Conv4j.prepare(spec, "vector", w)) {
            assertEquals("vector", op.engine());
        }
    }

    /** One thread and three threads give the same bits, at every width, over random cases and a larger conv. */
    @Test
    void oneAndManyThreadsAreBitIdentical() {
        Cases gen = new Cases(77);
        for (int bits : new int[] {128, 256, 512}) {
            VectorEngine one = new VectorEngine(bits, 1);
            VectorEngine many = new VectorEngine(bits, 3);
            for (int i = 0; i < 150; i++) {
                OpSpec spec = i == 0 ? ConvSpec.builder(Layout.NHWC).input(2, 31, 29, 32).kernel(3, 3).outChannels(150)
                        .padding(Padding.SAME).bias(true).relu(true).build() : gen.next(i % Cases.KINDS);
                Tensor[] params = Diff.params(gen, spec);
                Tensor[] in = Diff.inputs(gen, spec);
                try (Kernel a = one.prepare(spec, params); Kernel b = many.prepare(spec, params);
                     Tensor ya = Diff.run(a, spec, in); Tensor yb = Diff.run(b, spec, in)) {
                    assertArrayEquals(bits(ya), bits(yb), () -> spec + " at " + bits + " bits");
                } finally {
                    Diff.close(params);
                    Diff.close(in);
                }
            }
        }
    }

    private static int[] bits(Tensor t) {
        float[] f = t.toFloatArray();
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = Float.floatToRawIntBits(f[i]);
        }
        return b;
    }

    /**
     * The seed's demo, two 427x640x3 photos through a 7x7 stride-2 SAME conv: the full im2col matrix would hold
     * 2 x 214 x 320 x 147 floats (80 MB); the engine's per-thread scratch must stay a few MB, and the result must
     * still match the reference.
     */
    @Test
    void bigImageConvUsesBoundedWorkspace() {
        ConvSpec spec = ConvSpec.builder(Layout.NHWC).input(2, 427, 640, 3).kernel(7, 7).strides(2).outChannels(2)
                .padding(Padding.SAME).build();
        long im2col = 4L * 2 * 214 * 320 * 147;
        Cases gen = new Cases(5);
        Tensor[] params = Diff.params(gen, spec);
        Tensor[] in = Diff.inputs(gen, spec);
        Scratch.resetForTest();
        try (Kernel k = new VectorEngine(0, 1).prepare(spec, params); Tensor got = Diff.run(k, spec, in);
             Tensor want = Diff.reference(spec, params, in)) {
            long peak = Scratch.peakBytes();
            assertTrue(peak < 4L * 1024 * 1024, "scratch peak " + peak + " bytes; a full im2col would be " + im2col);
            List<String> f = Diff.compare(spec, params, in, want, got);
            assertTrue(f.isEmpty(), f.toString());
        } finally {
            Diff.close(params);
            Diff.close(in);
        }
    }

    /** Tensors of a confined arena are used on the caller thread only, even with many threads configured. */
    @Test
    void confinedArenaRunsOnTheCallerThread() {
        ConvSpec spec = ConvSpec.builder(Layout.NHWC).input(1, 40, 40, 16).kernel(3, 3).outChannels(16)
                .padding(Padding.SAME).build();
        Cases gen = new Cases(9);
        Tensor[] params = Diff.params(gen, spec);
        try (Arena arena = Arena.ofConfined(); Kernel k = new VectorEngine(0, 4).prepare(spec, params)) {
            Tensor x = Tensor.allocate(arena, DType.F32, Layout.NHWC, 1, 40, 40, 16);
            x.copyFrom(gen.values(spec.inputs().get(0)));
            Tensor y = Tensor.allocate(arena, DType.F32, Layout.NHWC, 1, 40, 40, 16);
            k.execute(new Tensor[] {x}, y);
            try (Tensor want = Diff.reference(spec, params, new Tensor[] {x})) {
                assertTrue(Diff.compare(spec, params, new Tensor[] {x}, want, y).isEmpty());
            }
        } finally {
            Diff.close(params);
        }
    }
}
