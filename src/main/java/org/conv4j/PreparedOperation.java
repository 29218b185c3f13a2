package org.conv4j;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.conv4j.spi.Kernel;

/** The one {@link Operation} implementation engines sit behind: it validates every call and guards close. */
final class PreparedOperation implements Operation {
    private final OpSpec spec;
    private final String engine;
    private final String selection;
    private final Kernel kernel;
    private final TensorSpec[] inputSpecs;
    private final TensorSpec outputSpec;
    private final boolean inPlaceAllowed;
    /** Calls in flight; close() waits for them so a kernel is never freed under a running call. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closed;

    PreparedOperation(OpSpec spec, String engine, String selection, Kernel kernel) {
        this.spec = spec;
        this.engine = engine;
        this.selection = selection;
        this.kernel = kernel;
        this.inputSpecs = spec.inputs().toArray(TensorSpec[]::new);
        this.outputSpec = spec.output();
        this.inPlaceAllowed = switch (spec.kind()) {
            case RELU, ADD, BATCH_NORM -> true;
            default -> false;
        };
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
    public void apply(List<Tensor> inputs, Tensor output) {
        if (inputs == null || inputs.size() != inputSpecs.length) {
            throw new IllegalArgumentException("inputs: " + spec.kind().id() + " takes " + inputSpecs.length
                    + " input tensors, got " + (inputs == null ? "null" : inputs.size()));
        }
        Tensor[] in = new Tensor[inputSpecs.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = inputs.get(i);
            inputSpecs[i].check(in.length == 1 ? "input" : "inputs[" + i + "]", in[i]);
        }
        outputSpec.check("output", output);
        MemorySegment out = output.segment();
        for (int i = 0; i < in.length; i++) {
            MemorySegment s = in[i].segment();
            if (overlaps(s, out)) {
                boolean exact = inPlaceAllowed && s.address() == out.address() && s.byteSize() == out.byteSize()
                        && s.scope().equals(out.scope());
                if (!exact) {
                    throw new IllegalArgumentException("output: its memory overlaps " + (in.length == 1 ? "the input"
                            : "inputs[" + i + "]") + "; " + spec.kind().id() + " needs a separate output tensor");
                }
            }
        }
        inFlight.incrementAndGet();
        try {
            if (closed) {
                throw new IllegalStateException("operation " + spec.kind().id() + " on " + engine + " is closed");
            }
            kernel.execute(in, output);
        } finally {
            inFlight.decrementAndGet();
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

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        while (inFlight.get() != 0) {
            Thread.onSpinWait();
        }
        kernel.close();
    }

    @Override
    public String toString() {
        return spec + " on " + engine;
    }
}
