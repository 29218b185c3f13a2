package org.conv4j.vector;

import java.lang.foreign.MemorySegment;
import org.conv4j.ConcatSpec;
import org.conv4j.Tensor;
import org.conv4j.spi.Kernel;

/**
 * Channel concatenation as bulk byte copies (no conversion: every tensor has the same dtype). Channels-last:
 * each pixel's channels of each input land at that input's offset; channels-first: each input is one
 * contiguous block per image. Tasks are images (times pixel chunks for channels-last).
 */
final class ConcatKernel implements Kernel {
    private static final int PIXELS_PER_TASK = 4096;

    private final Workers workers;
    private final int[] channels;
    private final int total;
    private final int batch;
    private final long pixels;
    private final boolean channelsLast;
    private final long elem;

    ConcatKernel(Workers workers, ConcatSpec s) {
        this.workers = workers;
        this.channels = s.channels();
        this.total = s.outputShape().channels();
        this.batch = s.outputShape().batch();
        this.pixels = s.outputShape().spatialSize();
        this.channelsLast = s.outputShape().layout().channelsLast() || pixels == 1;
        this.elem = s.dtype().byteSize();
    }

    @Override
    public void execute(Tensor[] inputs, Tensor output) {
        MemorySegment out = output.segment();
        if (!channelsLast) {
            workers.run(batch, inputs, output, b -> {
                long dst = (long) b * total * pixels;
                for (int i = 0; i < inputs.length; i++) {
                    long len = channels[i] * pixels;
                    MemorySegment.copy(inputs[i].segment(), b * len * elem, out, dst * elem, len * elem);
                    dst += len;
                }
            });
            return;
        }
        int perImage = (int) ((pixels + PIXELS_PER_TASK - 1) / PIXELS_PER_TASK);
        workers.run(batch * perImage, inputs, output, task -> {
            int b = task / perImage;
            long p0 = (long) b * pixels + (long) (task % perImage) * PIXELS_PER_TASK;
            long p1 = Math.min(p0 + PIXELS_PER_TASK, (long) (b + 1) * pixels);
            int offset = 0;
            for (int i = 0; i < inputs.length; i++) {
                MemorySegment src = inputs[i].segment();
                long ci = channels[i];
                for (long p = p0; p < p1; p++) {
                    MemorySegment.copy(src, p * ci * elem, out, (p * total + offset) * elem, ci * elem);
                }
                offset += channels[i];
            }
        });
    }
}
