package org.conv4j.vector;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.conv4j.ConvSpec;
import org.conv4j.ConvTransposeSpec;
import org.conv4j.DType;
import org.conv4j.Tensor;
import org.conv4j.Weights;
import org.conv4j.spi.Kernel;

/**
 * Every convolution: as an implicit-im2col GEMM, planar for few output channels, depthwise, and transposed.
 * (Pooling, separable, is {@link PoolKernel}.)
 *
 * <p>The output is cut into tiles of {@code th x tw} pixels (one depth slice). For each tile the input window
 * region it reads is gathered once into a channels-last fp32 heap tile, with padding materialised, 16-bit types
 * widened and channels-first layouts transposed. The GEMM micro-kernel then reads the im2col rows of the tile in
 * place (a row is a list of contiguous runs at fixed offsets), so no im2col matrix is ever built and the
 * workspace stays bounded by the tile budget whatever the image size.
 *
 * <p>A transposed convolution runs as a stride-1 convolution over a virtual input: the real input spread
 * {@code stride} cells apart ({@code ins}), shifted by {@code (k - 1) * dilation - padBefore}, with the filter flipped.
 * The inserted zeros are multiplied like real cells, so a stride-s transposed convolution does about s^d times the
 * useful work; correct, not fast.
 *
 * <p>Channels-first tensors (NCHW and its 1-D/3-D forms) are transposed to channels-last tile by tile on the way in
 * and back on the way out; no kernel works on channels-first data directly.
 */
final class WindowKernel implements Kernel {
    /**
     * Tile size limits in floats: the gathered input tile, the output tile, and the input rows that one output
     * row of a channel-vectorised kernel reads (kept within L1).
     */
    record Budgets(int in, int out, int l1) {
        /**
         * About 256 KB per tile, sized for L2; 24 KB of rows for a 32 KB L1 (D1's full 114-cell rows: 0.66 of
         * oneDNN, against 0.62 with 16 KB, which cut its rows in 80 + 32 pixels).
         */
        static final Budgets DEFAULT = new Budgets(64 * 1024, 64 * 1024, 6 * 1024);
    }

    enum Mode { GEMM, PLANAR, DEPTHWISE }

    /**
     * Weight panel floats per reduction slice of the GEMM: 256 KB, a quarter of L2, beside the input tile. Slices of
     * 32 KB (to stay in L1) cut the micro-kernel's inner loops to 64-128 steps, and the panel streams from L2 fast
     * enough without them: R2 0.90 -> 0.94 of oneDNN, R4 0.85 -> 0.90, R5 0.78 -> 0.84, A1 0.89 -> 0.93 (Zen 4,
     * ShapeBench, 1 thread); 64 KB slices ran 2-4% slower than 256 KB, 512 KB and unbounded ones no faster.
     */
    static final int KC_FLOATS = 64 * 1024;

    /**
     * A 2-D GEMM convolution whose filter row (width x channels) is shorter than this many floats may read a row-stacked
     * tile: short runs left the micro-kernel's inner loop a handful of iterations between segment switches.
     */
    static final int STACK_RUN_MAX = 128;

    /**
     * ... but only where the stacking copy is cheap against the FMAs: floats copied per output pixel times this must
     * stay under the FMAs per pixel. Measured: S1 (15 floats, 15.6k FMAs) gained 5-10%; R1 (42, 9.4k),
     * A1 (132, 35k) and G1 (80, 12.8k) lost 10-40%.
     */
    static final int STACK_COPY_COST = 400;

    /**
     * A tile is cut by rows for idle threads only above this many multiply-adds (about 5-10 us on one core): below,
     * waking a worker costs more than it saves.
     */
    static final long SPLIT_MIN_MACS = 1 << 20;

    /** Rows a GEMM tile finishes on all panels before storing them: a multiple of both row blocks (5 and 6). */
    static final int STREAM_ROWS = 30;

    /**
     * A GEMM tile's rows are reordered to group the edge columns' padding only where that could skip this fraction of
     * the multiply-adds: reordered rows cost copies on the way out and shorter blocks at the ends of ranges.
     */
    static final double REORDER_MIN_GAIN = 0.02;

    /** Convolutions with at most this many output channels run on the planar kernel (lanes along pixels). */
    static final int PLANAR_MAX_CHANNELS = 4;

    private final Simd simd;
    private final Workers workers;
    private final Mode mode;
    private final Act x;
    private final Act y;
    private final int[] k;
    private final int[] vs;
    /** Per axis: 1, or the stride where the kernel is one cell wide, so the tile holds only the cells it reads. */
    private final int[] sub;
    /** Stride between neighbouring outputs inside the tile: {@code vs / sub}. */
    private final int[] ts;
    private final int[] dl;
    private final int[] off;
    private final int[] ins;
    private final boolean relu;
    private final int th;
    private final int tw;
    /** Multiply-adds of one full tile, all output channels. */
    private final long macsPerTile;
    private final int[] tv;
    private final int groups;
    private final int cg;
    private final int kg;
    /** Depthwise channel multiplier (1 otherwise); the depthwise kernel reads a tile with channels repeated this often. */
    private final int mult;
    /** Channels per pixel of the tile the kernel reads. */
    private final int tc;
    // GEMM: per group the run offsets in the tile; panels of output channels (same for every group)
    private final int[][] segOff;
    private final int segs;
    private final int segLen;
    private final int[] panelCol;
    private final int[] panelNv;
    /**
     * GEMM on a row-stacked tile: 0, or the filter height. The tile is re-laid [out row][column][filter row][channel],
     * so one output pixel's im2col row (filter columns x filter rows x channels) is one contiguous run.
     */
    private final int stack;
    private final int kgPad;
    private final float[] packed;
    private final float[] bias;
    // DEPTHWISE: tap offsets in the tile
    private final int[] kOff;
    private final int ldw;
    /** Depthwise 3x3, multiplier 1, stride and dilation 1 along W, 2-D: runs on the channel-blocked kernel; tap offsets there. */
    private final int[] dw9Off;
    /**
     * Depthwise 3x3 with f32 channels-last input and output and whole vectors of channels: the outputs in rows
     * {@code [dw9Rows[0], dw9Rows[1])} and columns {@code [dw9Cols[0], dw9Cols[1])}, all nine taps inside the input,
     * are read from the segment in place.
     */
    private final boolean dw9Direct;
    private final int[] dw9Rows;
    private final int[] dw9Cols;
    // PLANAR: term offsets in the planar tile, weights in channel pairs
    private final int[] planarOff;
    private final int planarCols;
    private final float[] planarW;

    private WindowKernel(Simd simd, Workers workers, Budgets budgets, Mode mode, Act x, Act y, int[] k, int[] vs, int[] dl, int[] off,
                         int[] ins, int groups, boolean relu, float[] filter, boolean flip, float[] biasIn) {
        this.simd = simd;
        this.workers = workers;
        this.mode = mode;
        this.x = x;
        this.y = y;
        this.k = k;
        this.vs = vs;
        this.sub = new int[3];
        this.ts = new int[3];
        for (int i = 0; i < 3; i++) {
            sub[i] = k[i] == 1 && ins[i] == 1 ? vs[i] : 1;
            ts[i] = vs[i] / sub[i];
        }
        this.dl = dl;
        this.off = off;
        this.ins = ins;
        this.relu = relu;
        this.groups = groups;
        this.cg = x.c / groups;
        this.kg = y.c / groups;
        this.mult = mode == Mode.DEPTHWISE ? y.c / x.c : 1;
        this.tc = x.c * mult;
        int lanes = simd.lanes();
        // output channel panels of at most 4 vectors, as even as they divide: a lone 1-vector panel runs on 6 FMA
        // chains, too few to hide the FMA latency (S1's 13 vectors: 0.71-0.75 of oneDNN as 4+4+4+1, 0.78-0.80 as 4+3+3+3)
        int vectors = (kg + lanes - 1) / lanes;
        int nPanels = (vectors + 3) / 4;
        this.panelCol = new int[nPanels];
        this.panelNv = new int[nPanels];
        int col = 0;
        for (int pi = 0; pi < nPanels; pi++) {
            panelCol[pi] = col;
            panelNv[pi] = vectors / nPanels + (pi < vectors % nPanels ? 1 : 0);
            col += panelNv[pi] * lanes;
        }
        this.kgPad = col;
        int outCols = mode == Mode.GEMM ? groups * kgPad : y.c;
        long stackCopies = (long) k[1] * cg * vs[2];
        long pixelFmas = (long) k[1] * k[2] * cg * kgPad;
        this.stack = mode == Mode.GEMM && groups == 1 && k[0] == 1 && k[1] > 1 && dl[2] == 1 && k[2] * cg < STACK_RUN_MAX
                && stackCopies * STACK_COPY_COST < pixelFmas ? k[1] : 0;
        // tile: shrink rows, then columns, until the input and output tiles fit their budgets
        int[] os = y.sp;
        int h = os[1];
        int w = os[2];
        boolean dw9 = mode == Mode.DEPTHWISE && mult == 1 && k[0] == 1 && k[1] == 3 && k[2] == 3 && ts[2] == 1 && dl[2] == 1;
        if (dw9) {
            // the blocked 3x3 kernel reads three rows of one channel block at a time; it steps eight pixels, and a
            // ragged remainder runs one pixel at a time on a single FMA chain, so keep the width a multiple of 8
            long windowRows = (long) (2 * dl[1] + 1) * lanes;
            int fit = (int) Math.max(8, (budgets.l1() / windowRows - 2) / 8 * 8);
            w = w <= fit ? w : fit;
        } else if (mode == Mode.DEPTHWISE) {
            // vectors run along channels: keep the input rows one output row reads (window height) within L1
            long windowRows = (long) span(0, 1) * ((k[1] - 1) * dl[1] + 1);
            while (w > 1 && windowRows * span(2, w) * tc > budgets.l1()) {
                w = (w + 1) / 2;
            }
        }
        while (h > 1 && (tileFloats(h, w) > budgets.in() || (long) h * w * outCols > budgets.out())) {
            h = (h + 1) / 2;
        }
        while (w > 1 && (tileFloats(h, w) > budgets.in() || (long) h * w * outCols > budgets.out())) {
            w = (w + 1) / 2;
        }
        while (h > 1 && stackedFloats(h, w) > budgets.in()) {
            h = (h + 1) / 2;
        }
        this.th = h;
        this.tw = w;
        this.macsPerTile = (long) h * w * k[0] * k[1] * k[2] * cg * y.c;
        this.tv = new int[] {span(0, 1), span(1, th), span(2, tw)};
        this.dw9Direct = dw9 && x.channelsLast && y.channelsLast && x.dtype == DType.F32
                && y.dtype == DType.F32 && x.c % lanes == 0;
        // output row oh reads input rows oh * stride - pad + {0, 1, 2} * dilation; column ow reads ow - pad + {0, 1, 2}
        this.dw9Rows = new int[] {Math.ceilDiv(off[1], vs[1]), Math.floorDiv(x.sp[1] - 1 - 2 * dl[1] + off[1], vs[1]) + 1};
        this.dw9Cols = new int[] {off[2], x.sp[2] - 2 + off[2]};
        int plane = tv[1] * tv[2];
        int taps = k[0] * k[1] * k[2];
        if (mode == Mode.PLANAR) {
            int sw = ts[2];
            int rowsAll = tv[0] * tv[1];
            this.planarCols = (tv[2] + sw - 1) / sw;
            this.planarOff = new int[taps * x.c];
            int pairs = (y.c + 1) / 2;
            this.planarW = new float[pairs * taps * x.c * 2];
            int q = 0;
            for (int kd = 0; kd < k[0]; kd++) {
                for (int kh = 0; kh < k[1]; kh++) {
                    for (int kw = 0; kw < k[2]; kw++) {
                        int row = kd * dl[0] * tv[1] + kh * dl[1];
                        int v = kw * dl[2];
                        int tap = (kd * k[1] + kh) * k[2] + kw;
                        for (int c = 0; c < x.c; c++, q++) {
                            planarOff[q] = ((c * sw + v % sw) * rowsAll + row) * planarCols + v / sw;
                            for (int oc = 0; oc < y.c; oc++) {
                                planarW[((oc / 2) * taps * x.c + q) * 2 + oc % 2] = filter[(oc * x.c + c) * taps + tap];
                            }
                        }
                    }
                }
            }
            this.bias = new float[pairs * 2];
            if (biasIn != null) {
                System.arraycopy(biasIn, 0, bias, 0, y.c);
            }
            this.segOff = null;
            this.segs = 0;
            this.segLen = 0;
            this.packed = null;
            this.kOff = null;
            this.ldw = 0;
            this.dw9Off = null;
        } else if (mode == Mode.GEMM) {
            boolean merge = groups == 1 && dl[2] == 1;
            this.segs = stack > 0 ? 1 : merge ? k[0] * k[1] : taps;
            this.segLen = stack > 0 ? taps * cg : merge ? k[2] * cg : cg;
            this.segOff = new int[groups][segs];
            for (int g = 0; g < groups && stack == 0; g++) {
                int s = 0;
                for (int kd = 0; kd < k[0]; kd++) {
                    for (int kh = 0; kh < k[1]; kh++) {
                        for (int kw = 0; kw < (merge ? 1 : k[2]); kw++) {
                            segOff[g][s++] = ((kd * dl[0]) * plane + (kh * dl[1]) * tv[2] + kw * dl[2]) * x.c + g * cg;
                        }
                    }
                }
            }
            this.packed = packGemm(filter, flip, taps);
            this.bias = new float[groups * kgPad];
            if (biasIn != null) {
                for (int g = 0; g < groups; g++) {
                    System.arraycopy(biasIn, g * kg, bias, g * kgPad, kg);
                }
            }
            this.kOff = null;
            this.ldw = 0;
            this.dw9Off = null;
            this.planarOff = null;
            this.planarCols = 0;
            this.planarW = null;
        } else {
            this.planarOff = null;
            this.planarCols = 0;
            this.planarW = null;
            this.segOff = null;
            this.segs = 0;
            this.segLen = 0;
            this.kOff = new int[taps];
            int t = 0;
            for (int kd = 0; kd < k[0]; kd++) {
                for (int kh = 0; kh < k[1]; kh++) {
                    for (int kw = 0; kw < k[2]; kw++) {
                        kOff[t++] = ((kd * dl[0]) * plane + (kh * dl[1]) * tv[2] + kw * dl[2]) * tc;
                    }
                }
            }
            this.dw9Off = dw9 ? new int[9] : null;
            if (dw9) {
                for (int kh = 0; kh < 3; kh++) {
                    for (int kw = 0; kw < 3; kw++) {
                        dw9Off[kh * 3 + kw] = (kh * dl[1] * tv[2] + kw * dl[2]) * lanes;
                    }
                }
            }
            if (mode == Mode.DEPTHWISE) {
                this.ldw = (y.c + lanes - 1) / lanes * lanes;
                this.packed = new float[taps * ldw];
                for (int ch = 0; ch < y.c; ch++) {
                    for (int tap = 0; tap < taps; tap++) {
                        packed[tap * ldw + ch] = filter[ch * taps + tap];
                    }
                }
                this.bias = new float[ldw];
                if (biasIn != null) {
                    System.arraycopy(biasIn, 0, bias, 0, y.c);
                }
            } else {
                this.ldw = 0;
                this.packed = null;
                this.bias = null;
            }
        }
    }

    private int span(int axis, int outs) {
        return (outs - 1) * ts[axis] + (k[axis] - 1) * dl[axis] + 1;
    }

    private long tileFloats(int h, int w) {
        return (long) span(0, 1) * span(1, h) * span(2, w) * tc;
    }

    private long stackedFloats(int h, int w) {
        return (long) h * span(2, w) * stack * tc;
    }

    /**
     * Packs the canonical filter [K][Cg][KD][KH][KW] into panels [group][panel][tap][c][nv * lanes]; taps run
     * [KD][KH][KW], or [KW][KH] on a row-stacked tile.
     */
    private float[] packGemm(float[] f, boolean flip, int taps) {
        int lanes = simd.lanes();
        int kred = taps * cg;
        float[] p = new float[groups * kgPad * kred];
        for (int g = 0; g < groups; g++) {
            for (int pi = 0; pi < panelCol.length; pi++) {
                int nr = panelNv[pi] * lanes;
                int base = (g * kgPad + panelCol[pi]) * kred;
                for (int j = 0; j < nr && panelCol[pi] + j < kg; j++) {
                    int oc = g * kg + panelCol[pi] + j;
                    for (int tap = 0; tap < taps; tap++) {
                        int src = flip ? taps - 1 - tap : tap;
                        int q = stack > 0 ? (tap % k[2]) * k[1] + tap / k[2] : tap;
                        for (int c = 0; c < cg; c++) {
                            p[base + (q * cg + c) * nr + j] = f[(oc * cg + c) * taps + src];
                        }
                    }
                }
            }
        }
        return p;
    }

    static WindowKernel conv(Simd simd, Workers workers, Budgets budgets, ConvSpec s, Tensor[] params) {
        float[] filter = Weights.canonical(params[0]);
        float[] b = s.hasBias() ? Weights.canonical(params[1]) : null;
        boolean dw = s.isDepthwise();
        boolean planar = !dw && s.groups() == 1 && s.outChannels() <= PLANAR_MAX_CHANNELS;
        int[] pb = pad3(s.padBefore(), 0);
        return new WindowKernel(simd, workers, budgets, dw ? Mode.DEPTHWISE : planar ? Mode.PLANAR : Mode.GEMM, new Act(s.inputShape(), s.dtype()),
                new Act(s.outputShape(), s.dtype()), pad3(s.kernel(), 1), pad3(s.strides(), 1), pad3(s.dilations(), 1),
                pb, new int[] {1, 1, 1}, s.groups(), s.relu(), filter, false, b);
    }

    static WindowKernel convTranspose(Simd simd, Workers workers, Budgets budgets, ConvTransposeSpec s, Tensor[] params) {
        float[] filter = Weights.canonical(params[0]);
        float[] b = s.hasBias() ? Weights.canonical(params[1]) : null;
        int[] k = pad3(s.kernel(), 1);
        int[] dl = pad3(s.dilations(), 1);
        int[] pb = pad3(s.padBefore(), 0);
        int[] off = new int[3];
        for (int i = 0; i < 3; i++) {
            off[i] = (k[i] - 1) * dl[i] - pb[i];
        }
        return new WindowKernel(simd, workers, budgets, Mode.GEMM, new Act(s.inputShape(), s.dtype()),
                new Act(s.outputShape(), s.dtype()), k, new int[] {1, 1, 1}, dl, off, pad3(s.strides(), 1),
                1, s.relu(), filter, true, b);
    }

    static int[] pad3(int[] v, int fill) {
        int[] r = {fill, fill, fill};
        System.arraycopy(v, 0, r, 3 - v.length, v.length);
        return r;
    }

    /** Whether this GEMM reads a row-stacked tile (tests check that their shapes take that path). */
    boolean rowStacked() {
        return stack > 0;
    }

    /**
     * Whether the GEMM rows of the output tile at {@code (oh0, ow0)}, {@code h x w} pixels, run reordered so that the
     * edge columns skip their padded filter columns (tests check that their shapes take that path).
     */
    boolean reordersTile(int oh0, int h, int ow0, int w) {
        return planRows(Scratch.get(), new int[h * w], oh0, h, ow0, w).rowOut() != null;
    }

    /** Vectors per output-channel panel of the GEMM. */
    int[] panelVectors() {
        return panelNv.clone();
    }

    /** Tile extents chosen at prepare (tests check the workspace bound through them). */
    int[] tile() {
        return new int[] {th, tw};
    }

    @Override
    public void execute(Tensor[] inputs, Tensor output) {
        int[] os = y.sp;
        int threads = workers.threads();
        int nTw = (os[2] + tw - 1) / tw;
        int tiles = y.n * os[0] * ((os[1] + th - 1) / th) * nTw;
        // split output channels too when there are fewer tiles than threads, and then the rows of the tiles (G1, one
        // tile of one panel, ran on one thread); a task still gathers a whole tile's input. The result does not
        // depend on either split: every output's sum runs the same way in any tile.
        int chunks = 1;
        if (mode == Mode.GEMM && groups == 1 && tiles < 2 * threads) {
            chunks = Math.min(panelCol.length, (2 * threads + tiles - 1) / tiles);
        }
        int rh = th;
        if (tiles * chunks < threads && macsPerTile >= SPLIT_MIN_MACS) {
            int parts = (threads + tiles * chunks - 1) / (tiles * chunks);
            rh = Math.max(1, (th + parts - 1) / parts);
        }
        int tileRows = rh;
        int nTh = (os[1] + rh - 1) / rh;
        tiles = y.n * os[0] * nTh * nTw;
        int nChunks = chunks;
        MemorySegment in = inputs[0].segment();
        MemorySegment out = output.segment();
        workers.run(tiles * nChunks, inputs, output, task -> {
            int t = task / nChunks;
            int chunk = task % nChunks;
            int ow = t % nTw;
            t /= nTw;
            int oh = t % nTh;
            t /= nTh;
            int od = t % os[0];
            int b = t / os[0];
            runTile(in, out, b, od, oh * tileRows, Math.min(tileRows, os[1] - oh * tileRows), ow * tw,
                    Math.min(tw, os[2] - ow * tw), chunk, nChunks);
        });
    }

    private void runTile(MemorySegment in, MemorySegment out, int b, int od, int oh0, int h, int ow0, int w,
                         int chunk, int nChunks) {
        if (dw9Off != null) {
            dw9Tile(in, out, b, od, oh0, h, ow0, w);
            return;
        }
        Scratch sc = Scratch.get();
        float[] a = sc.floats(Scratch.IN, tv[0] * tv[1] * tv[2] * x.c);
        int[] vStart = {od * vs[0], oh0 * vs[1], ow0 * vs[2]};
        x.gather(in, b, vStart, tv, sub, off, ins, a);
        int rows = h * w;
        int[] rowBase = sc.ints(Scratch.IN, rows);
        if (stack > 0) {
            a = stackRows(a, h);
            for (int i = 0, r = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    rowBase[r++] = (i * tv[2] + j * ts[2]) * stack * tc;
                }
            }
        } else {
            for (int i = 0, r = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    rowBase[r++] = ((i * ts[1]) * tv[2] + j * ts[2]) * tc;
                }
            }
        }
        switch (mode) {
            case GEMM -> gemmTile(out, a, planRows(sc, rowBase, oh0, h, ow0, w), b, od, oh0, h, ow0, w, chunk, nChunks);
            case PLANAR -> planarTile(out, a, b, od, oh0, h, ow0, w);
            case DEPTHWISE -> {
                if (mult > 1) {
                    // repeat each input channel for its multiplier outputs, so output channel oc reads tile channel oc
                    int cells = tv[0] * tv[1] * tv[2];
                    float[] e = sc.floats(Scratch.AUX, cells * tc);
                    for (int i = 0, o = 0; i < cells * x.c; i++) {
                        float v = a[i];
                        for (int j = 0; j < mult; j++) {
                            e[o++] = v;
                        }
                    }
                    a = e;
                }
                float[] c = sc.floats(Scratch.OUT, rows * y.c);
                simd.depthwise(a, rowBase, rows, kOff, kOff.length, y.c, packed, ldw, bias, relu, c, y.c);
                y.store(c, y.c, out, b, od, oh0, h, ow0, w, 0, y.c);
            }
        }
    }

    /**
     * Depthwise 3x3: the part of the tile whose taps all lie inside the input straight from the segment when both
     * tensors are f32 channels-last with whole vectors of channels, the rest (padding borders, other layouts and
     * dtypes) on the channel-blocked tile. Both sum bias first, then the nine taps in order, so an output does not
     * depend on which path computed it.
     */
    private void dw9Tile(MemorySegment in, MemorySegment out, int b, int od, int oh0, int h, int ow0, int w) {
        int d = Act.real(od * vs[0], off[0], 1, x.sp[0]);
        // the in-place kernels read and write the tensors' segments: native ones only, so that their loads and
        // stores never see two kinds of segment (see Simd#depthwise9)
        if (dw9Direct && d >= 0 && in.isNative() && out.isNative()) {
            int r0 = Math.clamp(dw9Rows[0], oh0, oh0 + h);
            int r1 = Math.clamp(dw9Rows[1], r0, oh0 + h);
            int c0 = Math.clamp(dw9Cols[0], ow0, ow0 + w);
            int c1 = Math.clamp(dw9Cols[1], c0, ow0 + w);
            if (r1 > r0 && c1 - c0 >= 5) { // the kernel steps five pixels
                dw9Blocked(in, out, b, od, oh0, r0 - oh0, ow0, w);
                dw9Blocked(in, out, b, od, r1, oh0 + h - r1, ow0, w);
                long row = 4 * x.ss[1];
                int hh = r0 * vs[1] - off[1];
                int blocks = ldw / simd.lanes();
                simd.depthwise9Direct(in, 4 * x.index(b, 0, d, hh, c0 - off[2]), vs[1] * row, dl[1] * row,
                        4 * x.ss[2], r1 - r0, c1 - c0, packed, blocks, bias, relu, out, 4 * y.index(b, 0, od, r0, c0),
                        4 * y.ss[1], 4 * y.ss[2]);
                for (int c = ow0; c < ow0 + w; c = c == c0 ? c1 : c + 1) {
                    if (c < c0 || c >= c1) {
                        simd.depthwise9Column(in, 4 * x.index(b, 0, d, hh, c - off[2]), vs[1] * row, dl[1] * row,
                                4 * x.ss[2], Math.max(0, off[2] - c), Math.min(3, x.sp[2] + off[2] - c), r1 - r0,
                                packed, blocks, bias, relu, out, 4 * y.index(b, 0, od, r0, c), 4 * y.ss[1]);
                    }
                }
                return;
            }
        }
        dw9Blocked(in, out, b, od, oh0, h, ow0, w);
    }

    /**
     * Depthwise 3x3 on a channel-blocked tile: neighbouring pixels sit one vector apart, so the kernel's loads need no
     * per-load bounds checks. f32 channels-last input goes from the segment straight into the blocks; other inputs
     * through the usual channels-last tile. Only the input cells the {@code h x w} outputs read are gathered.
     */
    private void dw9Blocked(MemorySegment in, MemorySegment out, int b, int od, int oh0, int h, int ow0, int w) {
        if (h <= 0 || w <= 0) {
            return;
        }
        Scratch sc = Scratch.get();
        int lanes = simd.lanes();
        int cells = tv[1] * tv[2];
        float[] blocked = sc.floats(Scratch.AUX, ldw * cells);
        if (x.channelsLast) {
            int d = Act.real(od * vs[0], off[0], 1, x.sp[0]);
            int vw0 = ow0 * vs[2];
            // tile columns [lo, hi) hold real input pixels; the rest of each row is padding
            int cols = span(2, w);
            int lo = Math.min(cols, Math.max(0, off[2] - vw0));
            int hi = Math.max(lo, Math.min(cols, off[2] + x.sp[2] - vw0));
            for (int r = 0, rows = span(1, h); r < rows; r++) {
                int hh = d < 0 ? -1 : Act.real(oh0 * vs[1] + r, off[1], 1, x.sp[1]);
                int from = hh < 0 ? cols : lo;
                int to = hh < 0 ? cols : hi;
                for (int blk = 0, base = r * tv[2] * lanes; blk < ldw / lanes; blk++, base += cells * lanes) {
                    Arrays.fill(blocked, base, base + from * lanes, 0f);
                    Arrays.fill(blocked, base + to * lanes, base + cols * lanes, 0f);
                }
                if (to > from && x.dtype == DType.F32) {
                    simd.gatherBlocked(in, 4 * x.index(b, 0, d, hh, vw0 + from - off[2]), to - from, x.c, blocked,
                            r * tv[2] + from, cells);
                } else if (to > from) {
                    // 16-bit types: the run widened in one go (a vectorised loop over a heap array), then blocked
                    float[] run = sc.floats(Scratch.IN, (to - from) * x.c);
                    Convert.load(in, x.dtype, x.index(b, 0, d, hh, vw0 + from - off[2]), run, 0, (to - from) * x.c);
                    simd.blockChannels(run, to - from, x.c, blocked, r * tv[2] + from, cells);
                }
            }
        } else {
            float[] a = sc.floats(Scratch.IN, cells * x.c);
            x.gather(in, b, new int[] {od * vs[0], oh0 * vs[1], ow0 * vs[2]}, tv, sub, off, ins, a);
            simd.blockChannels(a, cells, tc, blocked, 0, cells);
        }
        int blocks = ldw / lanes;
        int rowStep = ts[1] * tv[2] * lanes;
        // into a heap tile, then copied out, even for an f32 output the kernel could store into: the engine's vector
        // code must never touch a heap segment (see Simd#depthwise9). In-place f32 D1 runs here for its border rows only.
        float[] c = sc.floats(Scratch.OUT, h * w * ldw);
        simd.depthwise9(blocked, blocks, cells * lanes, rowStep, h, w, dw9Off, packed, bias, relu, c, 0, w * ldw, ldw);
        y.store(c, ldw, out, b, od, oh0, h, ow0, w, 0, y.c);
    }

    /** Re-lays the first {@code h} output rows' input as [out row][column][filter row][channel] (see {@link #stack}). */
    private float[] stackRows(float[] a, int h) {
        int c = tc;
        int cols = tv[2];
        int run = stack * c;
        float[] st = Scratch.get().floats(Scratch.AUX, h * cols * run);
        for (int i = 0; i < h; i++) {
            for (int kh = 0; kh < stack; kh++) {
                int src = (i * ts[1] + kh * dl[1]) * cols * c;
                int dst = i * cols * run + kh * c;
                if (c < 8) { // a call per pixel costs more than the copy
                    for (int v = 0; v < cols; v++, src += c, dst += run) {
                        for (int ch = 0; ch < c; ch++) {
                            st[dst + ch] = a[src + ch];
                        }
                    }
                } else {
                    for (int v = 0; v < cols; v++, src += c, dst += run) {
                        System.arraycopy(a, src, st, dst, c);
                    }
                }
            }
        }
        return st;
    }

    /** Few output channels: rearrange the tile planar and phase-split along W, run the pixel-vectorised kernel. */
    private void planarTile(MemorySegment out, float[] a, int b, int od, int oh0, int h, int ow0, int w) {
        Scratch sc = Scratch.get();
        int sw = ts[2];
        int rowsAll = tv[0] * tv[1];
        int c = x.c;
        float[] p = sc.floats(Scratch.AUX, c * sw * rowsAll * planarCols);
        int step = sw * rowsAll * planarCols;
        for (int r = 0; r < rowsAll; r++) {
            for (int ph = 0; ph < sw; ph++) {
                int dst = (ph * rowsAll + r) * planarCols;
                for (int col = 0, v = ph; v < tv[2]; col++, v += sw) {
                    int src = (r * tv[2] + v) * c;
                    for (int ch = 0; ch < c; ch++) {
                        p[dst + col + ch * step] = a[src + ch];
                    }
                }
            }
        }
        int pairs = (y.c + 1) / 2;
        int rows = h * w;
        float[] planarOut = sc.floats(Scratch.OUT, pairs * 2 * rows);
        simd.planarConv(p, planarOff, planarOff.length, ts[1] * planarCols, h, w, planarW, pairs, bias, relu, planarOut);
        float[] cl = sc.floats(Scratch.CONVERT, rows * y.c);
        for (int oc = 0; oc < y.c; oc++) {
            int src = oc * rows;
            for (int r = 0; r < rows; r++) {
                cl[r * y.c + oc] = planarOut[src + r];
            }
        }
        y.store(cl, y.c, out, b, od, oh0, h, ow0, w, 0, y.c);
    }

    /**
     * The GEMM rows of a tile, in the order they run: {@code rowBase} and {@code terms} as in {@link Simd#gemmRange}
     * ({@code terms} may be null), {@code rowOut} the tile pixel of each row (null: row r is pixel r), run as the row
     * ranges {@code [cuts[i], cuts[i+1])}, each in its own blocks.
     */
    private record RowPlan(int[] rowBase, int[] rowOut, int[] terms, int[] cuts) {
    }

    /**
     * Plans the rows of a 2-D GEMM tile whose filter reaches into padding: per output pixel, the reduction terms of the
     * filter rows on real input rows and, within each, of the filter columns on real input columns (see
     * {@link Simd#gemmRange}). oneDNN skips padded taps as well: on R5 (7x7, 3x3 SAME) they are 18% of the
     * multiply-adds, on R4 9%, on G1 (28x28, 5x5) 8%. A block of rows runs the union of its rows' ranges, so the
     * pixels of the edge columns, which need fewer filter columns, go after the others, column by column, where that
     * could skip at least {@link #REORDER_MIN_GAIN} of the work. Measured (ShapeBench, 1 thread, vector / oneDNN):
     * R3 0.95 -> 0.96, R4 0.91 -> 0.94, R5 0.84 -> 0.91; G1 0.80 -> 0.81.
     */
    private RowPlan planRows(Scratch sc, int[] rowBase, int oh0, int h, int ow0, int w) {
        int rows = h * w;
        RowPlan plain = new RowPlan(rowBase, null, null, new int[] {0, rows});
        if (stack > 0 || k[0] != 1) {
            return plain;
        }
        boolean alongW = segs == k[1] && segLen == k[2] * cg && k[2] > 1; // a segment is one filter row, columns in order
        // per tile row, then per tile column: the filter rows / columns [lo, hi) on real input
        int[] span = sc.ints(Scratch.AUX2, 2 * (h + w));
        boolean paddedRows = false;
        int edges = 0;
        for (int i = 0; i < h + w; i++) {
            boolean vertical = i < h;
            int axis = vertical ? 1 : 2;
            int v = vertical ? (oh0 + i) * vs[1] : (ow0 + i - h) * vs[2];
            int lo = 0;
            int hi = k[axis];
            if (vertical ? k[1] > 1 : alongW) {
                while (lo < k[axis] && Act.real(v + lo * dl[axis], off[axis], ins[axis], x.sp[axis]) < 0) {
                    lo++;
                }
                while (hi > lo && Act.real(v + (hi - 1) * dl[axis], off[axis], ins[axis], x.sp[axis]) < 0) {
                    hi--;
                }
                if (lo == hi) { // nothing real at all: an empty range, which a block's union ignores
                    lo = k[axis];
                    hi = 0;
                }
            }
            span[2 * i] = lo;
            span[2 * i + 1] = hi;
            boolean cut = lo > 0 || hi < k[axis];
            paddedRows |= vertical && cut;
            edges += !vertical && cut ? 1 : 0;
        }
        // the edge columns' share of the multiply-adds that a reordering could skip: R1 (112 columns, 7x7) 0.6%,
        // R2's tiles (56 columns, 3x3) 1.2%, R4 (14) 4.8%, R5 (7) 9.5%
        double saved = 0;
        for (int j = 0; j < w && alongW; j++) {
            saved += edgeColumn(span, h, j) ? 1 - (double) Math.max(0, span[2 * (h + j) + 1] - span[2 * (h + j)]) / k[2] : 0;
        }
        boolean reorder = saved >= REORDER_MIN_GAIN * w;
        if (!reorder && !paddedRows) {
            return plain; // in pixel order a block of the edge columns holds interior pixels too: nothing to skip
        }
        int perRow = segs / k[1] * segLen;
        int[] terms = sc.ints(Scratch.OUT, 4 * rows);
        if (!reorder) {
            for (int i = 0, r = 0; i < h; i++) {
                for (int j = 0; j < w; j++, r++) {
                    setTerms(terms, r, span, h, i, j, perRow, alongW);
                }
            }
            return new RowPlan(rowBase, null, terms, plain.cuts());
        }
        // pixels of full-width columns first, row by row; then the others, column by column, in a range per column
        // unless a column ends in a short block: R5's 7 rows in blocks of 5 leave 2, which run better together with
        // the next column's first rows, whose union is every filter column, than padded to a block of 5 each
        int[] base = sc.ints(Scratch.CONVERT, rows);
        int[] order = sc.ints(Scratch.AUX, rows);
        int n = 0;
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                if (!edgeColumn(span, h, j)) {
                    base[n] = rowBase[i * w + j];
                    order[n] = i * w + j;
                    setTerms(terms, n++, span, h, i, j, perRow, alongW);
                }
            }
        }
        int interior = n;
        for (int j = 0; j < w; j++) {
            if (edgeColumn(span, h, j)) {
                for (int i = 0; i < h; i++) {
                    base[n] = rowBase[i * w + j];
                    order[n] = i * w + j;
                    setTerms(terms, n++, span, h, i, j, perRow, alongW);
                }
            }
        }
        int block = Simd.rowBlock(panelNv[0]);
        int tail = h % block;
        boolean apart = tail == 0 || 2 * tail >= block;
        int[] cuts = new int[2 + (apart ? edges : 1)];
        cuts[1] = interior;
        for (int c = 2; c < cuts.length; c++) {
            cuts[c] = apart ? interior + (c - 1) * h : rows;
        }
        return new RowPlan(base, order, terms, cuts);
    }

    private boolean edgeColumn(int[] span, int h, int j) {
        return span[2 * (h + j)] > 0 || span[2 * (h + j) + 1] < k[2];
    }

    /** The term ranges of pixel (i, j) of the tile as GEMM row {@code n} (see {@link Simd#gemmRange}). */
    private void setTerms(int[] terms, int n, int[] span, int h, int i, int j, int perRow, boolean alongW) {
        terms[4 * n] = span[2 * i] * perRow;
        terms[4 * n + 1] = span[2 * i + 1] * perRow;
        terms[4 * n + 2] = alongW ? span[2 * (h + j)] * cg : 0;
        terms[4 * n + 3] = alongW ? span[2 * (h + j) + 1] * cg : segLen;
    }

    /**
     * Whether {@link #gemmTile} can store rows as soon as every panel has them: one reduction slice per panel, no
     * groups, and tile pixels that follow one another in a dense channels-last output.
     */
    private boolean streamsRows(int p0, int p1, int kred, int h, int w) {
        for (int p = p0; p < p1; p++) {
            if (kred > sliceTerms(panelNv[p])) {
                return false;
            }
        }
        return groups == 1 && y.channelsLast && y.ss[2] == y.c && y.ss[1] == (long) y.sp[2] * y.c
                && (h == 1 || w == y.sp[2]);
    }

    /** Reduction terms per slice for a panel of {@code nv} vectors (see {@link #KC_FLOATS}). */
    private int sliceTerms(int nv) {
        return Math.max(16, KC_FLOATS / (nv * simd.lanes()));
    }

    private void gemmTile(MemorySegment out, float[] a, RowPlan plan, int b, int od, int oh0, int h, int ow0, int w,
                          int chunk, int nChunks) {
        int rows = h * w;
        int[] cuts = plan.cuts();
        int[] rowOut = plan.rowOut();
        int p0 = panelCol.length * chunk / nChunks;
        int p1 = panelCol.length * (chunk + 1) / nChunks;
        int col0 = panelCol[p0];
        int col1 = p1 < panelCol.length ? panelCol[p1] : kgPad;
        int ldc = groups * (col1 - col0);
        int kred = segs * segLen;
        if (streamsRows(p0, p1, kred, h, w)) {
            // one reduction slice per panel: finish STREAM_ROWS rows on every panel, then store them while they are
            // still in L1 (storing the whole tile from L2 afterwards cost R6 a tenth of its time). Rows are kc apart,
            // not padded to whole vectors: the last panel runs first, and the padding lanes it writes past a row's end
            // land on the next row's first columns, which the panels after it (or its own next row) write again
            int kc = Math.min(col1, kg) - col0;
            float[] cs = Scratch.get().floats(Scratch.OUT, rows * kc + simd.lanes());
            // full-width tile (or one row) of a dense channels-last output: its pixels follow one another
            long start = y.index(b, col0, od, oh0, ow0);
            boolean dense = kc == y.c;
            for (int ri = 0; ri + 1 < cuts.length; ri++) {
                for (int r0 = cuts[ri]; r0 < cuts[ri + 1]; r0 += STREAM_ROWS) {
                    int r1 = Math.min(cuts[ri + 1], r0 + STREAM_ROWS);
                    for (int p = p1 - 1; p >= p0; p--) {
                        simd.gemmRange(a, plan.rowBase(), r0, r1, plan.terms(), segOff[0], segLen, 0, kred, true, true, packed,
                                panelCol[p] * kred, panelNv[p], bias, panelCol[p], relu, cs, panelCol[p] - col0, kc);
                    }
                    // runs of rows whose pixels follow one another go out in one copy
                    for (int r = r0, e; r < r1; r = e) {
                        int px = rowOut == null ? r : rowOut[r];
                        for (e = r + 1; dense && e < r1 && (rowOut == null || rowOut[e] == rowOut[e - 1] + 1); e++) {
                        }
                        Convert.store(cs, r * kc, out, y.dtype, start + (long) px * y.c, (e - r) * kc);
                    }
                }
            }
            return;
        }
        float[] c = Scratch.get().floats(Scratch.OUT, rows * ldc);
        for (int g = 0; g < groups; g++) {
            for (int p = p0; p < p1; p++) {
                int nv = panelNv[p];
                // cut the reduction so that the slice of the weight panel in use stays in L2 while every row block
                // of the tile passes over it (the full panel of a deep layer is MBs); the sums do not change
                int kc = sliceTerms(nv);
                for (int k0 = 0; k0 < kred; k0 += kc) {
                    int k1 = Math.min(kred, k0 + kc);
                    for (int ri = 0; ri + 1 < cuts.length; ri++) {
                        simd.gemmRange(a, plan.rowBase(), cuts[ri], cuts[ri + 1], plan.terms(), segOff[g], segLen, k0, k1,
                                k0 == 0, k1 == kred, packed, (g * kgPad + panelCol[p]) * kred, nv, bias, g * kgPad + panelCol[p],
                                relu, c, g * (col1 - col0) + panelCol[p] - col0, ldc);
                    }
                }
            }
        }
        if (rowOut != null) { // back to pixel order
            float[] inOrder = Scratch.get().floats(Scratch.AUX, rows * ldc);
            for (int r = 0; r < rows; r++) {
                System.arraycopy(c, r * ldc, inOrder, rowOut[r] * ldc, ldc);
            }
            c = inOrder;
        }
        int k0 = col0;
        int kc = Math.min(col1, kg) - col0;
        if (groups > 1) {
            // compact [rows][groups][kgPad] to [rows][K] in place (destinations never pass their sources)
            for (int r = 0; r < rows; r++) {
                for (int g = 0; g < groups; g++) {
                    System.arraycopy(c, r * ldc + g * kgPad, c, (r * groups + g) * kg, kg);
                }
            }
            y.store(c, y.c, out, b, od, oh0, h, ow0, w, 0, y.c);
        } else {
            if (kc != ldc) {
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(c, r * ldc, c, r * kc, kc);
                }
            }
            y.store(c, kc, out, b, od, oh0, h, ow0, w, k0, kc);
        }
    }
}
