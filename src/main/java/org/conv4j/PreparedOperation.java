package org.conv4j;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.List;
import org.conv4j.spi.Kernel;

/**
 * The one {@link Operation} implementation engines sit behind: it validates every call and guards close.
 *
 * <p>A call costs tens of nanoseconds here, which matters for tiny operations (a 4x4x8 convolution takes about
 * 1.3 us in oneDNN): the single-input path allocates nothing, each check tests the common case first and builds
 * its message only on failure, and one atomic counter (calls in flight, with the closed flag in its low bit)
 * replaces a counter plus a volatile flag.
 */
final class PreparedOperation implements Operation {
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(PreparedOperation.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Bit 0: closed. Bits 1 up: calls in flight; close() waits for them so a kernel is never freed under a call. */
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;

    private final OpSpec spec;
    private final String engine;
    private final String selection;
    private final Kernel kernel;
    private final TensorSpec[] inputSpecs;
    private final TensorSpec outputSpec;
    /** Per input: whether the output may be exactly that input's memory (computed in place). */
    private final boolean[] inPlaceAllowed;

    PreparedOperation(OpSpec spec, String engine, String selection, Kernel kernel) {
        this.spec = spec;
        this.engine = engine;
        this.selection = selection;
        this.kernel = kernel;
        this.inputSpecs = spec.inputs().toArray(TensorSpec[]::new);
        this.outputSpec = spec.output();
        this.inPlaceAllowed = new boolean[inputSpecs.length];
        switch (spec) {
            case ReluSpec s -> Arrays.fill(inPlaceAllowed, true);
            case AddSpec s -> Arrays.fill(inPlaceAllowed, true);
            case BatchNormSpec s -> Arrays.fill(inPlaceAllowed, true);
            // the residual is read element by element where the output is written
            case ConvSpec s when s.hasResidual() -> inPlaceAllowed[1] = true;
            default -> {
            }
        }
    }

    @Override
    public OpSpec spec() {
        return spec;
    }

    @Override
    public String engine() {
        return engine;
    }

    @Override
    public String selection() {
        return selection;
    }

    @Override
    public void apply(Tensor input, Tensor output) {
        if (inputSpecs.length != 1) {
            throw new IllegalArgumentException("inputs: " + spec.kind().id() + " takes " + inputSpecs.length
                    + " input tensors, got 1");
        }
        check(inputSpecs[0], "input", input);
        check(outputSpec, "output", output);
        checkOverlap(0, input.segment(), output.segment());
        enter();
        try {
            kernel.executeSingle(input, output);
        } finally {
            exit();
        }
    }

    @Override
    public void apply(List<Tensor> inputs, Tensor output) {
        if (inputs == null || inputs.size() != inputSpecs.length) {
            throw new IllegalArgumentException("inputs: " + spec.kind().id() + " takes " + inputSpecs.length
                    + " input tensors, got " + (inputs == null ? "null" : inputs.size()));
        }
        Tensor[] in = inputs.toArray(new Tensor[0]);
        if (in.length != inputSpecs.length) { // a list that changed size under us
            throw new IllegalArgumentException("inputs: changed while being read");
        }
        for (int i = 0; i < in.length; i++) {
            check(inputSpecs[i], in.length == 1 ? "input" : "inputs[" + i + "]", in[i]);
        }
        check(outputSpec, "output", output);
        MemorySegment out = output.segment();
        for (int i = 0; i < in.length; i++) {
            checkOverlap(i, in[i].segment(), out);
        }
        enter();
        try {
            kernel.execute(in, output);
        } finally {
            exit();
        }
    }

    /** {@link TensorSpec#check}, with the passing case tested first and the message built only on failure. */
    private static void check(TensorSpec s, String name, Tensor t) {
        if (t == null || t.dtype() != s.dtype() || t.layout() != s.layout() || !Arrays.equals(t.dimsRef(), s.dimsRef())
                || !t.segment().scope().isAlive()) {
            s.check(name, t);
        }
    }

    private void checkOverlap(int i, MemorySegment s, MemorySegment out) {
        if (overlaps(s, out)) {
            boolean exact = inPlaceAllowed[i] && s.address() == out.address() && s.byteSize() == out.byteSize()
                    && s.isNative() == out.isNative() && s.scope().equals(out.scope());
            if (!exact) {
                throw new IllegalArgumentException("output: its memory overlaps " + (inputSpecs.length == 1
                        ? "the input" : "inputs[" + i + "]") + "; " + spec.kind().id() + (inPlaceAllowed[i]
                        ? " may write in place only into exactly that tensor's memory" : " needs a separate output tensor"));
            }
        }
    }

    /** Cheap overlap test: address ranges for native memory, the JDK's slice test for heap segments. */
    private static boolean overlaps(MemorySegment a, MemorySegment b) {
        if (a.isNative() && b.isNative()) {
            long a0 = a.address();
            long b0 = b.address();
            return a0 < b0 + b.byteSize() && b0 < a0 + a.byteSize();
        }
        return a.asOverlappingSlice(b).isPresent();
    }

    private void enter() {
        int s = (int) STATE.getAndAdd(this, 2);
        if ((s & 1) != 0) {
            exit();
            throw new IllegalStateException("operation " + spec.kind().id() + " on " + engine + " is closed");
        }
    }

    private void exit() {
        STATE.getAndAdd(this, -2);
    }

    @Override
    public void close() {
        synchronized (this) {
            int s = (int) STATE.getAndBitwiseOr(this, 1);
            if ((s & 1) != 0) {
                return;
            }
        }
        while (((int) STATE.getVolatile(this) >>> 1) != 0) {
            Thread.onSpinWait();
        }
        kernel.close();
    }

    @Override
    public String toString() {
        return spec + " on " + engine;
    }
}
