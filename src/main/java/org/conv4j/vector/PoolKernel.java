package org.conv4j.vector;

import java.lang.foreign.MemorySegment;
import org.conv4j.DType;
import org.conv4j.PoolKind;
import org.conv4j.PoolSpec;
import org.conv4j.Tensor;
import org.conv4j.spi.Kernel;

/**
 * Max and average pooling over D, H and W, separably: for one output row, the input rows its windows cover are first
 * reduced element-wise into one row (long contiguous runs, full vectors whatever the channel count), then each output
 * pixel reduces its window's columns of that row per channel. Only real cells take part, so no padding is ever
 * materialised, and the average divides by the real cells of the window (TensorFlow's rule).
 *
 * <p>f32 channels-last input is read straight from its segment, and so is fp16/bf16 channels-last input to a max
 * pooling, whose rows are reduced on their bit patterns ({@link Simd#maxRows16}) so that only the reduced row is
 * widened. The 16-bit rows of an average pooling are widened and added to the first in one pass each, a block of the
 * reduced row at a time ({@link #ROW_BLOCK_16}); channels-first rows are loaded as channels-last fp32 first and folded
 * in one by one (rows in the same order everywhere). A task is one output row, cut into column chunks so that the
 * reduced row stays within {@link #ROW_FLOATS} where a single column allows; the result of each output never depends
 * on the cuts or the thread count.
 */
final class PoolKernel implements Kernel {
    /** Floats of the reduced input row a task keeps: 64 KB, within L2 alongside the rows it streams through. */
    static final int ROW_FLOATS = 16 * 1024;

    /**
     * Floats of the reduced row that the 16-bit rows of an average pooling are added into at a time: 16 KB, with the
     * 8 KB of shorts widened into it, within L1. fp16 P2 (ShapeBench 1): 8.7 GFLOP/s unblocked, 8.6 with 1024, 10.0
     * with 2048, 9.8-11.3 with 4096, 8.3-9.0 with 8192; fp32 P2 10.2-10.7 in the same runs.
     */
    static final int ROW_BLOCK_16 = 4096;

    private final Simd simd;
    private final Workers workers;
    private final boolean max;
    private final Act x;
    private final Act y;
    private final int[] k;
    private final int[] s;
    private final int[] padBefore;
    /** Output columns per task. */
    private final int chunk;
    private final boolean direct;
    /** Max pooling of channels-last fp16/bf16: rows reduced on their bit patterns straight from the segment. */
    private final boolean max16;
    /** Per thread: byte offsets of the input rows one output row's windows cover. */
    private final ThreadLocal<long[]> rowOffsets;

    PoolKernel(Simd simd, Workers workers, PoolSpec spec) {
        this.simd = simd;
        this.workers = workers;
        this.max = spec.poolKind() == PoolKind.MAX;
        this.x = new Act(spec.inputShape(), spec.dtype());
        this.y = new Act(spec.outputShape(), spec.dtype());
        this.k = WindowKernel.pad3(spec.window(), 1);
        this.s = WindowKernel.pad3(spec.strides(), 1);
        this.padBefore = WindowKernel.pad3(spec.padBefore(), 0);
        int ow = y.sp[2];
        int cols = ow;
        while (cols > 1 && (long) span(cols) * x.c > ROW_FLOATS) {
            cols = (cols + 1) / 2;
        }
        this.chunk = cols;
        this.direct = direct(x);
        this.max16 = max && x.channelsLast && x.dtype != DType.F32;
        this.rowOffsets = ThreadLocal.withInitial(() -> new long[k[0] * k[1]]);
    }

    private static boolean direct(Act x) {
        return x.channelsLast && x.dtype == DType.F32;
    }

    /** Input columns the windows of {@code cols} neighbouring outputs cover. */
    private int span(int cols) {
        return (cols - 1) * s[2] + k[2];
    }

    /** Output columns per task (tests check the workspace bound through it). */
    int chunk() {
        return chunk;
    }

    @Override
    public void execute(Tensor[] inputs, Tensor output) {
        int[] os = y.sp;
        int chunks = (os[2] + chunk - 1) / chunk;
        MemorySegment in = inputs[0].segment();
        MemorySegment out = output.segment();
        workers.run(y.n * os[0] * os[1] * chunks, inputs, output, task -> {
            int cw = task % chunks;
            int t = task / chunks;
            int oh = t % os[1];
            t /= os[1];
            int od = t % os[0];
            int b = t / os[0];
            int ow0 = cw * chunk;
            runRow(in, out, b, od, oh, ow0, Math.min(chunk, os[2] - ow0));
        });
    }

    private void runRow(MemorySegment in, MemorySegment out, int b, int od, int oh, int ow0, int cols) {
        int c = x.c;
        int w0 = ow0 * s[2] - padBefore[2];
        int lo = Math.max(0, w0);
        int hi = Math.min(x.sp[2], w0 + span(cols));
        int n = Math.max(0, hi - lo) * c;
        Scratch sc = Scratch.get();
        float[] acc = sc.floats(Scratch.IN, n);
        long[] offs = rowOffsets.get();
        int rows = 0;
        int d0 = od * s[0] - padBefore[0];
        int h0 = oh * s[1] - padBefore[1];
        for (int d = Math.max(0, d0); d < Math.min(x.sp[0], d0 + k[0]); d++) {
            for (int h = Math.max(0, h0); h < Math.min(x.sp[1], h0 + k[1]); h++, rows++) {
                if (direct || max16) {
                    offs[rows] = x.dtype.byteSize() * x.index(b, 0, d, h, lo);
                } else if (x.channelsLast) {
                    offs[rows] = x.index(b, 0, d, h, lo); // 16-bit average pooling: added below
                } else if (rows == 0) {
                    x.loadRun(in, b, d, h, lo, hi - lo, acc, 0);
                } else {
                    // widened into a heap row and folded in with array loops, in the same row order
                    float[] row = sc.floats(Scratch.AUX, n);
                    x.loadRun(in, b, d, h, lo, hi - lo, row, 0);
                    if (max) {
                        simd.max(acc, row, n);
                    } else {
                        simd.add(acc, row, n, false);
                    }
                }
            }
        }
        if (rows == 0 || n == 0) {
            throw new IllegalStateException("pooling window of output (" + od + ", " + oh + ", " + ow0
                    + ") holds no real cell; PoolSpec keeps padding below the window, so this is a bug");
        }
        if (direct) {
            simd.reduceRows(in, offs, rows, acc, n, max);
        } else if (max16) {
            short[] bits = sc.shorts(n);
            simd.maxRows16(in, offs, rows, n, x.dtype == DType.F16 ? (short) 0x7c00 : (short) 0x7f80, bits);
            Convert.widen(bits, x.dtype, acc, 0, n);
        } else if (x.channelsLast) {
            // each row widened and added in one pass, a block of acc at a time so that it stays in L1 while every
            // row adds into it (P2: 7 rows of 14336 floats)
            for (int at = 0; at < n; at += ROW_BLOCK_16) {
                int len = Math.min(ROW_BLOCK_16, n - at);
                Convert.load(in, x.dtype, offs[0] + at, acc, at, len);
                for (int r = 1; r < rows; r++) {
                    Convert.addTo(in, x.dtype, offs[r] + at, acc, at, len);
                }
            }
        }
        float[] o = sc.floats(Scratch.OUT, cols * c);
        simd.reduceColumns(acc, hi - lo, c, w0 - lo, s[2], k[2], cols, max, rows, o);
        y.store(o, c, out, b, od, oh, 1, ow0, cols, 0, c);
    }
}
