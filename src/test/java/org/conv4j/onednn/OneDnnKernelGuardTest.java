package org.conv4j.onednn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
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
    void theSingleInputPathAndTheResidualAreCheckedToo() {
        ConvSpec res = ConvSpec.builder(Layout.NHWC).input(1, 6, 6, 4).kernel(3, 3).outChannels(5)
                .padding(Padding.SAME).residual(true).build();
        try (Tensor w = SPEC.params().get(0).allocate(DType.F32);
             Tensor x = SPEC.inputs().get(0).allocate(DType.F32);
             Tensor small = Tensor.allocate(DType.F32, Layout.NHWC, 1, 6, 6, 3);
             Tensor smallOut = Tensor.allocate(DType.F32, Layout.NHWC, 1, 6, 5, 5);
             Tensor y = SPEC.output().allocate(DType.F32)) {
            Kernel k = engine().prepare(SPEC, new Tensor[] {w});
            try {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> k.executeSingle(small, y));
                assertTrue(e.getMessage().contains("inputs[0]"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class, () -> k.executeSingle(x, smallOut));
                assertTrue(e.getMessage().contains("output"), e.getMessage());
            } finally {
                k.close();
            }
            Kernel kr = engine().prepare(res, new Tensor[] {w});
            try {
                // a residual smaller than the destination it is copied into
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> kr.execute(new Tensor[] {x, smallOut}, y));
                assertTrue(e.getMessage().contains("inputs[1]"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class, () -> kr.executeSingle(x, y));
                assertTrue(e.getMessage().contains("inputs[1]"), e.getMessage());
            } finally {
                kr.close();
            }
        }
    }

    @Test
    void tensorsThatChangeBetweenCallsAreAllUsed() {
        // A thread's context keeps the last data handles and sets them only when a tensor changes.
        Random r = new Random(5);
        try (Tensor w = SPEC.params().get(0).allocate(DType.F32);
             Tensor x1 = SPEC.inputs().get(0).allocate(DType.F32);
             Tensor x2 = SPEC.inputs().get(0).allocate(DType.F32);
             Tensor y1 = SPEC.output().allocate(DType.F32);
             Tensor y2 = SPEC.output().allocate(DType.F32);
             Tensor e1 = SPEC.output().allocate(DType.F32);
             Tensor e2 = SPEC.output().allocate(DType.F32)) {
            OneDnnConcurrencyTest.fill(w, r);
            OneDnnConcurrencyTest.fill(x1, r);
            OneDnnConcurrencyTest.fill(x2, r);
            // prepared after the weights are filled: an operation keeps its own copy
            try (Operation ref2 = Conv4j.prepare(SPEC, "reference", w); Operation op2 = Conv4j.prepare(SPEC, "onednn", w)) {
                ref2.apply(x1, e1);
                ref2.apply(x2, e2);
                for (int round = 0; round < 3; round++) {
                    op2.apply(x1, y1);
                    op2.apply(x2, y1); // same output, other input
                    assertArrayEquals(e2.toFloatArray(), y1.toFloatArray(), 1e-5f);
                    op2.apply(x2, y2); // other output
                    op2.apply(x1, y1);
                    assertArrayEquals(e1.toFloatArray(), y1.toFloatArray(), 1e-5f);
                    assertArrayEquals(e2.toFloatArray(), y2.toFloatArray(), 1e-5f);
                }
            }
        }
    }

    @Test
    void residualOnTheHeapInAndOutOfPlace() {
        ConvSpec res = ConvSpec.builder(Layout.NHWC).input(1, 6, 6, 4).kernel(3, 3).outChannels(5)
                .padding(Padding.SAME).relu(true).residual(true).build();
        Random r = new Random(9);
        float[] xv = new float[6 * 6 * 4];
        float[] rv = new float[6 * 6 * 5];
        for (int i = 0; i < xv.length; i++) {
            xv[i] = r.nextFloat() * 2 - 1;
        }
        for (int i = 0; i < rv.length; i++) {
            rv[i] = r.nextFloat() * 2 - 1;
        }
        try (Tensor w = res.params().get(0).allocate(DType.F32);
             Tensor expected = res.output().allocate(DType.F32)) {
            OneDnnConcurrencyTest.fill(w, r);
            Tensor x = Tensor.wrap(MemorySegment.ofArray(xv.clone()), DType.F32, Layout.NHWC, 1, 6, 6, 4);
            Tensor rh = Tensor.wrap(MemorySegment.ofArray(rv.clone()), DType.F32, Layout.NHWC, 1, 6, 6, 5);
            Tensor out = Tensor.wrap(MemorySegment.ofArray(new float[rv.length]), DType.F32, Layout.NHWC, 1, 6, 6, 5);
            try (Operation ref = Conv4j.prepare(res, "reference", w); Operation op = Conv4j.prepare(res, "onednn", w)) {
                ref.apply(java.util.List.of(x, rh), expected);
                op.apply(java.util.List.of(x, rh), out);
                assertArrayEquals(expected.toFloatArray(), out.toFloatArray(), 1e-5f);
                assertArrayEquals(rv, rh.toFloatArray(), "residual untouched");
                op.apply(java.util.List.of(x, rh), rh);
                assertArrayEquals(expected.toFloatArray(), rh.toFloatArray(), 1e-5f);
            }
        }
    }

    @Test
    void heapSegmentsAreCopiedThroughNativeStaging() {
        Random r = new Random(3);
        try (Tensor w = SPEC.params().get(0).allocate(DType.F32);
             Tensor x = SPEC.inputs().get(0).allocate(DType.F32);
             Tensor y = SPEC.output().allocate(DType.F32)) {
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
        try (Tensor w = big.params().get(0).allocate(DType.F32);
             Operation op = Conv4j.prepare(big, "onednn", w)) {
            // A close can land in the microseconds between two calls (then it succeeds and the next call
            // must fail) or during one (then it must be refused). Scheduling decides which; a few rounds
            // make it all but certain that at least one close meets a running call.
            int refusedInAll = 0;
            for (int round = 0; round < 5 && refusedInAll == 0; round++) {
                refusedInAll += closeArenaUnderRunningCalls(big, op);
            }
            assertTrue(refusedInAll > 0, "close was never refused while oneDNN ran (5 rounds)");
        }
    }

    /** Closes the tensors' arena while another thread applies {@code op} in a loop; returns how often close was refused. */
    private static int closeArenaUnderRunningCalls(ConvSpec big, Operation op) throws Exception {
        Arena arena = Arena.ofShared();
        Tensor x = Tensor.allocate(arena, DType.F32, Layout.NHWC, big.inputs().get(0).dims());
        Tensor y = Tensor.allocate(arena, DType.F32, Layout.NHWC, big.output().dims());
        long deadline = System.nanoTime() + 60_000_000_000L;
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<Throwable> callerError = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                while (System.nanoTime() < deadline) { // each call takes milliseconds: ends on the closed arena
                    op.apply(x, y);
                    calls.incrementAndGet();
                }
            } catch (Throwable t) {
                callerError.set(t);
            }
        });
        caller.start();
        while (calls.get() == 0 && caller.isAlive()) {
            Thread.sleep(1);
        }
        int refused = 0;
        while (true) {
            try {
                arena.close();
                break;
            } catch (IllegalStateException e) {
                refused++; // a downcall holds the arena: oneDNN is still using the memory
                Thread.onSpinWait();
            }
        }
        caller.join();
        assertTrue(callerError.get() instanceof IllegalStateException,
                "the caller, after " + calls.get() + " calls, saw " + callerError.get());
        return refused;
    }

    @Test
    void smallOperationsLeaveTheThreadsOpenMpCountAsConv4jSetIt() {
        try (Tensor w = SPEC.params().get(0).allocate(DType.F32);
             Tensor x = SPEC.inputs().get(0).allocate(DType.F32);
             Tensor y = SPEC.output().allocate(DType.F32);
             Operation op = Conv4j.prepare(SPEC, "onednn", w)) {
            assertTrue(SPEC.cost().flops() <= Plans.SINGLE_THREAD_FLOPS);
            op.apply(x, y);
            assertEquals(Conv4j.threads(), org.conv4j.onednn.bindings.DnnlNative.omp_get_max_threads());
        }
    }

    @Test
    void aKernelNobodyClosedIsFreedByTheCleaner() throws Exception {
        Resources res;
        try (Tensor w = SPEC.params().get(0).allocate(DType.F32)) {
            res = ((DnnlKernel) engine().prepare(SPEC, new Tensor[] {w})).resources();
        }
        for (int i = 0; i < 200 && !res.isFreed(); i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertTrue(res.isFreed(), "the Cleaner did not free an unreachable kernel");
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
