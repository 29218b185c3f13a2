package org.conv4j.vector;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReference;
import org.conv4j.ConvSpec;
import org.conv4j.DType;
import org.conv4j.Tensor;
import org.conv4j.spi.Kernel;

/**
 * A convolution with a residual sum, {@code out = relu?(conv(x) + bias + residual)}: the convolution kernel runs
 * without ReLU into fp32, then one SIMD pass adds the residual, applies the ReLU and rounds once to the output
 * dtype (as the engine's other operations do). An fp32 convolution writes straight into the output when the output
 * is not the residual; otherwise (in place, or fp16/bf16, whose input is widened first) it writes into buffers of
 * its own, kept for the next call.
 */
final class ResidualConvKernel implements Kernel {
    private static final int CHUNK = 16 * 1024;

    private final Simd simd;
    private final Workers workers;
    private final ConvSpec spec;
    /** The same convolution on fp32 tensors, without the residual and the ReLU. */
    private final Kernel conv;
    private final DType dtype;
    private final long count;
    private final AtomicReference<Buffers> spare = new AtomicReference<>();

    ResidualConvKernel(Simd simd, Workers workers, WindowKernel.Budgets budgets, ConvSpec spec, Tensor[] params) {
        this.simd = simd;
        this.workers = workers;
        this.spec = spec;
        this.dtype = spec.dtype();
        this.count = spec.output().elementCount();
        ConvSpec plain = spec.withResidual(false).withRelu(false);
        this.conv = WindowKernel.conv(simd, workers, budgets, plain.withDType(DType.F32), params);
    }

    @Override
    public void execute(Tensor[] inputs, Tensor output) {
        Tensor x = inputs[0];
        Tensor residual = inputs[1];
        if (dtype == DType.F32 && !residual.segment().asOverlappingSlice(output.segment()).isPresent()) {
            conv.executeSingle(x, output);
            sum(output, residual, output);
            return;
        }
        Buffers b = spare.getAndSet(null);
        if (b == null) {
            b = new Buffers();
        }
        try {
            Tensor xf = x;
            if (dtype != DType.F32) {
                widen(x, b.x);
                xf = b.x;
            }
            conv.executeSingle(xf, b.y);
            sum(b.y, residual, output);
        } finally {
            if (!spare.compareAndSet(null, b)) {
                b.arena.close(); // another call's buffers are kept already
            }
        }
    }

    /** {@code out = relu?(y + residual)}, chunk by chunk in memory order ({@code out} may be {@code residual}). */
    private void sum(Tensor y, Tensor residual, Tensor out) {
        MemorySegment ys = y.segment();
        MemorySegment rs = residual.segment();
        MemorySegment os = out.segment();
        boolean relu = spec.relu();
        DType yt = y.dtype();
        int tasks = (int) ((count + CHUNK - 1) / CHUNK);
        workers.run(tasks, new Tensor[] {y, residual}, out, task -> {
            long start = (long) task * CHUNK;
            int n = (int) Math.min(CHUNK, count - start);
            Scratch sc = Scratch.get();
            float[] a = sc.floats(Scratch.IN, n);
            float[] r = sc.floats(Scratch.AUX, n);
            Convert.load(ys, yt, start, a, 0, n);
            Convert.load(rs, dtype, start, r, 0, n);
            simd.add(a, r, n, relu);
            Convert.store(a, 0, os, dtype, start, n);
        });
    }

    /** Copies {@code x} into the fp32 tensor {@code xf}. */
    private void widen(Tensor x, Tensor xf) {
        MemorySegment src = x.segment();
        MemorySegment dst = xf.segment();
        long n = x.elementCount();
        int tasks = (int) ((n + CHUNK - 1) / CHUNK);
        workers.run(tasks, new Tensor[] {x}, xf, task -> {
            long start = (long) task * CHUNK;
            int len = (int) Math.min(CHUNK, n - start);
            float[] a = Scratch.get().floats(Scratch.IN, len);
            Convert.load(src, dtype, start, a, 0, len);
            Convert.store(a, 0, dst, DType.F32, start, len);
        });
    }

    @Override
    public void close() {
        Buffers b = spare.getAndSet(null);
        if (b != null) {
            b.arena.close();
        }
    }

    /** fp32 input (for fp16/bf16) and fp32 convolution output, in a shared arena that the workers may touch. */
    private final class Buffers {
        final Arena arena = Arena.ofShared();
        final Tensor x;
        final Tensor y;

        Buffers() {
            try {
                x = dtype == DType.F32 ? null : Tensor.allocate(arena, DType.F32, spec.layout(), spec.inputShape().dims());
                y = Tensor.allocate(arena, DType.F32, spec.output().layout(), spec.output().dims());
            } catch (RuntimeException | OutOfMemoryError e) {
                arena.close();
                throw e;
            }
        }
    }
}
