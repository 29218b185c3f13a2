package org.conv4j.vector;

import java.lang.foreign.MemorySegment;
import org.conv4j.GlobalAvgPoolSpec;
import org.conv4j.Tensor;
import org.conv4j.spi.Kernel;

/**
 * Mean over all pixels per channel, to {@code NC}. Channels-last: rows of channels summed lane-wise in pixel order;
 * channels-first: each channel plane summed in lanes. One task per image, so the order never depends on threads.
 */
final class GlobalAvgPoolKernel implements Kernel {
    private static final int CHUNK_FLOATS = 32 * 1024;

    private final Simd simd;
    private final Workers workers;
    private final Act x;

    GlobalAvgPoolKernel(Simd simd, Workers workers, GlobalAvgPoolSpec s) {
        this.simd = simd;
        this.workers = workers;
        this.x = new Act(s.inputShape(), s.dtype());
    }

    @Override
    public void execute(Tensor[] inputs, Tensor output) {
        MemorySegment in = inputs[0].segment();
        MemorySegment out = output.segment();
        long pixels = x.pixels();
        workers.run(x.n, inputs, output, b -> {
            Scratch sc = Scratch.get();
            float[] acc = sc.floats(Scratch.OUT, x.c);
            java.util.Arrays.fill(acc, 0, x.c, 0f);
            if (x.channelsLast) {
                int chunk = (int) Math.max(1, Math.min(pixels, CHUNK_FLOATS / x.c));
                float[] a = sc.floats(Scratch.IN, chunk * x.c);
                for (long p0 = 0; p0 < pixels; p0 += chunk) {
                    int count = (int) Math.min(chunk, pixels - p0);
                    x.loadPixels(in, b, p0, count, a);
                    simd.accumulateRows(acc, a, count, x.c);
                }
            } else {
                int chunk = (int) Math.min(pixels, CHUNK_FLOATS);
                float[] a = sc.floats(Scratch.IN, chunk);
                for (int ch = 0; ch < x.c; ch++) {
                    float total = 0f;
                    for (long p0 = 0; p0 < pixels; p0 += chunk) {
                        int count = (int) Math.min(chunk, pixels - p0);
                        Convert.load(in, x.dtype, b * x.sn + ch * x.sc + p0, a, 0, count);
                        total += simd.sum(a, 0, count);
                    }
                    acc[ch] = total;
                }
            }
            for (int ch = 0; ch < x.c; ch++) {
                acc[ch] = acc[ch] / pixels;
            }
            Convert.store(acc, 0, out, x.dtype, (long) b * x.c, x.c);
        });
    }
}
