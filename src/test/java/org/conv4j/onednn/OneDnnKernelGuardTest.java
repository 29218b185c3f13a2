package org.conv4j.onednn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Random;
import org.conv4j.Conv4j;
import org.conv4j.ConvSpec;
import org.conv4j.DType;
import org.conv4j.Layout;
import org.conv4j.Operation;
import org.conv4j.Padding;
import org.conv4j.Tensor;
import org.conv4j.spi.Engine;
import org.conv4j.spi.Kernel;
import org.junit.jupiter.api.Test;

/** Bad input never reaches oneDNN; heap segments work; closing frees and is idempotent. */
class OneDnnKernelGuardTest {
    static final ConvSpec SPEC = ConvSpec.builder(Layout.NHWC).input(1, 6, 6, 4).kernel(3, 3).outChannels(5)
            .padding(Padding.SAME).build();

    static Engine engine() {
        return Conv4j.engines().stream().filter(s -> s.name().equals("onednn")).findFirst().orElseThrow().engine();
    }

    @Test
    void aKernelRefusesSegmentsOfTheWrongSizeBeforeAnyNativeCall() {
        try (Tensor w = SPEC.params().get(0).allocate(DType.F32);
             Tensor small = Tensor.allocate(DType.F32, Layout.NHWC, 1, 6, 6, 3);
             Tensor y = SPEC.output().allocate(DType.F32);
             Tensor bigOut = Tensor.allocate(DType.F32, Layout.NHWC, 1, 7, 6, 5)) {
            // The kernel directly, without PreparedOperation's checks in front of it.
            Kernel k = engine().prepare(SPEC, new Tensor[] {w});
            try {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> k.execute(new Tensor[] {small}, y));
                assertTrue(e.getMessage().contains("inputs[0]"), e.getMessage());
                try (Tensor x = SPEC.inputs().get(0).allocate(DType.F32)) {
                    e = assertThrows(IllegalArgumentException.class, () -> k.execute(new Tensor[] {x}, bigOut));
                    assertTrue(e.getMessage().contains("output"), e.getMessage());
                }
            } finally {
                k.close();
            }
        }
    }

    @Test
    void heapSegmentsAreCopiedThroughNativeStaging() {
        Random r = new Random(3);
        try (Tensor w = SPEC.params().get(0).allocate(DType.F32);
             Tensor x = SPEC.inputs().get(0).allocate(DType.F32);
             Tensor y = SPEC.output().allocate(DType.F32);
             Operation op = Conv4j.prepare(SPEC, "onednn", w)) {
            OneDnnConcurrencyTest.fill(w, r);
            OneDnnConcurrencyTest.fill(x, r);
            try (Operation fresh = Conv4j.prepare(SPEC, "onednn", w)) {
                fresh.apply(x, y);
                float[] xs = x.toFloatArray();
                float[] ys = new float[(int) y.elementCount()];
                Tensor hx = Tensor.wrap(MemorySegment.ofArray(xs), DType.F32, Layout.NHWC, 1, 6, 6, 4);
                Tensor hy = Tensor.wrap(MemorySegment.ofArray(ys), DType.F32, Layout.NHWC, SPEC.output().dims());
                fresh.apply(hx, hy);
                assertArrayEquals(y.toFloatArray(), ys);
            }
        }
    }

    @Test
    void closingTheTensorsArenaDuringACallFailsInsteadOfFreeingMemoryUnderOneDnn() throws Exception {
        ConvSpec big = ConvSpec.builder(Layout.NHWC).input(8, 56, 56, 64).kernel(3, 3).outChannels(64)
                .padding(Padding.SAME).build();
        Arena arena = Arena.ofShared();
        Tensor x = Tensor.allocate(arena, DType.F32, Layout.NHWC, big.inputs().get(0).dims());
        Tensor y = Tensor.allocate(arena, DType.F32, Layout.NHWC, big.output().dims());
        try (Tensor w = big.params().get(0).allocate(DType.F32);
             Operation op = Conv4j.prepare(big, "onednn", w)) {
            op.apply(x, y); // warm: the next calls take tens of milliseconds each
            CountDownLatch calling = new CountDownLatch(1);
            AtomicReference<Throwable> callerError = new AtomicReference<>();
            Thread caller = new Thread(() -> {
                calling.countDown();
                try {
                    for (int i = 0; i < 50; i++) {
                        op.apply(x, y);
                    }
                } catch (Throwable t) {
                    callerError.set(t);
                }
            });
            caller.start();
            calling.await();
            Thread.sleep(5);
            int refused = 0;
            while (true) {
                try {
                    arena.close();
                    break;
                } catch (IllegalStateException e) {
                    refused++; // a downcall holds the arena: oneDNN is still using the memory
                    Thread.sleep(1);
                }
            }
            caller.join();
            assertTrue(refused > 0, "close was never refused while oneDNN ran");
            assertTrue(callerError.get() instanceof IllegalStateException, "caller saw " + callerError.get());
        }
    }

    @Test
    void closingTwiceIsHarmlessAndApplyAfterCloseFails() {
        try (Tensor w = SPEC.params().get(0).allocate(DType.F32);
             Tensor x = SPEC.inputs().get(0).allocate(DType.F32);
             Tensor y = SPEC.output().allocate(DType.F32)) {
            Operation op = Conv4j.prepare(SPEC, "onednn", w);
            op.apply(x, y);
            op.close();
            op.close();
            assertThrows(IllegalStateException.class, () -> op.apply(x, y));
        }
    }
}
