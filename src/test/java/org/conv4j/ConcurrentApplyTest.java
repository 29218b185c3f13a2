package org.conv4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.conv4j.testing.RandomSpecs;
import org.junit.jupiter.api.Test;

/** One prepared operation applied from several threads at once gives every thread the single-threaded result. */
class ConcurrentApplyTest {
    @Test
    void preparedOperationIsSafeAcrossThreads() throws Exception {
        RandomSpecs.Case c = RandomSpecs.generate(3, 1, java.util.EnumSet.of(OpKind.CONV),
                java.util.EnumSet.of(DType.F32)).get(0);
        Tensor[] params = c.paramTensors();
        Tensor[] inputs = c.inputTensors();
        try (Operation op = c.spec().prepare(params); Tensor expected = c.spec().output().allocate(DType.F32)) {
            op.apply(List.of(inputs), expected);
            float[] want = expected.toFloatArray();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<float[]>> results = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    results.add(pool.submit(() -> {
                        float[] last = null;
                        for (int i = 0; i < 50; i++) {
                            try (Tensor y = c.spec().output().allocate(DType.F32)) {
                                op.apply(List.of(inputs), y);
                                last = y.toFloatArray();
                            }
                        }
                        return last;
                    }));
                }
                for (Future<float[]> f : results) {
                    assertArrayEquals(want, f.get(), 0f);
                }
            } finally {
                pool.shutdown();
            }
        } finally {
            for (Tensor t : params) {
                t.close();
            }
            for (Tensor t : inputs) {
                t.close();
            }
        }
    }
}
