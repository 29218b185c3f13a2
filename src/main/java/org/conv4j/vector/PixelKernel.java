package org.conv4j.vector;

import java.lang.foreign.MemorySegment;
import org.conv4j.BatchNormSpec;
import org.conv4j.DType;
import org.conv4j.LrnSpec;
import org.conv4j.PoolSpec;
import org.conv4j.SoftmaxSpec;
import org.conv4j.Tensor;
import org.conv4j.Weights;
import org.conv4j.spi.Kernel;

/**
 * Operations along the channel axis of each pixel: LRN, softmax, depth-wise max pooling and batch norm. Pixels
 * are taken in chunks, loaded as channels-last fp32 rows (transposing channels-first layouts), processed with
 * SIMD and stored back rounded. Chunks are the parallel tasks; each pixel's result is independent of them.
 */
final class PixelKernel implements Kernel {
    private static final int CHUNK_FLOATS = 32 * 1024;

    enum Op { LRN, SOFTMAX, DEPTH_MAX, BATCH_NORM }

    private final Simd simd;
    private final Workers workers;
    private final Op op;
    private final Act x;
    private final Act y;
    private final LrnSpec lrn;
    private final int depth;
    private final float[] mean;
    private final float[] mul;
    private final float[] offset;
    private final boolean relu;

    private PixelKernel(Simd simd, Workers workers, Op op, Act x, Act y, LrnSpec lrn, int depth, float[] mean,
                        float[] mul, float[] offset, boolean relu) {
        this.simd = simd;
        this.workers = workers;
        this.op = op;
        this.x = x;
        this.y = y;
        this.lrn = lrn;
        this.depth = depth;
        this.mean = mean;
        this.mul = mul;
        this.offset = offset;
        this.relu = relu;
    }

    static PixelKernel lrn(Simd simd, Workers w, LrnSpec s) {
        Act a = new Act(s.shape(), s.dtype());
        return new PixelKernel(simd, w, Op.LRN, a, a, s, 1, null, null, null, false);
    }

    static PixelKernel softmax(Simd simd, Workers w, SoftmaxSpec s) {
        Act a = new Act(s.shape(), s.dtype());
        return new PixelKernel(simd, w, Op.SOFTMAX, a, a, null, 1, null, null, null, false);
    }

    static PixelKernel depthMax(Simd simd, Workers w, PoolSpec s) {
        return new PixelKernel(simd, w, Op.DEPTH_MAX, new Act(s.inputShape(), s.dtype()),
                new Act(s.outputShape(), s.dtype()), null, s.depthWindow(), null, null, null, false);
    }

    /** Folds the statistics into {@code (x - mean) * mul + offset}, {@code mul = scale / sqrt(variance + eps)} in double. */
    static PixelKernel batchNorm(Simd simd, Workers w, BatchNormSpec s, Tensor[] params) {
        float[] mean = Weights.canonical(params[0]);
        float[] var = Weights.canonical(params[1]);
        float[] scale = Weights.canonical(params[2]);
        float[] off = Weights.canonical(params[3]);
        int lanes = simd.lanes();
        int c = mean.length;
        int padded = (c + lanes - 1) / lanes * lanes;
        float[] m = java.util.Arrays.copyOf(mean, padded);
        float[] k = new float[padded];
        float[] o = java.util.Arrays.copyOf(off, padded);
        for (int i = 0; i < c; i++) {
            k[i] = (float) (scale[i] / Math.sqrt((double) var[i] + s.epsilon()));
        }
        Act a = new Act(s.shape(), s.dtype());
        return new PixelKernel(simd, w, Op.BATCH_NORM, a, a, null, 1, m, k, o, s.relu());
    }

    @Override
    public void execute(Tensor[] inputs, Tensor output) {
        MemorySegment in = inputs[0].segment();
        MemorySegment out = output.segment();
        if (op == Op.BATCH_NORM && !x.channelsLast) {
            executeRuns(inputs, output, in, out);
            return;
        }
        long pixels = x.pixels();
        int chunk = (int) Math.max(1, Math.min(pixels, CHUNK_FLOATS / Math.max(x.c, 1)));
        int perImage = (int) ((pixels + chunk - 1) / chunk);
        workers.run(x.n * perImage, inputs, output, task -> {
            int b = task / perImage;
            long p0 = (long) (task % perImage) * chunk;
            int count = (int) Math.min(chunk, pixels - p0);
            Scratch sc = Scratch.get();
            float[] a = sc.floats(Scratch.IN, count * x.c);
            x.loadPixels(in, b, p0, count, a);
            switch (op) {
                case LRN -> {
                    float[] r = sc.floats(Scratch.OUT, count * x.c);
                    float[] sq = sc.floats(Scratch.AUX, x.c + 2 * lrn.depthRadius() + simd.lanes());
                    simd.lrn(a, count, x.c, lrn.depthRadius(), lrn.bias(), lrn.alpha(), lrn.beta(), sq, r);
                    y.storePixels(r, out, b, p0, count);
                }
                case SOFTMAX -> {
                    simd.softmax(a, count, x.c);
                    y.storePixels(a, out, b, p0, count);
                }
                case DEPTH_MAX -> {
                    float[] r = sc.floats(Scratch.OUT, count * y.c);
                    simd.depthMax(a, count, x.c, depth, r);
                    y.storePixels(r, out, b, p0, count);
                }
                case BATCH_NORM -> {
                    simd.affineRows(a, count, x.c, mean, mul, offset, relu);
                    y.storePixels(a, out, b, p0, count);
                }
            }
        });
    }

    /** Batch norm on channels-first tensors: each (image, channel) plane is a contiguous run. */
    private void executeRuns(Tensor[] inputs, Tensor output, MemorySegment in, MemorySegment out) {
        long plane = x.pixels();
        int chunk = (int) Math.min(plane, CHUNK_FLOATS);
        int perPlane = (int) ((plane + chunk - 1) / chunk);
        DType t = x.dtype;
        workers.run(x.n * x.c * perPlane, inputs, output, task -> {
            int bc = task / perPlane;
            int ch = bc % x.c;
            long start = (long) bc * plane + (long) (task % perPlane) * chunk;
            int count = (int) Math.min(chunk, (long) (bc + 1) * plane - start);
            float[] a = Scratch.get().floats(Scratch.IN, count);
            Convert.load(in, t, start, a, 0, count);
            simd.affineRun(a, 0, count, mean[ch], mul[ch], offset[ch], relu);
            Convert.store(a, 0, out, t, start, count);
        });
    }
}
