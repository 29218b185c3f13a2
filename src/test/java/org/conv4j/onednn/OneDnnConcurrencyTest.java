package org.conv4j.onednn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.conv4j.ConvSpec;
import org.conv4j.DType;
import org.conv4j.Layout;
import org.conv4j.Operation;
import org.conv4j.Padding;
import org.conv4j.Tensor;
import org.junit.jupiter.api.Test;

/**
 * One prepared operation called by 8 threads, 1,000 times each, on their own inputs: every result exact; and a
 * residual convolution from more threads than contexts kept per thread.
 */
class OneDnnConcurrencyTest {
    @Test
    void eightThreadsTimesAThousandCallsGiveExactResults() throws Exception {
        ConvSpec spec = ConvSpec.builder(Layout.NHWC).input(1, 9, 9, 8).kernel(3, 3).outChannels(16)
                .padding(Padding.SAME).bias(true).relu(true).build();
        Random r = new Random(5);
        int threads = 8;
        int calls = 1000;
        try (Tensor w = spec.params().get(0).allocate(DType.F32);
             Tensor b = spec.params().get(1).allocate(DType.F32);
             Operation op = prepareFilled(spec, w, b, r)) {
            assertEquals("onednn", op.engine());
            Tensor[] in = new Tensor[threads];
            float[][] expected = new float[threads][];
            for (int t = 0; t < threads; t++) {
                in[t] = spec.inputs().get(0).allocate(DType.F32);
                fill(in[t], r);
                try (Tensor y = spec.output().allocate(DType.F32)) {
                    op.apply(in[t], y);
                    expected[t] = y.toFloatArray();
                }
            }
            try {
                onThreads(threads, id -> {
                    try (Tensor y = spec.output().allocate(DType.F32)) {
                        for (int i = 0; i < calls; i++) {
                            op.apply(in[(id + i) % threads], y);
                            assertArrayEquals(expected[(id + i) % threads], y.toFloatArray(),
                                    "thread " + id + " call " + i);
                        }
                    }
                });
            } finally {
                for (Tensor t : in) {
                    t.close();
                }
            }
        }
    }

    @Test
    void residualConvolutionFromMoreThreadsThanContextSlotsInAndOutOfPlace() throws Exception {
        // 12 threads: past the 4 thread-owned contexts of a 2-core machine, the rest borrow from the pool
        ConvSpec spec = ConvSpec.builder(Layout.NHWC).input(1, 7, 7, 8).kernel(3, 3).outChannels(8)
                .padding(Padding.SAME).bias(true).residual(true).relu(true).build();
        Random r = new Random(6);
        int threads = 12;
        int calls = 300;
        try (Tensor w = spec.params().get(0).allocate(DType.F32);
             Tensor b = spec.params().get(1).allocate(DType.F32);
             Operation op = prepareFilled(spec, w, b, r)) {
            assertEquals("onednn", op.engine());
            Tensor[] in = new Tensor[threads];
            Tensor[] res = new Tensor[threads];
            float[][] expected = new float[threads][];
            for (int t = 0; t < threads; t++) {
                in[t] = spec.inputs().get(0).allocate(DType.F32);
                res[t] = spec.inputs().get(1).allocate(DType.F32);
                fill(in[t], r);
                fill(res[t], r);
                try (Tensor y = spec.output().allocate(DType.F32)) {
                    op.apply(List.of(in[t], res[t]), y);
                    expected[t] = y.toFloatArray();
                }
            }
            try {
                onThreads(threads, id -> {
                    try (Tensor y = spec.output().allocate(DType.F32)) {
                        for (int i = 0; i < calls; i++) {
                            int k = (id + i) % threads;
                            if (i % 2 == 0) {
                                op.apply(List.of(in[k], res[k]), y);
                            } else {
                                // in place, on this thread's own copy of the residual
                                MemorySegment.copy(res[k].segment(), 0, y.segment(), 0, y.byteSize());
                                op.apply(List.of(in[k], y), y);
                            }
                            assertArrayEquals(expected[k], y.toFloatArray(), "thread " + id + " call " + i);
                        }
                    }
                });
            } finally {
                for (int t = 0; t < threads; t++) {
                    in[t].close();
                    res[t].close();
                }
            }
        }
    }

    interface ThreadBody {
        void run(int thread) throws Exception;
    }

    /** Runs {@code body} on {@code threads} pool threads at once and rethrows the first failure. */
    private static void onThreads(int threads, ThreadBody body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                done.add(pool.submit(() -> {
                    body.run(id);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    private static Operation prepareFilled(ConvSpec spec, Tensor w, Tensor b, Random r) {
        fill(w, r);
        fill(b, r);
        return org.conv4j.Conv4j.prepare(spec, "onednn", w, b);
    }

    static void fill(Tensor t, Random r) {
        float[] v = new float[(int) t.elementCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        t.copyFrom(v);
    }
}
