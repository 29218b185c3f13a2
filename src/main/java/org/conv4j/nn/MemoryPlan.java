package org.conv4j.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.conv4j.DType;

/**
 * Where each activation of a {@link Graph} lives in one arena during inference. As the seed says, a layer's
 * memory can be freed once the layers reading it have run: each buffer lives from the step that writes it to the
 * last step that reads it (skip connections and inception branches keep their source alive until the add or the
 * concat), and buffers whose lifetimes do not overlap share memory.
 *
 * <p>Buffers are placed greedily, largest first, at the lowest offset that does not collide with a buffer alive
 * at the same time. Element-wise layers (ReLU, add, scale+shift) may write over an input that dies with them, and
 * a flatten is a view of its input's buffer. The graph input and output keep their own memory for the whole run
 * so that a caller can read and rerun them.
 *
 * <p>A fused plan ({@link #fused}, or {@code fuse} set with any strategy) also decides the schedule: a convolution
 * whose output only an add reads (ResNet's last convolution of a unit, before the skip is added) runs as one
 * residual convolution at the add's step, {@code relu?(conv(x) + skip)}. Its output is never computed, its input
 * lives until the add's step, and the fused step writes in place over the skip when the skip dies there (and is
 * not the convolution's input too).
 */
public final class MemoryPlan {
    /** How buffers are assigned. */
    public enum Strategy {
        /** One buffer per activation, none shared: the memory training needs (the "naive sum"). */
        NAIVE,
        /** Lifetime-based sharing. */
        REUSE,
        /** Lifetime-based sharing plus in-place element-wise layers. */
        REUSE_IN_PLACE
    }

    /** Alignment of every buffer, a cache line and the widest vector. */
    public static final int ALIGNMENT = 64;

    /** One region of the arena: {@code [offset, offset + bytes)}, alive from step {@code first} to {@code last}. */
    public record Buffer(int id, long bytes, int first, int last, long offset) {
        boolean livesWith(Buffer o) {
            return first <= o.last && o.first <= last;
        }
    }

    private final Graph graph;
    private final DType dtype;
    private final Strategy strategy;
    private final boolean fuses;
    private final int[] bufferOfValue;
    /** Per layer: the convolution layer fused into this add, or -1. */
    private final int[] fusedConv;
    /** Per layer: the add layer this convolution is fused into, or -1. */
    private final int[] fusedInto;
    /** Per layer: the inputs its step reads (a fused add reads the convolution's input and the skip). */
    private final List<List<Value>> stepInputs;
    /** Per value: the output of a fused convolution, never computed. */
    private final boolean[] fusedValue;
    private final List<Buffer> buffers;
    private final long arenaBytes;
    private final long naiveBytes;
    private final long lowerBound;

    private MemoryPlan(Graph graph, DType dtype, Strategy strategy, boolean fuse) {
        this.graph = graph;
        this.dtype = dtype;
        this.strategy = strategy;
        this.fuses = fuse;
        List<Value> values = graph.values();
        List<Layer> layers = graph.layers();
        int end = layers.size() + 1;
        fusedConv = new int[layers.size()];
        fusedInto = new int[layers.size()];
        Arrays.fill(fusedConv, -1);
        Arrays.fill(fusedInto, -1);
        if (fuse) {
            fuse(graph);
        }
        List<List<Value>> ins = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (fusedInto[i] >= 0) {
                ins.add(List.of());
            } else if (fusedConv[i] >= 0) {
                Value conv = layers.get(fusedConv[i]).output();
                ins.add(List.of(layers.get(fusedConv[i]).inputs().get(0), skipOf(l, conv)));
            } else {
                ins.add(l.inputs());
            }
        }
        this.stepInputs = List.copyOf(ins);
        // Step 0 writes the input, step i + 1 runs layer i.
        int[] lastUse = new int[values.size()];
        for (int i = 0; i < layers.size(); i++) {
            for (Value v : stepInputs.get(i)) {
                lastUse[v.id()] = Math.max(lastUse[v.id()], i + 1);
            }
        }
        lastUse[graph.input().id()] = end;
        lastUse[graph.output().id()] = end;

        bufferOfValue = new int[values.size()];
        List<long[]> raw = new ArrayList<>(); // {bytes, first, last}
        long naive = 0;
        bufferOfValue[graph.input().id()] = newBuffer(raw, bytes(graph.input()), 0, end);
        naive += aligned(bytes(graph.input()));
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            int step = i + 1;
            int out = l.output().id();
            long size = bytes(l.output());
            if (fusedInto[i] >= 0) {
                continue; // never computed: the add's step writes the sum (its buffer is set below)
            }
            if (l instanceof Layer.Flatten f) {
                int b = bufferOfValue[f.input().id()];
                bufferOfValue[out] = b;
                raw.get(b)[2] = Math.max(raw.get(b)[2], lastUse[out]);
                continue;
            }
            naive += aligned(size);
            if (strategy == Strategy.NAIVE) {
                bufferOfValue[out] = newBuffer(raw, size, 0, end);
                continue;
            }
            int shared = -1;
            if (strategy == Strategy.REUSE_IN_PLACE && (l.canRunInPlace() || fusedConv[i] >= 0) && l.output() != graph.output()) {
                // a fused step may write over the skip only, never over the convolution's input (which may be the
                // skip itself: add(x, conv(x)))
                List<Value> candidates = l.inputs();
                if (fusedConv[i] >= 0) {
                    List<Value> in = stepInputs.get(i);
                    candidates = in.get(1) == in.get(0) ? List.of() : List.of(in.get(1));
                }
                for (Value v : candidates) {
                    int b = bufferOfValue[v.id()];
                    long[] r = raw.get(b);
                    if (v != graph.input() && r[2] == step && r[0] == aligned(size)) {
                        shared = b;
                        break;
                    }
                }
            }
            if (shared >= 0) {
                bufferOfValue[out] = shared;
                raw.get(shared)[2] = lastUse[out];
            } else {
                bufferOfValue[out] = newBuffer(raw, size, step, Math.max(step, lastUse[out]));
            }
        }
        fusedValue = new boolean[values.size()];
        for (int i = 0; i < layers.size(); i++) {
            if (fusedInto[i] >= 0) {
                // where the fused step writes conv + skip; the convolution alone is never there (see bufferOf)
                int out = layers.get(i).output().id();
                bufferOfValue[out] = bufferOfValue[layers.get(fusedInto[i]).output().id()];
                fusedValue[out] = true;
            }
        }
        this.naiveBytes = naive;
        this.buffers = place(raw, strategy);
        long arena = 0;
        for (Buffer b : buffers) {
            arena = Math.max(arena, b.offset() + b.bytes());
        }
        this.arenaBytes = arena;
        long lb = 0;
        for (int t = 0; t <= end; t++) {
            long live = 0;
            for (Buffer b : buffers) {
                if (b.first() <= t && t <= b.last()) {
                    live += b.bytes();
                }
            }
            lb = Math.max(lb, live);
        }
        this.lowerBound = lb;
    }

    /**
     * Finds the adds to fuse: an add (with or without ReLU) of a convolution's output and a skip, where the
     * convolution has no ReLU of its own, its output is read by that add alone (once) and is not the graph output.
     * The add's first input is tried first (the residual branch of {@link Blocks}' units), then the second.
     */
    private void fuse(Graph graph) {
        List<Layer> layers = graph.layers();
        java.util.Map<Value, Integer> producer = new java.util.HashMap<>();
        int[] readers = new int[graph.values().size()];
        for (int i = 0; i < layers.size(); i++) {
            producer.put(layers.get(i).output(), i);
            for (Value v : layers.get(i).inputs()) {
                readers[v.id()]++;
            }
        }
        for (int j = 0; j < layers.size(); j++) {
            if (!(layers.get(j) instanceof Layer.Op op) || !(op.spec() instanceof org.conv4j.AddSpec)) {
                continue;
            }
            for (Value v : op.inputs()) {
                Integer i = producer.get(v);
                if (i != null && layers.get(i) instanceof Layer.Conv c && !c.spec().relu() && !c.spec().hasResidual()
                        && readers[v.id()] == 1 && v != graph.output() && fusedInto[i] < 0) {
                    fusedConv[j] = i;
                    fusedInto[i] = j;
                    break;
                }
            }
        }
    }

    /** The add's input other than the fused convolution's output. */
    private static Value skipOf(Layer add, Value conv) {
        List<Value> in = add.inputs();
        return in.get(0) == conv ? in.get(1) : in.get(0);
    }

    /** Plans the graph's activations stored as {@code dtype} (which may differ from the graph's). */
    public static MemoryPlan of(Graph graph, DType dtype, Strategy strategy) {
        return of(graph, dtype, strategy, false);
    }

    /** Like {@link #of(Graph, DType, Strategy)}, fusing residual convolutions when {@code fuse} is set. */
    public static MemoryPlan of(Graph graph, DType dtype, Strategy strategy, boolean fuse) {
        return new MemoryPlan(Objects.requireNonNull(graph, "graph"), Objects.requireNonNull(dtype, "dtype"),
                Objects.requireNonNull(strategy, "strategy"), fuse);
    }

    /** The plan a compiled model uses by default: sharing and in-place layers, the graph's dtype. */
    public static MemoryPlan of(Graph graph) {
        return of(graph, graph.dtype(), Strategy.REUSE_IN_PLACE);
    }

    /** Sharing, in-place layers and residual convolutions fused with their adds (see the class comment). */
    public static MemoryPlan fused(Graph graph) {
        return of(graph, graph.dtype(), Strategy.REUSE_IN_PLACE, true);
    }

    /** Whether this plan fuses convolutions into the adds that read them. */
    public boolean fuses() {
        return fuses;
    }

    /** The convolution layer fused into add layer {@code layerIndex} under this plan, or -1. */
    public int fusedConv(int layerIndex) {
        return fusedConv[layerIndex];
    }

    /** The add layer that convolution layer {@code layerIndex} is fused into under this plan, or -1. */
    public int fusedInto(int layerIndex) {
        return fusedInto[layerIndex];
    }

    /** Whether this plan runs the same steps as {@code o} (the same fusions), so one model can run both. */
    public boolean sameSchedule(MemoryPlan o) {
        return Arrays.equals(fusedConv, o.fusedConv);
    }

    /** The values layer {@code layerIndex}'s step reads: a fused add reads the convolution's input and the skip. */
    public List<Value> stepInputs(int layerIndex) {
        return stepInputs.get(layerIndex);
    }

    private long bytes(Value v) {
        return v.spec().byteSize(dtype);
    }

    private static long aligned(long n) {
        return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static int newBuffer(List<long[]> raw, long bytes, int first, int last) {
        raw.add(new long[] {aligned(bytes), first, last});
        return raw.size() - 1;
    }

    private static List<Buffer> place(List<long[]> raw, Strategy strategy) {
        Buffer[] placed = new Buffer[raw.size()];
        if (strategy == Strategy.NAIVE) {
            long off = 0;
            for (int i = 0; i < raw.size(); i++) {
                long[] r = raw.get(i);
                placed[i] = new Buffer(i, r[0], (int) r[1], (int) r[2], off);
                off += r[0];
            }
            return List.of(placed);
        }
        Integer[] order = new Integer[raw.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingLong(i -> -raw.get(i)[0]).thenComparingLong(i -> raw.get(i)[1]));
        List<Buffer> done = new ArrayList<>();
        for (int i : order) {
            long[] r = raw.get(i);
            Buffer probe = new Buffer(i, r[0], (int) r[1], (int) r[2], 0);
            List<Buffer> conflicts = new ArrayList<>();
            for (Buffer b : done) {
                if (b.livesWith(probe)) {
                    conflicts.add(b);
                }
            }
            conflicts.sort(Comparator.comparingLong(Buffer::offset));
            long off = 0;
            for (Buffer b : conflicts) {
                if (b.offset() >= off + r[0]) {
                    break;
                }
                off = Math.max(off, b.offset() + b.bytes());
            }
            Buffer b = new Buffer(i, r[0], (int) r[1], (int) r[2], off);
            placed[i] = b;
            done.add(b);
        }
        return List.of(placed);
    }

    public Graph graph() {
        return graph;
    }

    public DType dtype() {
        return dtype;
    }

    public Strategy strategy() {
        return strategy;
    }

    /** Bytes of the one arena holding every activation: the planned peak. */
    public long arenaBytes() {
        return arenaBytes;
    }

    /** Bytes if every activation kept its own memory (what training holds), 64-byte aligned. */
    public long naiveBytes() {
        return naiveBytes;
    }

    /** The most bytes alive at one step: no placement of these buffers can use less. */
    public long lowerBound() {
        return lowerBound;
    }

    public List<Buffer> buffers() {
        return buffers;
    }

    /**
     * The buffer holding value {@code valueId}. For the output of a convolution fused into an add (never computed
     * on its own, see {@link #isFused}) it is the buffer the fused step writes {@code conv + skip} to.
     */
    public Buffer bufferOf(int valueId) {
        return buffers.get(bufferOfValue[valueId]);
    }

    /** Whether value {@code valueId} is the output of a convolution fused into its add: it is never computed. */
    public boolean isFused(int valueId) {
        return fusedValue[valueId];
    }

    /** Arena offset of value {@code valueId}. */
    public long offsetOf(int valueId) {
        return bufferOf(valueId).offset();
    }

    @Override
    public String toString() {
        return "MemoryPlan[" + graph.name() + " " +  dtype.id() + " " + strategy + (fuses ? " fused" : "") + ": arena " + arenaBytes + " B, naive "
                + naiveBytes + " B, lower bound " + lowerBound + " B, " + buffers.size() + " buffers]";
    }
}
