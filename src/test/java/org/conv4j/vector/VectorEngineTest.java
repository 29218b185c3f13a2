package org.conv4j.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
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

    /** The flag hint: given where C2 spills to vector registers, never otherwise; and the flag is read from the VM. */
    @Test
    void adviceNamesTheSpillFlagOnlyWhereItHelps() {
        String h = JitAdvice.hint("true");
        assertTrue(h != null && h.contains("-XX:-UseFPUForSpilling") && h.contains("'vector'"), h);
        assertEquals(null, JitAdvice.hint("false"));
        assertEquals(null, JitAdvice.hint(null));
        // the test JVM gets the flags the launcher passes, this one among them (pom.xml, conv4j.jvmFlags)
        boolean passed = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().contains(JitAdvice.FLAG);
        assertEquals(passed ? "false" : "true", JitAdvice.current());
    }

    /** One thread and three threads give the same bits, at every width, over random cases and three larger convs. */
    @Test
    void oneAndManyThreadsAreBitIdentical() {
        Cases gen = new Cases(77);
        for (int bits : new int[] {128, 256, 512}) {
            VectorEngine one = new VectorEngine(bits, 1);
            VectorEngine many = new VectorEngine(bits, 3);
            for (int i = 0; i < 150; i++) {
                // i == 1: one tile of one panel, which three threads share by rows (G1's shape); i == 2: depthwise 3x3
                // on the in-place path, in several tiles
                OpSpec spec = i == 0 ? ConvSpec.builder(Layout.NHWC).input(2, 31, 29, 32).kernel(3, 3).outChannels(150)
                        .padding(Padding.SAME).bias(true).relu(true).build()
                        : i == 1 ? ConvSpec.builder(Layout.NHWC).input(1, 28, 28, 16).kernel(5, 5).outChannels(32)
                        .padding(Padding.SAME).build()
                        : i == 2 ? ConvSpec.builder(Layout.NHWC).input(1, 121, 29, 32).kernel(3, 3).depthwise(1)
                        .padding(Padding.SAME).bias(true).build() : gen.next(i % Cases.KINDS);
                assertSameBits(gen, one, many, spec);
            }
        }
    }

    /** Tile sizes change how work is cut, never a result: tiny budgets give the same bits. */
    @Test
    void blockingDoesNotChangeResults() {
        Cases gen = new Cases(123);
        VectorEngine big = new VectorEngine(256, 1);
        VectorEngine tiny = new VectorEngine(256, 1, new WindowKernel.Budgets(150, 64, 40));
        int[] windowKinds = {0, 1, 2, 3, 4, 5, 6};
        for (int i = 0; i < 140; i++) {
            assertSameBits(gen, big, tiny, gen.next(windowKinds[i % windowKinds.length]));
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

    @Test
    void tinyBudgetsCutSmallShapesIntoManyTiles() {
        ConvSpec spec = ConvSpec.builder(Layout.NCHW).input(1, 5, 9, 11).kernel(3, 3).outChannels(7).padding(Padding.SAME).build();
        Cases gen = new Cases(3);
        Tensor[] params = Diff.params(gen, spec);
        try (WindowKernel k = WindowKernel.conv(SimdLoader.forBits(256), new Workers(1),
                new WindowKernel.Budgets(100, 40, 60), spec, params)) {
            int[] tile = k.tile();
            assertTrue(tile[0] < 9 && tile[1] < 11, "tile " + tile[0] + "x" + tile[1]);
        } finally {
            Diff.close(params);
        }
    }

    /** Shapes past the chunk sizes of the per-pixel, element-wise, pooling and concat kernels, both layouts. */
    @Test
    void largerShapesSpanSeveralChunks() {
        Cases gen = new Cases(11);
        List<OpSpec> specs = new java.util.ArrayList<>();
        for (Layout l : new Layout[] {Layout.NHWC, Layout.NCHW}) {
            int[] d = l.activationDims(2, 37, 41, 43);
            specs.add(new org.conv4j.LrnSpec(DType.F16, l, d, 2, 1f, 1e-3f, 0.75f));
            specs.add(new org.conv4j.SoftmaxSpec(DType.F32, l, d));
            specs.add(new org.conv4j.BatchNormSpec(DType.BF16, l, l.activationDims(1, 3, 190, 200), 1e-3f, true));
            specs.add(new org.conv4j.BatchNormSpec(DType.F32, l, d, 1e-3f, false));
            specs.add(new org.conv4j.GlobalAvgPoolSpec(DType.F32, l, d));
            specs.add(new org.conv4j.ReluSpec(DType.F16, l, d));
            specs.add(new org.conv4j.AddSpec(DType.F32, l, d, true));
            specs.add(new org.conv4j.ConcatSpec(DType.BF16, l, l.activationDims(1, 3, 70, 80), 3, 5, 2));
            specs.add(org.conv4j.PoolSpec.builder(org.conv4j.PoolKind.AVG, l).input(d).window(3).strides(2)
                    .padding(Padding.SAME).build());
        }
        VectorEngine e = new VectorEngine(0, 2);
        for (OpSpec spec : specs) {
            Diff.assertAgrees(gen, e, spec);
        }
    }

    /**
     * Separable pooling: rows wider than one task's reduced row (so they are cut into column chunks), fewer channels
     * than lanes (the flattened-row path, with its per-pixel edges under SAME) and more, overlapping and disjoint
     * windows, 1-D and 3-D, every dtype and width.
     */
    @Test
    void poolingOverChunkedRowsMatchesReference() {
        Cases gen = new Cases(21);
        VectorEngine[] engines = {new VectorEngine(128, 1), new VectorEngine(256, 2), new VectorEngine(512, 2)};
        DType[] types = {DType.F32, DType.F16, DType.BF16};
        int i = 0;
        for (int c : new int[] {1, 3, 7, 16, 21}) {
            for (int w : new int[] {2, 9, PoolKernel.ROW_FLOATS / c + 37}) {
                for (PoolKind kind : PoolKind.values()) {
                    Layout l = i % 4 == 3 ? Layout.NCHW : Layout.NHWC;
                    int window = 1 + i % 4;
                    PoolSpec spec = PoolSpec.builder(kind, l).dtype(types[i % 3]).input(l.activationDims(1 + i % 2, c, 3 + i % 3, w))
                            .window(Math.min(window, 3), window).strides(1 + i % 2, 1 + (i / 2) % 3)
                            .padding(i % 5 == 0 && w > 4 ? Padding.VALID : Padding.SAME).build();
                    if (w > PoolKernel.ROW_FLOATS / c) {
                        int chunk = new PoolKernel(SimdLoader.forBits(512), new Workers(1), spec).chunk();
                        assertTrue(chunk < spec.outputShape().spatial()[1], "chunk " + chunk + " for " + spec);
                    }
                    Diff.assertAgrees(gen, engines[i % engines.length], spec);
                    i++;
                }
            }
        }
        Diff.assertAgrees(gen, engines[2], PoolSpec.builder(PoolKind.AVG, Layout.NWC).input(2, 301, 5).window(4).strides(3)
                .padding(Padding.SAME).build());
        Diff.assertAgrees(gen, engines[1], PoolSpec.builder(PoolKind.MAX, Layout.NCDHW).dtype(DType.F16)
                .input(1, 6, 5, 7, 9).window(2, 3, 3).strides(2, 1, 2).padding(Padding.SAME).build());
    }

    /**
     * fp16 and bf16 max pooling compares bit patterns, not widened values: it must give Math.max's result bit for bit
     * (+0 over -0, the larger of two negatives, subnormals, infinities) and NaN wherever a window holds one, of
     * either sign. Channel counts with and without a vector tail, at every width.
     */
    @Test
    void maxPooling16BitMatchesMathMax() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        float[] special = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
                Float.intBitsToFloat(0xffc00000), 1f, -1f, 0x1p-24f, -0x1p-24f, 0x1p-133f, -0x1p-133f, 65504f, -65504f};
        for (DType t : new DType[] {DType.F16, DType.BF16}) {
            for (int bits : new int[] {128, 256, 512}) {
                for (int c : new int[] {5, 64, 67}) {
                    PoolSpec spec = PoolSpec.builder(PoolKind.MAX, Layout.NHWC).dtype(t).input(1, 9, 11, c).window(3, 3)
                            .strides(2, 2).padding(Padding.SAME).build();
                    float[] v = new float[9 * 11 * c];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = rnd.nextInt(3) == 0 ? special[rnd.nextInt(special.length)]
                                : (float) rnd.nextDouble(-2, i % 3 == 0 ? 2 : 0);
                    }
                    Tensor[] in = {Tensor.of(v, t, Layout.NHWC, 1, 9, 11, c)};
                    try (Kernel k = new VectorEngine(bits, 1).prepare(spec, new Tensor[0]);
                         Tensor want = Diff.reference(spec, new Tensor[0], in); Tensor got = Diff.run(k, spec, in)) {
                        float[] w = want.toFloatArray();
                        float[] g = got.toFloatArray();
                        for (int i = 0; i < w.length; i++) {
                            String at = t + " " + bits + " bits, " + c + " channels, element " + i;
                            if (Float.isNaN(w[i])) {
                                assertTrue(Float.isNaN(g[i]), at + ": want NaN, got " + g[i]);
                            } else {
                                assertEquals(Float.floatToRawIntBits(w[i]), Float.floatToRawIntBits(g[i]), at + ": want "
                                        + w[i] + ", got " + g[i]);
                            }
                        }
                    } finally {
                        Diff.close(in);
                    }
                }
            }
        }
    }

    /**
     * The channel-blocked 3x3 depthwise kernel (multiplier 1, stride and dilation 1 along W) against the reference:
     * channel counts below, at and past a vector, widths around its eight-pixel step, strides and dilations along H,
     * tiny tiles, both layouts, f32 and f16.
     */
    @Test
    void depthwise3x3MatchesReference() {
        Cases gen = new Cases(33);
        VectorEngine[] engines = {new VectorEngine(128, 1), new VectorEngine(256, 2), new VectorEngine(512, 1),
                new VectorEngine(0, 2, new WindowKernel.Budgets(150, 64, 40))};
        int i = 0;
        for (int c : new int[] {1, 5, 16, 37}) {
            for (int w : new int[] {1, 8, 17, 30}) {
                for (int v = 0; v < 2; v++, i++) {
                    Layout l = v == 0 ? Layout.NHWC : Layout.NCHW;
                    ConvSpec spec = ConvSpec.builder(l).dtype(i % 3 == 0 ? DType.F16 : DType.F32)
                            .input(l.activationDims(1 + i % 2, c, 6 + i % 5, w)).kernel(3, 3).depthwise(1)
                            .strides(1 + i % 2, 1).dilations(1 + (i / 2) % 2, 1)
                            .padding(i % 4 == 1 && w >= 3 ? Padding.VALID : Padding.SAME).bias(i % 2 == 0).relu(i % 3 == 1).build();
                    Diff.assertAgrees(gen, engines[i % engines.length], spec);
                }
            }
        }
    }

    /**
     * The depthwise 3x3 that reads f32 channels-last input in place (whole vectors of channels): interior widths
     * around its five-pixel step (4 falls back to the blocked tile, 5 is one group, 6 overlaps), border columns and
     * rows under SAME, VALID and explicit pads of 0 to 3 (a column can have one, two or no taps inside), strides and
     * dilations along H, tiles cut across the interior, at every width. The paths sum in the same order, so each
     * result must also match, bit for bit, the one computed with every output on the blocked tile.
     */
    @Test
    void depthwise3x3InPlaceMatchesReference() {
        Cases gen = new Cases(35);
        VectorEngine[] engines = {new VectorEngine(128, 1), new VectorEngine(256, 2), new VectorEngine(512, 1),
                new VectorEngine(512, 2, new WindowKernel.Budgets(4096, 2048, 400))};
        // tiles too narrow for the five-pixel kernel: every output on the blocked tile, for a bit-for-bit comparison
        VectorEngine blockedOnly = new VectorEngine(512, 1, new WindowKernel.Budgets(150, 64, 40));
        Padding[] pads = {Padding.SAME, Padding.VALID, Padding.explicit(new int[] {0, 3}, new int[] {2, 0}),
                Padding.explicit(new int[] {1, 2}, new int[] {3, 1})};
        int i = 0;
        for (int c : new int[] {16, 32, 48}) {
            for (int w : new int[] {6, 7, 8, 14, 23}) {
                for (Padding p : pads) {
                    ConvSpec spec = ConvSpec.builder(Layout.NHWC).input(1 + i % 2, 5 + i % 7, w, c).kernel(3, 3)
                            .depthwise(1).strides(1 + (i / 3) % 2, 1).dilations(1 + (i / 2) % 2, 1).padding(p)
                            .bias(i % 2 == 0).relu(i % 3 == 1).build();
                    Diff.assertAgrees(gen, engines[i % engines.length], spec);
                    assertSameBits(gen, engines[2], blockedOnly, spec);
                    i++;
                }
            }
        }
    }

    /**
     * Tensors over heap memory (a wrapped {@code float[]}) keep the vector kernels off that memory: the in-place
     * depthwise kernels, which load and store through segments, run only on native ones, and everything else goes
     * through heap tiles. Same bits as with native tensors.
     */
    @Test
    void heapTensorsGiveTheSameBits() {
        Cases gen = new Cases(36);
        VectorEngine engine = new VectorEngine(512, 2);
        ConvSpec spec = ConvSpec.builder(Layout.NHWC).input(1, 12, 17, 32).kernel(3, 3).depthwise(1).padding(Padding.SAME)
                .bias(true).relu(true).build();
        Tensor[] params = Diff.params(gen, spec);
        Tensor[] in = Diff.inputs(gen, spec);
        float[] heapIn = in[0].toFloatArray();
        int[] outDims = spec.output().dims();
        float[] heapOut = new float[heapIn.length];
        try (Kernel k = engine.prepare(spec, params); Tensor nativeOut = Diff.run(k, spec, in);
             Tensor x = Tensor.wrap(MemorySegment.ofArray(heapIn), DType.F32, Layout.NHWC, in[0].dims());
             Tensor y = Tensor.wrap(MemorySegment.ofArray(heapOut), DType.F32, Layout.NHWC, outDims)) {
            k.execute(new Tensor[] {x}, y);
            assertArrayEquals(bits(nativeOut), bits(y));
        } finally {
            Diff.close(params);
            Diff.close(in);
        }
    }

    /** {@code a} and {@code b} give the same bits for {@code spec}. */
    private static void assertSameBits(Cases gen, VectorEngine a, VectorEngine b, OpSpec spec) {
        Tensor[] params = Diff.params(gen, spec);
        Tensor[] in = Diff.inputs(gen, spec);
        try (Kernel ka = a.prepare(spec, params); Kernel kb = b.prepare(spec, params);
             Tensor ya = Diff.run(ka, spec, in); Tensor yb = Diff.run(kb, spec, in)) {
            assertArrayEquals(bits(ya), bits(yb), () -> spec + " at " + a.bits() + " bits");
        } finally {
            Diff.close(params);
            Diff.close(in);
        }
    }

    /**
     * Reductions longer than a GEMM slice ({@link WindowKernel#KC_FLOATS}) run in several slices at every width: 7525
     * terms, against slices of at most 5461 for the 3- and 4-vector panels that 70 output channels make at 128 bits.
     */
    @Test
    void deepReductionsMatchReference() {
        Cases gen = new Cases(41);
        ConvSpec spec = ConvSpec.builder(Layout.NHWC).input(1, 9, 7, 301).kernel(5, 5).outChannels(70)
                .padding(Padding.SAME).bias(true).relu(true).build();
        Tensor[] params = Diff.params(gen, spec);
        Tensor[] in = Diff.inputs(gen, spec);
        try (Tensor want = Diff.reference(spec, params, in)) {
            for (int bits : new int[] {128, 256, 512}) {
                try (Kernel k = new VectorEngine(bits, 2).prepare(spec, params); Tensor got = Diff.run(k, spec, in)) {
                    List<String> f = Diff.compare(spec, params, in, want, got);
                    assertTrue(f.isEmpty(), bits + " bits: " + f);
                }
            }
        } finally {
            Diff.close(params);
            Diff.close(in);
        }
    }

    /**
     * Few input channels and many output channels read a row-stacked tile (one contiguous im2col run per pixel):
     * strides and dilations along H, filters larger than the input, both layouts, 16-bit types, a transposed
     * convolution, at every width; the output channels split into even panels.
     */
    @Test
    void rowStackedTilesMatchReference() {
        Cases gen = new Cases(57);
        List<OpSpec> specs = List.of(
                ConvSpec.builder(Layout.NHWC).input(1, 9, 13, 3).kernel(5, 5).outChannels(200).padding(Padding.SAME)
                        .bias(true).relu(true).build(),
                ConvSpec.builder(Layout.NHWC).input(2, 17, 6, 3).kernel(5, 5).outChannels(200).strides(2, 1)
                        .dilations(2, 1).padding(Padding.SAME).build(),
                ConvSpec.builder(Layout.NCHW).dtype(DType.F16).input(2, 3, 11, 8).kernel(3, 5).outChannels(163)
                        .padding(Padding.VALID).bias(true).build(),
                ConvSpec.builder(Layout.NHWC).input(1, 4, 4, 2).kernel(5, 5).outChannels(150).padding(Padding.SAME)
                        .build(),
                ConvSpec.builder(Layout.NHWC).dtype(DType.BF16).input(1, 10, 12, 1).kernel(7, 7).outChannels(131)
                        .strides(2).padding(Padding.SAME).relu(true).build(),
                org.conv4j.ConvTransposeSpec.builder(Layout.NHWC).input(1, 5, 6, 2).outputShape(1, 10, 12, 140)
                        .kernel(3, 3).strides(2).padding(Padding.SAME).build());
        for (int bits : new int[] {128, 256, 512}) {
            VectorEngine e = new VectorEngine(bits, 2);
            for (OpSpec spec : specs) {
                Tensor[] params = Diff.params(gen, spec);
                try (Kernel k = e.prepare(spec, params)) {
                    assertTrue(((WindowKernel) k).rowStacked(), spec + " at " + bits + " bits");
                } finally {
                    Diff.close(params);
                }
                Diff.assertAgrees(gen, e, spec);
            }
        }
        Tensor[] params = Diff.params(gen, specs.get(0));
        try (Kernel k = new VectorEngine(512, 1).prepare(specs.get(0), params)) {
            assertArrayEquals(new int[] {4, 3, 3, 3}, ((WindowKernel) k).panelVectors(), "200 channels, 13 vectors");
        } finally {
            Diff.close(params);
        }
    }

    /**
     * GEMM tiles whose edge columns reach into padding run those columns apart, on only the filter columns inside
     * the input (and per block only the filter rows inside): small SAME images (R4/R5-like), 5x5 filters, asymmetric
     * explicit pads, pads wider than the filter (outputs that see no input at all), strides along W and dilations along H, a filter wider than the image (no interior columns), a
     * transposed convolution (zeros between the input columns), 1-D, channels-first fp16, at every width. Skipped
     * products are exact zeros, so each result must also match, bit for bit, the one from tiles cut small enough
     * to give other plans, and from three threads.
     */
    @Test
    void paddedEdgeColumnsMatchReference() {
        Cases gen = new Cases(61);
        List<OpSpec> specs = List.of(
                ConvSpec.builder(Layout.NHWC).input(1, 7, 7, 24).kernel(3, 3).outChannels(64).padding(Padding.SAME)
                        .bias(true).relu(true).build(),
                ConvSpec.builder(Layout.NHWC).input(2, 14, 14, 20).kernel(3, 3).outChannels(48).padding(Padding.SAME)
                        .bias(true).build(),
                ConvSpec.builder(Layout.NHWC).input(1, 12, 12, 16).kernel(5, 5).outChannels(32)
                        .padding(Padding.explicit(new int[] {0, 3}, new int[] {4, 1})).relu(true).build(),
                ConvSpec.builder(Layout.NHWC).input(2, 9, 11, 12).kernel(3, 5).outChannels(40).strides(1, 2)
                        .dilations(2, 1).padding(Padding.SAME).bias(true).build(),
                ConvSpec.builder(Layout.NHWC).input(1, 3, 4, 8).kernel(5, 5).outChannels(20).padding(Padding.SAME)
                        .build(),
                ConvSpec.builder(Layout.NHWC).input(1, 4, 5, 8).kernel(3, 3).outChannels(24)
                        .padding(Padding.explicit(new int[] {4, 4}, new int[] {1, 4})).bias(true).build(),
                org.conv4j.ConvTransposeSpec.builder(Layout.NHWC).input(1, 5, 5, 16).outputShape(1, 10, 10, 24)
                        .kernel(3, 3).strides(2).padding(Padding.SAME).bias(true).build(),
                ConvSpec.builder(Layout.NWC).input(2, 9, 24).kernel(5).outChannels(36).padding(Padding.SAME).build(),
                ConvSpec.builder(Layout.NCHW).dtype(DType.F16).input(1, 16, 8, 8).kernel(3, 3).outChannels(33)
                        .padding(Padding.SAME).bias(true).build());
        VectorEngine small = new VectorEngine(256, 1, new WindowKernel.Budgets(1200, 400, 40));
        for (int bits : new int[] {128, 256, 512}) {
            VectorEngine one = new VectorEngine(bits, 1);
            VectorEngine three = new VectorEngine(bits, 3);
            for (OpSpec spec : specs) {
                Diff.assertAgrees(gen, one, spec);
                assertSameBits(gen, one, three, spec);
                assertSameBits(gen, one, small, spec);
            }
        }
        OpSpec r5 = specs.get(0);
        Tensor[] params = Diff.params(gen, r5);
        try (Kernel k = new VectorEngine(512, 1).prepare(r5, params)) {
            assertTrue(((WindowKernel) k).reordersTile(0, 7, 0, 7), "7x7 SAME: the edge columns run apart");
        } finally {
            Diff.close(params);
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
