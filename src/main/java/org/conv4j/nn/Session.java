package org.conv4j.nn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.conv4j.Operation;
import org.conv4j.Tensor;

/**
 * The activation memory of one inference stream: a single arena laid out by the model's {@link MemoryPlan}, with
 * a tensor view per activation. Write the input into {@link #input()}, call {@link #run()}, read {@link #output()}
 * (valid until the next run). Not thread-safe: use one session per thread. The arena is shared so that
 * multi-threaded engines can work on it; {@link #close()} frees it.
 */
public final class Session implements AutoCloseable {
    private final Model model;
    private final Arena arena;
    private final MemorySegment memory;
    private final Tensor[] tensors;
    private final List<List<Tensor>> layerInputs = new ArrayList<>();
    private final MemoryPlan plan;
    private IntConsumer afterLayer;

    Session(Model model, MemoryPlan plan) {
        this.model = model;
        Graph g = model.graph();
        this.plan = plan;
        this.arena = Arena.ofShared();
        try {
            this.memory = arena.allocate(Math.max(plan.arenaBytes(), MemoryPlan.ALIGNMENT), MemoryPlan.ALIGNMENT);
            this.tensors = new Tensor[g.values().size()];
            for (Value v : g.values()) {
                if (plan.isFused(v.id())) {
                    continue; // a fused convolution's output: never computed
                }
                MemoryPlan.Buffer b = plan.bufferOf(v.id());
                tensors[v.id()] = Tensor.wrap(memory.asSlice(b.offset(), b.bytes()), v.spec().dtype(), v.spec().layout(),
                        v.dims());
            }
            for (int i = 0; i < g.layers().size(); i++) {
                List<Tensor> in = new ArrayList<>();
                for (Value v : plan.stepInputs(i)) { // a fused add reads the convolution's input and the skip
                    in.add(tensors[v.id()]);
                }
                layerInputs.add(List.copyOf(in));
            }
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    public Model model() {
        return model;
    }

    /** The input activation: write the batch here before {@link #run()}. */
    public Tensor input() {
        return tensors[model.graph().input().id()];
    }

    /** The output activation after {@link #run()}. */
    public Tensor output() {
        return tensors[model.graph().output().id()];
    }

    /**
     * The tensor holding {@code v} (valid while its buffer is not reused by a later layer).
     *
     * @throws IllegalStateException for the output of a convolution the plan fused into its add (never computed)
     */
    public Tensor tensor(Value v) {
        Tensor t = tensors[v.id()];
        if (t == null) {
            throw new IllegalStateException("value " + v + ": the plan fuses the convolution writing it into its add, "
                    + "so it is never computed; compile with an unfused plan to read it");
        }
        return t;
    }

    public MemoryPlan plan() {
        return plan;
    }

    /** Bytes of the arena. */
    public long arenaBytes() {
        return memory.byteSize();
    }

    /** Calls {@code listener} with the layer index after every layer (for memory probes); {@code null} removes it. */
    public void afterEachLayer(IntConsumer listener) {
        this.afterLayer = listener;
    }

    /** Fills the whole arena with one byte pattern (tests poison memory to catch reads of unwritten data). */
    public void fill(byte pattern) {
        memory.fill(pattern);
    }

    /** Runs every layer in order on the current input. */
    public void run() {
        model.checkOpen();
        List<Layer> layers = model.graph().layers();
        for (int i = 0; i < layers.size(); i++) {
            Operation op = model.operation(i);
            if (op != null) {
                op.apply(layerInputs.get(i), tensors[layers.get(i).output().id()]);
            }
            IntConsumer l = afterLayer;
            if (l != null) {
                l.accept(i);
            }
        }
    }

    /** Copies {@code input} (memory order) in, runs, and returns the output values. */
    public float[] run(float[] input) {
        input().copyFrom(input);
        run();
        return output().toFloatArray();
    }

    /** Frees the arena. Idempotent. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
