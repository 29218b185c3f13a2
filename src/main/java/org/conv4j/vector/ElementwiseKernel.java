package org.conv4j.vector;

import java.lang.foreign.MemorySegment;
import org.conv4j.DType;
import org.conv4j.Tensor;
import org.conv4j.spi.Kernel;

/** ReLU and residual add over memory order, in heap chunks; in place (output = input) works chunk by chunk. */
final class ElementwiseKernel implements Kernel {
    private static final int CHUNK = 16 * 1024;

    private final Simd simd;
    private final Workers workers;
    private final DType dtype;
    private final long count;
    private final boolean add;
    private final boolean relu;

    ElementwiseKernel(Simd simd, Workers workers, DType dtype, long count, boolean add, boolean relu) {
        this.simd = simd;
        this.workers = workers;
        this.dtype = dtype;
        this.count = count;
        this.add = add;
        this.relu = relu;
    }

    @Override
    public void execute(Tensor[] inputs, Tensor output) {
        MemorySegment a = inputs[0].segment();
        MemorySegment b = add ? inputs[1].segment() : null;
        MemorySegment out = output.segment();
        int tasks = (int) ((count + CHUNK - 1) / CHUNK);
        workers.run(tasks, inputs, output, task -> {
            long start = (long) task * CHUNK;
            int n = (int) Math.min(CHUNK, count - start);
            Scratch sc = Scratch.get();
            float[] va = sc.floats(Scratch.IN, n);
            Convert.load(a, dtype, start, va, 0, n);
            if (add) {
                float[] vb = sc.floats(Scratch.AUX, n);
                Convert.load(b, dtype, start, vb, 0, n);
                simd.add(va, vb, n, relu);
            } else {
                simd.relu(va, n);
            }
            Convert.store(va, 0, out, dtype, start, n);
        });
    }
}
