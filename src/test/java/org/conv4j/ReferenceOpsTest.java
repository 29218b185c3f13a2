package org.conv4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-computed results for every operation on the reference engine. */
class ReferenceOpsTest {
    private static final String REF = "reference";

    /** Runs a single-input op on the reference engine and returns the output values. */
    static float[] run(OpSpec spec, float[] input, Tensor... params) {
        return run(spec, List.of(input), params);
    }

    static float[] run(OpSpec spec, List<float[]> inputs, Tensor... params) {
        Tensor[] in = new Tensor[inputs.size()];
        try {
            for (int i = 0; i < in.length; i++) {
                TensorSpec t = spec.inputs().get(i);
                in[i] = Tensor.of(inputs.get(i), spec.dtype(), t.layout(), t.dims());
            }
            try (Tensor out = spec.output().allocate(spec.dtype()); Operation op = Conv4j.prepare(spec, REF, params)) {
                op.apply(List.of(in), out);
                assertEquals(REF, op.engine());
                return out.toFloatArray();
            }
        } finally {
            for (Tensor t : in) {
                if (t != null) {
                    t.close();
                }
            }
            for (Tensor p : params) {
                p.close();
            }
        }
    }

    static float[] seq(int n, float start) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = start + i;
        }
        return v;
    }

    @Test
    void conv2dValidAndSameByHand() {
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        float[] w = {1, 0, 0, -1}; // HWIO [2,2,1,1]
        ConvSpec valid = ConvSpec.conv2d(1, 3, 3, 1, 1, 2, 2, 1, Padding.VALID);
        assertArrayEquals(new float[] {-4, -4, -4, -4}, run(valid, x, Tensor.of(w, Layout.HWIO, 2, 2, 1, 1)));
        // SAME: total pad 1, all of it after: out(i,j) = x[i][j] - x[i+1][j+1]
        ConvSpec same = ConvSpec.conv2d(1, 3, 3, 1, 1, 2, 2, 1, Padding.SAME);
        assertArrayEquals(new float[] {-4, -4, 3, -4, -4, 6, 7, 8, 9}, run(same, x, Tensor.of(w, Layout.HWIO, 2, 2, 1, 1)));
    }

    @Test
    void channelsBiasAndReluByHand() {
        // pixel (1, -1); w[i][o] = [[1, 2], [3, 4]]; y = (1 - 3, 2 - 4) + (1, 5) = (-1, 3); relu -> (0, 3)
        ConvSpec spec = ConvSpec.builder(Layout.NHWC).input(1, 1, 1, 2).kernel(1, 1).outChannels(2).bias(true)
                .relu(true).build();
        assertArrayEquals(new float[] {0, 3}, run(spec, new float[] {1, -1},
                Tensor.of(new float[] {1, 2, 3, 4}, Layout.HWIO, 1, 1, 2, 2), Tensor.of(new float[] {1, 5}, Layout.X, 2)));
        // the same in NCHW with PyTorch's OIHW filter: w[o][i] = [[1, 3], [2, 4]]
        ConvSpec nchw = ConvSpec.builder(Layout.NCHW).input(1, 2, 1, 1).kernel(1, 1).outChannels(2).bias(true)
                .relu(true).build();
        assertEquals(Layout.OIHW, nchw.filterLayout());
        assertArrayEquals(new float[] {0, 3}, run(nchw, new float[] {1, -1},
                Tensor.of(new float[] {1, 3, 2, 4}, Layout.OIHW, 2, 2, 1, 1), Tensor.of(new float[] {1, 5}, Layout.X, 2)));
    }

    @Test
    void seedVerticalAndHorizontalLineFilters() {
        // a 15x15 black image with a white vertical line in column 8, and the seed's two 7x7 filters, stride 2, SAME
        int size = 15;
        float[] img = new float[size * size];
        for (int h = 0; h < size; h++) {
            img[h * size + 8] = 1;
        }
        float[] filters = new float[7 * 7 * 2]; // HWIO [7,7,1,2]
        for (int i = 0; i < 7; i++) {
            filters[(i * 7 + 3) * 2] = 1; // filters[:, 3, :, 0] = 1  vertical line
            filters[(3 * 7 + i) * 2 + 1] = 1; // filters[3, :, :, 1] = 1  horizontal line
        }
        ConvSpec spec = ConvSpec.conv2d(1, size, size, 1, 2, 7, 7, 2, Padding.SAME);
        assertArrayEquals(new int[] {1, 8, 8, 2}, spec.output().dims());
        float[] y = run(spec, img, Tensor.of(filters, Layout.HWIO, 7, 7, 1, 2));
        for (int oh = 0; oh < 8; oh++) {
            // rows of the window inside the image: input rows 2*oh-3 .. 2*oh+3
            int rows = Math.min(size - 1, 2 * oh + 3) - Math.max(0, 2 * oh - 3) + 1;
            for (int ow = 0; ow < 8; ow++) {
                float vertical = y[(oh * 8 + ow) * 2];
                float horizontal = y[(oh * 8 + ow) * 2 + 1];
                // the vertical filter's centre column reads input column 2*ow: the line is enhanced
                assertEquals(2 * ow == 8 ? rows : 0, vertical, 0, "vertical at " + oh + "," + ow);
                // the horizontal filter sees one cell of the line when column 8 is in 2*ow-3 .. 2*ow+3: blurred
                assertEquals(Math.abs(2 * ow - 8) <= 3 ? 1 : 0, horizontal, 0, "horizontal at " + oh + "," + ow);
            }
        }
    }

    @Test
    void depthwiseWithChannelMultiplier() {
        // C=2, multiplier 2, 1x1 filter [1,1,1,4]: out channel c*2+m = x[c] * w[c*2+m]
        ConvSpec spec = ConvSpec.builder(Layout.NHWC).input(1, 1, 1, 2).kernel(1, 1).depthwise(2).build();
        assertEquals(2, spec.groups());
        assertArrayEquals(new int[] {1, 1, 1, 4}, spec.filterDims());
        assertArrayEquals(new float[] {20, 30, 150, 200}, run(spec, new float[] {10, 50},
                Tensor.of(new float[] {2, 3, 3, 4}, Layout.HWIO, 1, 1, 1, 4)));
    }

    @Test
    void dilatedConv1d() {
        // k=2 with dilation 3: y[i] = x[i] * 1 + x[i+3] * 10, VALID over 6 -> 3 outputs
        ConvSpec spec = ConvSpec.builder(Layout.NWC).input(1, 6, 1).kernel(2).outChannels(1).dilations(3).build();
        assertArrayEquals(new float[] {41, 52, 63}, run(spec, new float[] {1, 2, 3, 4, 5, 6},
                Tensor.of(new float[] {1, 10}, Layout.WIO, 2, 1, 1)));
    }

    @Test
    void conv3dSumsAVolume() {
        ConvSpec spec = ConvSpec.builder(Layout.NDHWC).input(1, 2, 2, 2, 1).kernel(2, 2, 2).outChannels(1).build();
        float[] ones = new float[8];
        java.util.Arrays.fill(ones, 1);
        assertArrayEquals(new float[] {36}, run(spec, seq(8, 1), Tensor.of(ones, Layout.DHWIO, 2, 2, 2, 1, 1)));
    }

    @Test
    void transposedConvolutionByHand() {
        // input [1, 2], kernel [1, 1, 1], stride 2, SAME, output 4: out[o] = sum x[i] w[k] over 2i + k - 0 = o
        ConvTransposeSpec spec = ConvTransposeSpec.builder(Layout.NWC).input(1, 2, 1).outputShape(1, 4, 1).kernel(3)
                .strides(2).padding(Padding.SAME).build();
        assertArrayEquals(new int[] {0}, spec.padBefore());
        assertArrayEquals(new float[] {1, 1, 3, 2}, run(spec, new float[] {1, 2},
                Tensor.of(new float[] {1, 1, 1}, Layout.WOI, 3, 1, 1)));
    }

    @Test
    void maxPoolValidAndPaddingIsIgnored() {
        PoolSpec valid = PoolSpec.pool2d(PoolKind.MAX, 1, 4, 4, 1, 2, 2, Padding.VALID);
        assertArrayEquals(new float[] {6, 8, 14, 16}, run(valid, seq(16, 1)));
        // all negative input, SAME: padding must not win with a 0
        PoolSpec same = PoolSpec.pool2d(PoolKind.MAX, 1, 3, 3, 1, 2, 2, Padding.SAME);
        float[] neg = new float[9];
        java.util.Arrays.fill(neg, -1);
        for (float v : run(same, neg)) {
            assertEquals(-1, v);
        }
    }

    @Test
    void avgPoolLeavesPaddedCellsOutOfTheCount() {
        // 2x2 input, 3x3 window, stride 1, SAME: each window covers the 4 real cells -> 2.5 (not 10/9)
        PoolSpec spec = PoolSpec.pool2d(PoolKind.AVG, 1, 2, 2, 1, 3, 1, Padding.SAME);
        assertArrayEquals(new float[] {2.5f, 2.5f, 2.5f, 2.5f}, run(spec, new float[] {1, 2, 3, 4}));
        // VALID 2x2 stride 2 on 3x3: one window, the last row and column dropped
        PoolSpec valid = PoolSpec.pool2d(PoolKind.AVG, 1, 3, 3, 1, 2, 2, Padding.VALID);
        assertArrayEquals(new float[] {3}, run(valid, seq(9, 1)));
    }

    @Test
    void depthWiseMaxPool() {
        PoolSpec spec = PoolSpec.builder(PoolKind.MAX, Layout.NHWC).input(1, 1, 1, 4).depthWindow(2).build();
        assertArrayEquals(new int[] {1, 1, 1, 2}, spec.output().dims());
        assertArrayEquals(new float[] {5, 3}, run(spec, new float[] {1, 5, 3, 2}));
    }

    @Test
    void lrnUsesTensorFlowsAlpha() {
        // x = (1, 2, 3), r = 1, bias 1, alpha 1, beta 1: squares summed over the clipped window, alpha not divided by 3
        LrnSpec spec = LrnSpec.of(Layout.NHWC, new int[] {1, 1, 1, 3}, 1, 1f, 1f, 1f);
        assertArrayEquals(new float[] {1f / 6, 2f / 15, 3f / 14}, run(spec, new float[] {1, 2, 3}), 1e-7f);
        // the PyTorch/ONNX convention divides alpha by the window: fromAveraged converts
        LrnSpec torch = LrnSpec.fromAveraged(DType.F32, Layout.NHWC, new int[] {1, 1, 1, 3}, 3, 1f, 3f, 1f);
        assertEquals(1, torch.depthRadius());
        assertEquals(1f, torch.alpha());
        // AlexNet's seed parameters: r=2, alpha=0.00002, beta=0.75, k=1
        LrnSpec alex = LrnSpec.of(Layout.NHWC, new int[] {1, 1, 1, 1}, 2, 1f, 0.00002f, 0.75f);
        assertEquals((float) (10 / Math.pow(1 + 0.00002 * 100, 0.75)), run(alex, new float[] {10})[0], 1e-6f);
    }

    @Test
    void batchNormByHand() {
        // 2 * (2 - 1) / sqrt(3 + 1) + 0.5 = 1.5
        BatchNormSpec spec = BatchNormSpec.of(Layout.NHWC, new int[] {1, 1, 1, 1}, 1f);
        assertArrayEquals(new float[] {1.5f}, run(spec, new float[] {2}, Tensor.of(new float[] {1}, Layout.X, 1),
                Tensor.of(new float[] {3}, Layout.X, 1), Tensor.of(new float[] {2}, Layout.X, 1),
                Tensor.of(new float[] {0.5f}, Layout.X, 1)));
    }

    @Test
    void reluAddConcat() {
        assertArrayEquals(new float[] {0, 0, 2}, run(new ReluSpec(DType.F32, Layout.NC, 1, 3), new float[] {-1, 0, 2}));
        AddSpec add = new AddSpec(DType.F32, Layout.NC, new int[] {1, 3}, true);
        assertArrayEquals(new float[] {0, 1, 5}, run(add, List.of(new float[] {-3, 0, 2}, new float[] {1, 1, 3})));
        // NHWC: per pixel, the first input's channel then the second's two
        ConcatSpec cat = new ConcatSpec(DType.F32, Layout.NHWC, new int[] {1, 1, 2, 1}, 1, 2);
        assertArrayEquals(new float[] {1, 10, 11, 2, 12, 13},
                run(cat, List.of(new float[] {1, 2}, new float[] {10, 11, 12, 13})));
        // NCHW: whole channel planes one after the other
        ConcatSpec catNchw = new ConcatSpec(DType.F32, Layout.NCHW, new int[] {1, 1, 1, 2}, 1, 2);
        assertArrayEquals(new float[] {1, 2, 10, 11, 12, 13},
                run(catNchw, List.of(new float[] {1, 2}, new float[] {10, 11, 12, 13})));
    }

    @Test
    void globalAvgPoolDenseSoftmax() {
        assertArrayEquals(new float[] {2.5f, 25f}, run(new GlobalAvgPoolSpec(DType.F32, Layout.NCHW, 1, 2, 2, 2),
                new float[] {1, 2, 3, 4, 10, 20, 30, 40}));
        // x = (1, 2); W[in][out] = [[1, 2, 3], [4, 5, 6]] -> (9, 12, 15) + bias (1, 1, 1)
        DenseSpec io = new DenseSpec(DType.F32, 1, 2, 3, Layout.IO, true, false);
        assertArrayEquals(new float[] {10, 13, 16}, run(io, new float[] {1, 2},
                Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, Layout.IO, 2, 3), Tensor.of(new float[] {1, 1, 1}, Layout.X, 3)));
        DenseSpec oi = new DenseSpec(DType.F32, 1, 2, 3, Layout.OI, false, false);
        assertArrayEquals(new float[] {9, 12, 15}, run(oi, new float[] {1, 2},
                Tensor.of(new float[] {1, 4, 2, 5, 3, 6}, Layout.OI, 3, 2)));
        SoftmaxSpec sm = new SoftmaxSpec(DType.F32, Layout.NC, 2, 2);
        assertArrayEquals(new float[] {1f / 3, 2f / 3, 0.5f, 0.5f},
                run(sm, new float[] {0, (float) Math.log(2), 1000, 1000}), 1e-6f);
    }

    @Test
    void separableConvolutionIsDepthwiseThenPointwise() {
        // C=2, 1x1 depthwise (multiplier 1) scales channels by (2, 3); pointwise sums them with (1, 10)
        SeparableConvSpec spec = SeparableConvSpec.of(DType.F32, Layout.NHWC, new int[] {1, 1, 1, 2}, new int[] {1, 1}, 1,
                1, new int[] {1}, new int[] {1}, Padding.SAME, false, false);
        try (Tensor dw = Tensor.of(new float[] {2, 3}, Layout.HWIO, 1, 1, 1, 2);
             Tensor pw = Tensor.of(new float[] {1, 10}, Layout.HWIO, 1, 1, 2, 1);
             Tensor x = Tensor.of(new float[] {1, 1}, Layout.NHWC, 1, 1, 1, 2);
             Tensor y = spec.output().allocate(DType.F32);
             Operation op = spec.prepare(dw, pw)) {
            op.apply(x, y);
            assertArrayEquals(new float[] {32}, y.toFloatArray());
        }
    }

    @Test
    void halfAndBfloatAccumulateInFloat() {
        // 1000 terms of 0.001: an fp16 accumulator would stall far below 1; fp32 accumulation gives 1 (rounded)
        ConvSpec spec = ConvSpec.builder(Layout.NWC).input(1, 1000, 1).kernel(1000).outChannels(1).dtype(DType.F16).build();
        float[] x = new float[1000];
        java.util.Arrays.fill(x, 1f);
        float[] w = new float[1000];
        java.util.Arrays.fill(w, 0.001f);
        float expected = DType.F16.round(1000 * DType.F16.round(0.001f));
        assertEquals(expected, run(spec, x, Tensor.of(w, DType.F16, Layout.WIO, 1000, 1, 1))[0], 0);
        ConvSpec bf = ConvSpec.builder(Layout.NWC).input(1, 1000, 1).kernel(1000).outChannels(1).dtype(DType.BF16).build();
        float expectedBf = DType.BF16.round(1000 * DType.BF16.round(0.001f));
        assertEquals(expectedBf, run(bf, x, Tensor.of(w, DType.BF16, Layout.WIO, 1000, 1, 1))[0], 0);
    }
}
